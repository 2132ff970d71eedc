// The fixture every conformance suite derives from: it owns one Backend (see
// conformance_suite.hpp for the concept) and offers the few steps most tests share: listen,
// connect a pair, write all, read exactly, find a port nobody uses. Everything goes through
// net::Network; nothing here knows which backend runs.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simsock/net/network.hpp>
#include "tests/testutil.hpp"

namespace simsock::conformance {

namespace net = simsock::net;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using testutil::Completion;
using testutil::pattern_bytes;

using ReadDone = Completion<net::error_code, std::size_t>;
using WriteDone = Completion<net::error_code, std::size_t>;
using AcceptDone = Completion<net::error_code, std::unique_ptr<net::TcpStream>>;
using ConnectDone = Completion<net::error_code, std::unique_ptr<net::TcpStream>>;
using ReceiveDone = Completion<net::error_code, net::Datagram>;
using WaitDone = Completion<net::error_code>;
using ResolveDone = Completion<net::error_code, std::vector<net::Endpoint>>;

// How long any single step may take before the test gives up. On real sockets it is a safety net
// (wall clock) so that a broken backend fails instead of hanging; in simulation it is virtual.
inline constexpr std::chrono::nanoseconds kStepLimit = 30s;

// How long an operation whose answer is already known (eof after eof, broken_pipe after a
// reported error) may take. A safety net, not a speed requirement: an operation that waits for a
// network event that never comes (the bug this catches) would otherwise wait kStepLimit or forever.
inline constexpr std::chrono::nanoseconds kAtOnceLimit = 1s;

// Whether the suite may bind 0.0.0.0 / :: on this backend: Backend::binds_wildcard if declared,
// else false (real-socket tests bind only loopback addresses).
template <typename Backend>
constexpr bool binds_wildcard() {
  if constexpr (requires { Backend::binds_wildcard; }) {
    return Backend::binds_wildcard;
  } else {
    return false;
  }
}

// An address that belongs to no host: binding to it must fail with address_not_available.
inline asio::ip::address foreign_address() {
  return asio::ip::make_address("203.0.113.77");
}

// The reason the backend gives for not meeting the test named `test` yet, if it lists it in
// Backend::not_yet_linux_like (an array of {test, what the backend does} entries); empty otherwise.
template <typename Backend>
std::string_view not_yet_linux_like(std::string_view test) {
  if constexpr (requires { Backend::not_yet_linux_like; }) {
    for (const auto& entry : Backend::not_yet_linux_like) {
      if (entry.test == test) return entry.backend_does;
    }
  }
  return {};
}

template <typename Backend>
class Conformance : public ::testing::Test {
 protected:
  // Skips the cases the backend declares it does not meet yet (see not_yet_linux_like).
  void SetUp() override {
    const std::string_view name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string_view reason = not_yet_linux_like<Backend>(name);
    if (!reason.empty()) GTEST_SKIP() << "not yet Linux-like on this backend: " << reason;
  }

 public:
  net::Network& server() { return backend_.server(); }
  net::Network& client() { return backend_.client(); }
  Backend& backend() { return backend_; }

  // Drives the backend until `done()` holds; false if `limit` passed first.
  [[nodiscard]] bool run_until(const std::function<bool()>& done,
                               std::chrono::nanoseconds limit = kStepLimit) {
    return backend_.run_until(done, limit);
  }
  // Lets `d` pass on the backend's clock, running whatever becomes ready.
  void run_for(std::chrono::nanoseconds d) {
    (void)backend_.run_until([] { return false; }, d);
  }
  // Waits until bytes already sent (without loss) have reached the receiving socket.
  void let_data_arrive() { run_for(backend_.arrival_time()); }

  net::Endpoint server_at(std::uint16_t port) const { return {backend_.server_address(), port}; }
  net::Endpoint client_at(std::uint16_t port) const { return {backend_.client_address(), port}; }

  // A listener on the server host at an ephemeral port.
  std::unique_ptr<net::TcpListener> listen() { return listen(server(), server_at(0)); }

  // A listener on `on` at `at`, with `backlog` and `options`.
  std::unique_ptr<net::TcpListener> listen(net::Network& on, const net::Endpoint& at,
                                           int backlog = 128, const net::TcpOptions& options = {}) {
    net::error_code ec;
    auto l = on.listen(at, ec, backlog, options);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_NE(l, nullptr);
    return l;
  }

  struct Connection {
    std::unique_ptr<net::TcpListener> listener;
    std::unique_ptr<net::TcpStream> server, client;
    bool ok() const { return listener && server && client; }
  };

  // A TCP connection from the client host to a listener on the server host; `server_options`
  // apply to the listener (so to the accepted end), `client_options` to the connect.
  Connection connect_pair(const net::TcpOptions& server_options = {},
                          const net::TcpOptions& client_options = {}) {
    Connection c;
    c.listener = listen(server(), server_at(0), 128, server_options);
    if (!c.listener) return c;
    AcceptDone accepted;
    ConnectDone connected;
    c.listener->async_accept(accepted.handler());
    client().async_connect(server_at(c.listener->local_endpoint().port), client_options,
                           connected.handler());
    if (!run_until([&] { return accepted.done() && connected.done(); })) {
      ADD_FAILURE() << "connect/accept did not complete";
      return c;
    }
    EXPECT_FALSE(accepted.get<0>()) << accepted.get<0>().message();
    EXPECT_FALSE(connected.get<0>()) << connected.get<0>().message();
    c.server = std::move(accepted.get<1>());
    c.client = std::move(connected.get<1>());
    return c;
  }

  // Writes all of `data` with asio::async_write; returns the error (none on success).
  net::error_code write_all(net::TcpStream& s, std::string_view data) {
    WriteDone w;
    asio::async_write(s, asio::buffer(data), w.handler());
    if (!run_until([&] { return w.done(); })) {
      ADD_FAILURE() << "write did not complete";
      s.cancel();
      (void)run_until([&] { return w.done(); });
      return net::error::timed_out;
    }
    if (!w.get<0>()) {
      EXPECT_EQ(w.get<1>(), data.size());
    }
    return w.get<0>();
  }

  // Reads exactly `n` bytes with asio::async_read; returns the error and what was read.
  std::pair<net::error_code, std::string> read_exactly(net::TcpStream& s, std::size_t n) {
    std::string buf(n, '\0');
    ReadDone r;
    asio::async_read(s, asio::buffer(buf), r.handler());
    if (!run_until([&] { return r.done(); })) {
      ADD_FAILURE() << "read of " << n << " bytes did not complete";
      s.cancel();
      (void)run_until([&] { return r.done(); });
      return {net::error::timed_out, {}};
    }
    buf.resize(r.get<1>());
    return {r.get<0>(), buf};
  }

  // One async_read_some into a buffer of `capacity` bytes; a failure if it takes over `limit`.
  std::pair<net::error_code, std::string> read_some(net::TcpStream& s, std::size_t capacity,
                                                    std::chrono::nanoseconds limit = kStepLimit) {
    std::string buf(capacity, '\0');
    ReadDone r;
    s.async_read_some(asio::buffer(buf), r.handler());
    if (!run_until([&] { return r.done(); }, limit)) {
      ADD_FAILURE() << "read_some did not complete";
      s.cancel();
      (void)run_until([&] { return r.done(); });
      return {net::error::timed_out, {}};
    }
    buf.resize(r.get<1>());
    return {r.get<0>(), buf};
  }

  // One async_write_some of `data`; a failure if it takes over `limit`.
  std::pair<net::error_code, std::size_t> write_some(net::TcpStream& s, std::string_view data,
                                                     std::chrono::nanoseconds limit = kStepLimit) {
    WriteDone w;
    s.async_write_some(asio::buffer(data), w.handler());
    if (!run_until([&] { return w.done(); }, limit)) {
      ADD_FAILURE() << "write_some did not complete";
      s.cancel();
      (void)run_until([&] { return w.done(); });
      return {net::error::timed_out, 0};
    }
    return {w.get<0>(), w.get<1>()};
  }

  // A TCP port on the server host that nobody listens on (it was free a moment ago).
  std::uint16_t unused_tcp_port() {
    auto l = listen();
    return l ? l->local_endpoint().port : 0;
  }

  // A UDP port on the server host that nobody has bound (it was free a moment ago).
  std::uint16_t unused_udp_port() {
    net::error_code ec;
    auto s = server().bind_udp(server_at(0), ec);
    EXPECT_FALSE(ec) << ec.message();
    return s ? s->local_endpoint().port : 0;
  }

  std::unique_ptr<net::UdpSocket> bind_udp(net::Network& on, const net::Endpoint& at) {
    net::error_code ec;
    auto s = on.bind_udp(at, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_NE(s, nullptr);
    return s;
  }

  // Sends one datagram; returns the error and the reported size.
  std::pair<net::error_code, std::size_t> send_to(net::UdpSocket& s, std::string_view data,
                                                  const net::Endpoint& to) {
    WriteDone w;
    s.async_send_to(asio::buffer(data), to, w.handler());
    if (!run_until([&] { return w.done(); })) {
      ADD_FAILURE() << "send_to did not complete";
      return {net::error::timed_out, 0};
    }
    return {w.get<0>(), w.get<1>()};
  }

 private:
  Backend backend_;
};

}  // namespace simsock::conformance
