// W6 workloads, each written twice with the same shape: once on net::Network, once on raw Asio.
// Timing uses the real steady clock: this file measures real sockets, nothing here is simulated.
#include "bench/real_sockets.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <simsock/net/asio_network.hpp>

namespace simsock::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;
constexpr auto tok = asio::as_tuple(asio::use_awaitable);
const auto loopback = asio::ip::make_address("127.0.0.1");

// Runs `io` to completion and returns the wall time it took.
double timed_run(asio::io_context& io) {
  auto t0 = std::chrono::steady_clock::now();
  io.run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ---- through net/ ---------------------------------------------------------------------------

asio::awaitable<void> net_tcp_echo_server(net::TcpListener& l) {
  auto [ec, s] = co_await l.async_accept(tok);
  if (ec) co_return;
  std::vector<char> buf(65536);
  for (;;) {
    auto [rec, n] = co_await s->async_read_some(asio::buffer(buf), tok);
    if (rec) break;
    auto [wec, m] = co_await asio::async_write(*s, asio::buffer(buf.data(), n), tok);
    if (wec) break;
  }
}

asio::awaitable<void> net_tcp_echo_client(net::Network& net, net::Endpoint to, std::uint64_t n,
                                          std::size_t size, std::uint64_t& done) {
  auto [ec, s] = co_await net.async_connect(to, tok);
  if (ec) co_return;
  std::vector<char> out(size, 'x'), in(size);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [wec, w] = co_await asio::async_write(*s, asio::buffer(out), tok);
    if (wec) break;
    auto [rec, r] = co_await asio::async_read(*s, asio::buffer(in), tok);
    if (rec) break;
    ++done;
  }
  s->shutdown(net::Shutdown::send);
}

asio::awaitable<void> net_udp_echo_server(net::UdpSocket& s) {
  std::vector<char> buf(65536);
  for (;;) {
    auto [ec, d] = co_await s.async_receive_from(asio::buffer(buf), tok);
    if (ec) break;
    auto [sec, n] = co_await s.async_send_to(asio::buffer(buf.data(), d.bytes), d.sender, tok);
    if (sec && sec != net::error::host_unreachable) break;
  }
}

asio::awaitable<void> net_udp_echo_client(net::UdpSocket& s, net::UdpSocket& server,
                                          std::uint64_t n, std::size_t size, std::uint64_t& done) {
  std::vector<char> out(size, 'x'), in(65536);
  net::Endpoint to = server.local_endpoint();
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [sec, w] = co_await s.async_send_to(asio::buffer(out), to, tok);
    if (sec) break;
    auto [rec, d] = co_await s.async_receive_from(asio::buffer(in), tok);
    if (rec) break;
    ++done;
  }
  server.close();
}

asio::awaitable<void> net_sink(net::TcpListener& l, std::uint64_t& received) {
  auto [ec, s] = co_await l.async_accept(tok);
  if (ec) co_return;
  std::vector<char> buf(65536);
  for (;;) {
    auto [rec, n] = co_await s->async_read_some(asio::buffer(buf), tok);
    if (rec) break;
    received += n;
  }
}

asio::awaitable<void> net_bulk(net::Network& net, net::Endpoint to, std::uint64_t bytes,
                               std::size_t chunk) {
  auto [ec, s] = co_await net.async_connect(to, tok);
  if (ec) co_return;
  std::vector<char> out(chunk, 'x');
  for (std::uint64_t sent = 0; sent < bytes;) {
    std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, bytes - sent));
    auto [wec, w] = co_await asio::async_write(*s, asio::buffer(out.data(), len), tok);
    if (wec) break;
    sent += w;
  }
  s->shutdown(net::Shutdown::send);
}

// ---- directly on Asio ------------------------------------------------------------------------

asio::awaitable<void> asio_tcp_echo_server(tcp::acceptor& a) {
  auto [ec, s] = co_await a.async_accept(tok);
  if (ec) co_return;
  s.set_option(tcp::no_delay(true));
  std::vector<char> buf(65536);
  for (;;) {
    auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), tok);
    if (rec) break;
    auto [wec, m] = co_await asio::async_write(s, asio::buffer(buf.data(), n), tok);
    if (wec) break;
  }
}

asio::awaitable<void> asio_tcp_echo_client(tcp::endpoint to, std::uint64_t n, std::size_t size,
                                           std::uint64_t& done) {
  tcp::socket s(co_await asio::this_coro::executor);
  auto [ec] = co_await s.async_connect(to, tok);
  if (ec) co_return;
  s.set_option(tcp::no_delay(true));
  std::vector<char> out(size, 'x'), in(size);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [wec, w] = co_await asio::async_write(s, asio::buffer(out), tok);
    if (wec) break;
    auto [rec, r] = co_await asio::async_read(s, asio::buffer(in), tok);
    if (rec) break;
    ++done;
  }
  s.shutdown(tcp::socket::shutdown_send);
}

asio::awaitable<void> asio_udp_echo_server(udp::socket& s) {
  std::vector<char> buf(65536);
  udp::endpoint from;
  for (;;) {
    auto [ec, n] = co_await s.async_receive_from(asio::buffer(buf), from, tok);
    if (ec) break;
    auto [sec, w] = co_await s.async_send_to(asio::buffer(buf.data(), n), from, tok);
    if (sec) break;
  }
}

asio::awaitable<void> asio_udp_echo_client(udp::socket& s, udp::socket& server, std::uint64_t n,
                                           std::size_t size, std::uint64_t& done) {
  std::vector<char> out(size, 'x'), in(65536);
  udp::endpoint to = server.local_endpoint(), from;
  for (std::uint64_t i = 0; i < n; ++i) {
    auto [sec, w] = co_await s.async_send_to(asio::buffer(out), to, tok);
    if (sec) break;
    auto [rec, r] = co_await s.async_receive_from(asio::buffer(in), from, tok);
    if (rec) break;
    ++done;
  }
  server.close();
}

asio::awaitable<void> asio_sink(tcp::acceptor& a, std::uint64_t& received) {
  auto [ec, s] = co_await a.async_accept(tok);
  if (ec) co_return;
  std::vector<char> buf(65536);
  for (;;) {
    auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), tok);
    if (rec) break;
    received += n;
  }
}

asio::awaitable<void> asio_bulk(tcp::endpoint to, std::uint64_t bytes, std::size_t chunk) {
  tcp::socket s(co_await asio::this_coro::executor);
  auto [ec] = co_await s.async_connect(to, tok);
  if (ec) co_return;
  s.set_option(tcp::no_delay(true));
  std::vector<char> out(chunk, 'x');
  for (std::uint64_t sent = 0; sent < bytes;) {
    std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, bytes - sent));
    auto [wec, w] = co_await asio::async_write(s, asio::buffer(out.data(), len), tok);
    if (wec) break;
    sent += w;
  }
  s.shutdown(tcp::socket::shutdown_send);
}

tcp::acceptor asio_listen(asio::io_context& io) {
  tcp::acceptor a(io, tcp::endpoint(loopback, 0));
  return a;
}

std::unique_ptr<net::TcpListener> net_listen(net::Network& net) {
  net::error_code ec;
  auto l = net.listen({loopback, 0}, ec);
  if (!l) throw std::runtime_error("listen: " + ec.message());
  return l;
}

std::unique_ptr<net::UdpSocket> net_bind(net::Network& net) {
  net::error_code ec;
  auto s = net.bind_udp({loopback, 0}, ec);
  if (!s) throw std::runtime_error("bind: " + ec.message());
  return s;
}

}  // namespace

Backend parse_backend(std::string_view name) {
  if (name == "net") return Backend::net;
  if (name == "asio") return Backend::asio;
  throw std::invalid_argument("backend must be net or asio, not '" + std::string(name) + "'");
}

RealResult tcp_echo(Backend b, std::uint64_t round_trips, std::size_t size) {
  asio::io_context io(1);
  RealResult r;
  if (b == Backend::net) {
    auto net = net::make_asio_network(io);
    auto l = net_listen(*net);
    asio::co_spawn(io, net_tcp_echo_server(*l), asio::detached);
    asio::co_spawn(io, net_tcp_echo_client(*net, l->local_endpoint(), round_trips, size, r.done),
                   asio::detached);
    r.wall_seconds = timed_run(io);
  } else {
    auto a = asio_listen(io);
    asio::co_spawn(io, asio_tcp_echo_server(a), asio::detached);
    asio::co_spawn(io, asio_tcp_echo_client(a.local_endpoint(), round_trips, size, r.done),
                   asio::detached);
    r.wall_seconds = timed_run(io);
  }
  return r;
}

RealResult udp_echo(Backend b, std::uint64_t round_trips, std::size_t size) {
  asio::io_context io(1);
  RealResult r;
  if (b == Backend::net) {
    auto net = net::make_asio_network(io);
    auto server = net_bind(*net);
    auto client = net_bind(*net);
    asio::co_spawn(io, net_udp_echo_server(*server), asio::detached);
    asio::co_spawn(io, net_udp_echo_client(*client, *server, round_trips, size, r.done),
                   asio::detached);
    r.wall_seconds = timed_run(io);
  } else {
    udp::socket server(io, udp::endpoint(loopback, 0));
    udp::socket client(io, udp::endpoint(loopback, 0));
    asio::co_spawn(io, asio_udp_echo_server(server), asio::detached);
    asio::co_spawn(io, asio_udp_echo_client(client, server, round_trips, size, r.done),
                   asio::detached);
    r.wall_seconds = timed_run(io);
  }
  return r;
}

RealResult tcp_bulk(Backend b, std::uint64_t bytes, std::size_t chunk) {
  asio::io_context io(1);
  RealResult r;
  if (b == Backend::net) {
    auto net = net::make_asio_network(io);
    auto l = net_listen(*net);
    asio::co_spawn(io, net_sink(*l, r.done), asio::detached);
    asio::co_spawn(io, net_bulk(*net, l->local_endpoint(), bytes, chunk), asio::detached);
    r.wall_seconds = timed_run(io);
  } else {
    auto a = asio_listen(io);
    asio::co_spawn(io, asio_sink(a, r.done), asio::detached);
    asio::co_spawn(io, asio_bulk(a.local_endpoint(), bytes, chunk), asio::detached);
    r.wall_seconds = timed_run(io);
  }
  return r;
}

}  // namespace simsock::bench
