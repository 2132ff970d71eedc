// The two-backend fixture: the same test bodies on the simulator and on real loopback sockets.
#include <simsock/sim/testing/both_backends.hpp>

#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class BothBackendsKit : public test::BothBackends {};

TEST_P(BothBackendsKit, TcpEchoOnAnyFreePortOfTheServer) {
  net::error_code ec;
  auto listener = network("server").listen(endpoint("server", 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_NE(listener->local_endpoint().port, 0);
  std::unique_ptr<net::TcpStream> accepted, connected;
  listener->async_accept([&](net::error_code aec, std::unique_ptr<net::TcpStream> s) {
    EXPECT_FALSE(aec) << aec.message();
    accepted = std::move(s);
  });
  network("client").async_connect(endpoint("server", listener->local_endpoint().port),
                                  [&](net::error_code cec, std::unique_ptr<net::TcpStream> s) {
                                    EXPECT_FALSE(cec) << cec.message();
                                    connected = std::move(s);
                                  });
  ASSERT_TRUE(run_until([&] { return accepted && connected; }));
  bool written = false;
  asio::async_write(*connected, asio::buffer(std::string_view("hello")),
                    [&](net::error_code, std::size_t) { written = true; });
  std::string got(5, '\0');
  bool read = false;
  asio::async_read(*accepted, asio::buffer(got), [&](net::error_code rec, std::size_t) {
    EXPECT_FALSE(rec) << rec.message();
    read = true;
  });
  ASSERT_TRUE(run_until([&] { return written && read; }));
  EXPECT_EQ(got, "hello");
}

TEST_P(BothBackendsKit, UdpDatagramReachesABoundSocket) {
  net::error_code ec;
  auto server = network("server").bind_udp(endpoint("server", 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto client = network("client").bind_udp(endpoint("client", 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  std::string buf(16, '\0');
  net::Datagram got;
  bool received = false;
  server->async_receive_from(asio::buffer(buf), [&](net::error_code rec, net::Datagram d) {
    EXPECT_FALSE(rec) << rec.message();
    got = d;
    received = true;
  });
  client->async_send_to(asio::buffer(std::string_view("ping")),
                        endpoint("server", server->local_endpoint().port),
                        [](net::error_code, std::size_t) {});
  ASSERT_TRUE(run_until([&] { return received; }));
  EXPECT_EQ(buf.substr(0, got.bytes), "ping");
  EXPECT_EQ(got.sender.port, client->local_endpoint().port);
}

TEST_P(BothBackendsKit, TimerExpiresAtAPointOfTheNetworksClock) {
  auto& net = network("client");
  auto timer = net.make_timer();
  const auto deadline = net.now() + 30ms;
  timer->expires_at(deadline);
  EXPECT_EQ(timer->expiry(), deadline);
  bool fired = false;
  timer->async_wait([&](net::error_code ec) {
    EXPECT_FALSE(ec) << ec.message();
    fired = true;
  });
  ASSERT_TRUE(run_until([&] { return fired; }));
  EXPECT_GE(net.now(), deadline);
}

TEST_P(BothBackendsKit, SimIsThereOnlyInTheSimulatorAndHostsAreChecked) {
  EXPECT_EQ(sim() != nullptr, simulated());
  EXPECT_EQ(backend().kind(), simulated() ? test::BackendKind::sim : test::BackendKind::loopback);
  if (simulated()) {
    EXPECT_EQ(endpoint("server", 1).address.to_string(), "10.0.0.1");
    sim()->set_link("client", "server", "{latency: 5ms}");
  } else {
    EXPECT_EQ(endpoint("server", 1).address.to_string(), "127.0.0.1");
  }
  EXPECT_THROW(network("sever"), std::invalid_argument);
  EXPECT_THROW(endpoint("sever", 1), std::invalid_argument);
  add_host("third");
  EXPECT_NO_THROW(network("third"));
  EXPECT_THROW(add_host("third"), std::invalid_argument);
}

TEST_P(BothBackendsKit, RunForLetsThatMuchTimePass) {
  auto& net = network("server");
  const auto start = net.now();
  run_for(50ms);
  EXPECT_GE(net.now() - start, 50ms);
}

SIMSOCK_BOTH_BACKENDS(BothBackendsKit);

}  // namespace
}  // namespace simsock
