// W1-W4 on the simulator. Each builds a world, runs it, and prints one JSON line (report.hpp).
// Wall time covers World::run only (setting up hosts and processes is excluded, as it is for
// ns-3's Simulator::Run).
#include "bench/sim_workloads.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/sim/world.hpp>
#include <simsock/tools/app_process.hpp>
#include "bench/report.hpp"

namespace simsock::bench {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
constexpr auto tok = asio::as_tuple(asio::deferred);  // as the apps await (apps/common.hpp)

// "10.0.X.Y" for host number i (up to 62,500 hosts).
std::string host_address(std::size_t i) {
  return "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
}

net::Endpoint endpoint(const std::string& ip, std::uint16_t port) {
  return {asio::ip::make_address(ip), port};
}

sim::ProcessBody app_body(const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& args) {
  const apps::AppSpec* spec = apps::find_app(name);
  if (!spec) throw std::runtime_error("no app " + name);
  apps::Options options;
  if (auto err = apps::parse_options(*spec, args, options)) {
    throw std::runtime_error(name + ": " + err->message);
  }
  return cli::make_app_process(*spec, std::move(options));
}

double timed(const std::function<void()>& fn) {
  auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::uint64_t stat(const sim::World& w, const char* name) {
  auto it = w.stats().find(name);
  return it == w.stats().end() ? 0 : it->second;
}

// Fails the run (non-zero exit) unless every process that was meant to finish exited with 0.
void require_clean_exit(const sim::World& w, const std::string& name) {
  for (const auto& p : w.processes()) {
    if (p.name != name) continue;
    if (p.state != sim::ProcessState::exited || p.exit_code != 0) {
      throw std::runtime_error(name + " did not exit cleanly: state " +
                               std::string(sim::to_string(p.state)) + ", stderr: " + p.err +
                               p.failure);
    }
  }
}

// A plain UDP echo (what ns-3's UdpEchoServer does): no timestamp formatting on the server side.
asio::awaitable<int> udp_echo_body(net::Network& net, sim::ProcessIo&) {
  net::error_code ec;
  auto sock = net.bind_udp(endpoint("0.0.0.0", 7), ec);
  if (!sock) co_return 1;
  std::vector<char> buf(65536);
  for (;;) {
    auto [rec, d] = co_await sock->async_receive_from(asio::buffer(buf), tok);
    if (rec) co_return 1;
    co_await sock->async_send_to(asio::buffer(buf.data(), d.bytes), d.sender, tok);
  }
}

// interval_us 0: one datagram in flight (the next leaves when the reply arrives); otherwise one
// leaves every interval, so about 2 ms / interval are in flight at once.
void run_w1(std::uint64_t round_trips, double loss, std::size_t size, std::uint64_t seed,
            double interval_us) {
  sim::World w(seed);
  sim::LinkConfig link;
  link.latency = milliseconds(1);
  link.udp.loss = loss;
  w.set_default_link(link);
  w.add_host("client", "10.0.0.1");
  w.add_host("server", "10.0.0.2");
  w.spawn("echo", "server", "udp-echo", udp_echo_body);
  w.spawn("ping", "client", "udp-ping",
          app_body("udp-ping", {{"connect", "10.0.0.2:7"},
                                {"count", std::to_string(round_trips)},
                                {"size", std::to_string(size)},
                                {"interval", std::to_string(interval_us) + "us"}}));
  double wall = timed([&] { w.run(); });
  require_clean_exit(w, "ping");
  auto delivered = stat(w, "udp.delivered");
  auto events = w.events_processed();
  print_result("w1", wall, static_cast<double>(delivered), "datagrams",
               {{"events", events},
                {"events_per_s", wall > 0 ? static_cast<double>(events) / wall : 0.0},
                {"sim_s", std::chrono::duration<double>(w.now()).count()},
                {"udp_sent", stat(w, "udp.sent")}});
}

void run_w2(std::uint64_t bytes, double loss, std::uint64_t seed) {
  sim::World w(seed);
  sim::LinkConfig link;
  link.latency = milliseconds(1);
  link.tcp.loss = loss;
  w.set_default_link(link);
  w.add_host("client", "10.0.0.1");
  w.add_host("server", "10.0.0.2");
  w.spawn("sink", "server", "tcp-sink", app_body("tcp-sink", {{"listen", "0.0.0.0:5001"}}));
  w.spawn("bulk", "client", "tcp-bulk",
          app_body("tcp-bulk", {{"connect", "10.0.0.2:5001"}, {"bytes", std::to_string(bytes)}}));
  double wall = timed([&] { w.run(); });
  require_clean_exit(w, "bulk");
  auto events = w.events_processed();
  print_result("w2", wall, static_cast<double>(bytes), "bytes",
               {{"loss", loss},
                {"events", events},
                {"events_per_s", wall > 0 ? static_cast<double>(events) / wall : 0.0},
                {"sim_s", std::chrono::duration<double>(w.now()).count()},
                {"tcp_segments", stat(w, "tcp.segments")},
                {"tcp_retransmits", stat(w, "tcp.retransmits")}});
}

// W3: the server answers one request per connection and keeps every connection open; clients
// (several hosts, so ephemeral ports suffice) open their share at once and keep theirs open.
// When nothing is left to do, every connection is open at the same time.
struct ScaleCounters {
  std::uint64_t replied = 0;
  std::vector<std::unique_ptr<net::TcpStream>> held;  // client ends, kept open
};

asio::awaitable<void> scale_serve(std::unique_ptr<net::TcpStream> s) {
  char buf[64];
  auto [ec, n] = co_await s->async_read_some(asio::buffer(buf), tok);
  if (ec) co_return;
  auto [wec, w] = co_await asio::async_write(*s, asio::buffer(buf, n), tok);
  if (wec) co_return;
  co_await s->async_read_some(asio::buffer(buf), tok);  // held until the peer goes away
}

asio::awaitable<int> scale_server_main(net::Network& net, std::uint64_t connections) {
  net::error_code ec;
  auto l = net.listen(endpoint("0.0.0.0", 5002), ec, static_cast<int>(connections));
  if (!l) co_return 1;
  for (;;) {
    auto [aec, s] = co_await l->async_accept(tok);
    if (aec) co_return 1;
    asio::co_spawn(net.get_executor(), scale_serve(std::move(s)), asio::detached);
  }
}

sim::ProcessBody scale_server(std::uint64_t connections) {
  return [connections](net::Network& net, sim::ProcessIo&) {
    return scale_server_main(net, connections);
  };
}

// One connection: connect, one request, one reply, then keep it open. Returns false on error.
asio::awaitable<bool> scale_connect(net::Network& net, ScaleCounters& c) {
  auto [ec, s] = co_await net.async_connect(endpoint("10.0.0.1", 5002), tok);
  if (ec) co_return false;
  const char request[] = "request";
  auto [wec, w] = co_await asio::async_write(*s, asio::buffer(request, sizeof request), tok);
  if (wec) co_return false;
  char reply[sizeof request];
  auto [rec, r] = co_await asio::async_read(*s, asio::buffer(reply), tok);
  if (rec) co_return false;
  ++c.replied;
  c.held.push_back(std::move(s));
  co_return true;
}

// Opens connections one after another while `left` says some remain to be opened.
asio::awaitable<void> scale_worker(net::Network& net, std::shared_ptr<ScaleCounters> c,
                                   std::shared_ptr<std::uint64_t> left) {
  while (*left > 0) {
    --*left;
    bool ok = co_await scale_connect(net, *c);
    if (!ok) co_return;
  }
}

// Opens `share` connections, at most `window` of them being set up at once (0: all at once).
// Process bodies are plain lambdas that call a coroutine function taking everything by value: a
// coroutine lambda's captures live in the lambda object, not in the coroutine frame.
asio::awaitable<int> scale_client_main(net::Network& net, std::uint64_t share, std::uint64_t window,
                                       std::shared_ptr<ScaleCounters> c) {
  auto left = std::make_shared<std::uint64_t>(share);
  std::uint64_t workers = window == 0 ? share : std::min(share, window);
  for (std::uint64_t i = 0; i < workers; ++i) {
    asio::co_spawn(net.get_executor(), scale_worker(net, c, left), asio::detached);
  }
  co_return 0;
}

sim::ProcessBody scale_client(std::uint64_t share, std::uint64_t window,
                              std::shared_ptr<ScaleCounters> c) {
  return [share, window, c](net::Network& net, sim::ProcessIo&) {
    return scale_client_main(net, share, window, c);
  };
}

void run_w3(std::uint64_t connections, std::uint64_t per_client_host, std::uint64_t window,
            std::uint64_t seed) {
  auto counters = std::make_shared<ScaleCounters>();
  counters->held.reserve(connections);
  double wall = 0;
  std::uint64_t events = 0;
  {
    sim::World w(seed);
    w.add_host("server", host_address(0));
    w.spawn("server", "server", "scale-server", scale_server(connections));
    std::uint64_t clients = (connections + per_client_host - 1) / per_client_host;
    for (std::uint64_t i = 0; i < clients; ++i) {
      std::string name = "client" + std::to_string(i);
      w.add_host(name, host_address(i + 1));
      std::uint64_t share = std::min(per_client_host, connections - i * per_client_host);
      w.spawn(name, name, "scale-client", scale_client(share, window, counters));
    }
    wall = timed([&] { w.run(); });
    events = w.events_processed();
    if (counters->replied != connections) {
      throw std::runtime_error("w3: only " + std::to_string(counters->replied) + " of " +
                               std::to_string(connections) + " connections were answered");
    }
    counters->held.clear();  // before the world that made them
  }
  print_result(
      "w3", wall, static_cast<double>(connections), "connections",
      {{"events", events}, {"per_client_host", per_client_host}, {"connect_window", window}});
}

// W4: every host sends a heartbeat to the next one every 100 ms and counts what it receives.
asio::awaitable<void> count_heartbeats(net::UdpSocket& sock, std::uint64_t& received) {
  char buf[64];
  for (;;) {
    auto [ec, d] = co_await sock.async_receive_from(asio::buffer(buf), tok);
    if (ec) co_return;
    ++received;
  }
}

asio::awaitable<int> heartbeat_main(net::Network& net, std::string neighbour,
                                    std::uint64_t& received) {
  net::error_code ec;
  auto sock = net.bind_udp(endpoint("0.0.0.0", 9000), ec);
  if (!sock) co_return 1;
  asio::co_spawn(net.get_executor(), count_heartbeats(*sock, received), asio::detached);
  auto timer = net.make_timer();
  const char beat[] = "heartbeat";
  net::Endpoint to = endpoint(neighbour, 9000);
  for (;;) {
    timer->expires_after(milliseconds(100));
    auto [tec] = co_await timer->async_wait(tok);
    if (tec) co_return 1;
    co_await sock->async_send_to(asio::buffer(beat, sizeof beat), to, tok);
  }
}

sim::ProcessBody heartbeat_body(std::string neighbour, std::uint64_t& received) {
  return [neighbour, &received](net::Network& net, sim::ProcessIo&) {
    return heartbeat_main(net, neighbour, received);
  };
}

void run_w4(std::uint64_t hosts, double sim_seconds, std::uint64_t seed) {
  std::uint64_t received = 0, events = 0;
  double wall = 0;
  {
    sim::World w(seed);
    for (std::uint64_t i = 0; i < hosts; ++i) w.add_host("h" + std::to_string(i), host_address(i));
    for (std::uint64_t i = 0; i < hosts; ++i) {
      std::string name = "h" + std::to_string(i);
      w.spawn(name, name, "heartbeat", heartbeat_body(host_address((i + 1) % hosts), received));
    }
    auto until =
        std::chrono::duration_cast<sim::Duration>(std::chrono::duration<double>(sim_seconds));
    wall = timed([&] { w.run_until(until); });
    events = w.events_processed();
  }
  if (received == 0) throw std::runtime_error("w4: no heartbeat arrived");
  print_result("w4", wall, sim_seconds, "sim_seconds",
               {{"hosts", hosts}, {"heartbeats", received}, {"events", events}});
}

}  // namespace

void add_sim_workloads(CLI::App& app) {
  struct Params {
    std::uint64_t round_trips = 1'000'000, bytes = 1ull << 30, connections = 100'000,
                  per_client_host = 25'000, connect_window = 0, hosts = 100, seed = 1;
    double loss = 0.01, sim_seconds = 3600, interval_us = 0;
    std::size_t size = 64;
  };
  auto p = std::make_shared<Params>();

  auto* w1 = app.add_subcommand("w1", "W1: udp-ping round trips against a UDP echo, 1 ms, loss");
  w1->add_option("--round-trips", p->round_trips)->capture_default_str();
  w1->add_option("--loss", p->loss, "per datagram")->capture_default_str();
  w1->add_option("--size", p->size, "bytes per datagram")->capture_default_str();
  w1->add_option("--seed", p->seed)->capture_default_str();
  w1->add_option("--interval-us", p->interval_us,
                 "send one datagram every interval instead of waiting for each reply (in flight: "
                 "about 2000 / interval)")
      ->capture_default_str();
  w1->callback([p] { run_w1(p->round_trips, p->loss, p->size, p->seed, p->interval_us); });

  auto* w2 = app.add_subcommand("w2", "W2: tcp-bulk into tcp-sink, MSS segments, 1 ms, loss");
  w2->add_option("--bytes", p->bytes)->capture_default_str();
  w2->add_option("--loss", p->loss, "per data segment")->capture_default_str();
  w2->add_option("--seed", p->seed)->capture_default_str();
  w2->callback([p] { run_w2(p->bytes, p->loss, p->seed); });

  auto* w3 = app.add_subcommand("w3", "W3: many TCP connections, one request/reply each, held");
  w3->add_option("--connections", p->connections)->capture_default_str();
  w3->add_option("--per-client-host", p->per_client_host, "connections per client host")
      ->capture_default_str();
  w3->add_option("--connect-window", p->connect_window,
                 "connections being set up at once per client host (0: all at once)")
      ->capture_default_str();
  w3->add_option("--seed", p->seed)->capture_default_str();
  w3->callback([p] { run_w3(p->connections, p->per_client_host, p->connect_window, p->seed); });

  auto* w4 = app.add_subcommand("w4", "W4: hosts send a UDP heartbeat to a neighbour every 100 ms");
  w4->add_option("--hosts", p->hosts)->capture_default_str();
  w4->add_option("--sim-seconds", p->sim_seconds, "virtual seconds to run")->capture_default_str();
  w4->add_option("--seed", p->seed)->capture_default_str();
  w4->callback([p] { run_w4(p->hosts, p->sim_seconds, p->seed); });
}

}  // namespace simsock::bench
