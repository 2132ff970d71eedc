// The TCP model: handshake, refusal, timeouts, byte-stream delivery, close, reset, half-close.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tests/sim/sim_test_util.hpp"
#include "tests/testutil.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

LinkConfig link_with_latency(Duration d) {
  LinkConfig l;
  l.latency = d;
  return l;
}

TEST(TcpModel, ConnectCompletesAfterOneRoundTripAndAcceptsOnTheServer) {
  World w(1);
  add_two_hosts(w, link_with_latency(10ms));
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto listener = srv.listen(ep("0.0.0.0:21567"), ec);
  ASSERT_FALSE(ec);
  std::int64_t connected_at = -1, accepted_at = -1;
  std::unique_ptr<net::TcpStream> client, server;
  listener->async_accept([&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
    ASSERT_FALSE(e);
    accepted_at = srv.now().count();
    server = std::move(s);
  });
  cli.async_connect(ep("10.0.0.1:21567"),
                    [&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
                      ASSERT_FALSE(e);
                      connected_at = cli.now().count();
                      client = std::move(s);
                    });
  w.run();
  EXPECT_EQ(connected_at, 20'000'000);
  EXPECT_EQ(accepted_at, 30'000'000);
  ASSERT_TRUE(client && server);
  EXPECT_EQ(client->remote_endpoint(), ep("10.0.0.1:21567"));
  EXPECT_EQ(client->local_endpoint().address, ep("10.0.0.2:1").address);
  EXPECT_GE(client->local_endpoint().port, 32768);  // Linux's ip_local_port_range
  EXPECT_LE(client->local_endpoint().port, 60999);
  EXPECT_EQ(server->remote_endpoint(), client->local_endpoint());
  EXPECT_EQ(server->local_endpoint(), ep("10.0.0.1:21567"));
  EXPECT_EQ(w.stats().at("tcp.connections"), 1u);  // one connection, counted once
}

TEST(TcpModel, ConnectToAPortNobodyListensOnIsRefusedAfterOneRoundTrip) {
  World w(1);
  add_two_hosts(w, link_with_latency(10ms));
  auto& cli = w.host("client").network();
  net::error_code got;
  std::int64_t at = -1;
  cli.async_connect(ep("10.0.0.1:9"), [&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
    got = e;
    at = cli.now().count();
    EXPECT_FALSE(s);
  });
  w.run();
  EXPECT_EQ(got, net::error::connection_refused);
  EXPECT_EQ(at, 20'000'000);
}

TEST(TcpModel, EchoOverCoroutinesDeliversTheBytes) {
  World w(3);
  add_two_hosts(w, link_with_latency(5ms));
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  std::string reply;
  launch(srv, [&]() -> asio::awaitable<void> {
    net::error_code ec;
    auto l = srv.listen(ep("0.0.0.0:7"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    char buf[100];
    for (;;) {
      auto [e, n] = co_await s->async_read_some(asio::buffer(buf), asio::as_tuple(use_awaitable));
      if (e) break;
      co_await asio::async_write(*s, asio::buffer(buf, n), use_awaitable);
    }
  });
  launch(cli, [&]() -> asio::awaitable<void> {
    auto eps = co_await cli.async_resolve("server", 7, use_awaitable);
    auto s = co_await cli.async_connect(eps.at(0), use_awaitable);
    co_await asio::async_write(*s, asio::buffer(std::string("hello world")), use_awaitable);
    s->shutdown(net::Shutdown::send);
    char buf[100];
    for (;;) {
      auto [e, n] = co_await s->async_read_some(asio::buffer(buf), asio::as_tuple(use_awaitable));
      if (e) {
        EXPECT_EQ(e, net::error::eof);
        break;
      }
      reply.append(buf, n);
    }
  });
  w.run();
  EXPECT_EQ(reply, "hello world");
}

}  // namespace
}  // namespace simsock::sim
