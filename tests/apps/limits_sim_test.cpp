// The apps' bounds, run on a simulated network (virtual time, so a 60 s default costs nothing):
// client timeouts against servers that stay silent, the reply cap, an empty reply, servers'
// idle timeouts, and udp-ping's window of tracked datagrams.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <simsock/sim/testing/simsock_test.hpp>

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

net::Endpoint any_port(std::uint16_t port) {
  return net::Endpoint{asio::ip::address_v4::any(), port};
}

// A client host and a server host, one millisecond apart.
void two_hosts(test::Sim& sim) {
  sim.add_host("server", "10.0.0.1");
  sim.add_host("client", "10.0.0.2");
  sim.set_default_link("{latency: 1ms}");
}

// What a hostile TCP server does with each connection it accepts on port 21567.
enum class Behaviour {
  silent,     // reads everything, never answers, never closes
  deaf,       // neither reads nor answers nor closes
  streaming,  // reads one line, then writes forever without closing
  hangs_up,   // reads one line, then closes without answering
};

test::Coroutine hostile_server(Behaviour b) {
  return [b](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto listener = net.listen(any_port(21567), ec);
    if (!listener) co_return 2;
    std::vector<std::unique_ptr<net::TcpStream>> kept;
    for (;;) {
      auto [aec, s] = co_await listener->async_accept(tuple);
      if (aec) co_return 3;
      char buf[4096];
      if (b == Behaviour::deaf) {
        kept.push_back(std::move(s));
        continue;
      }
      if (b == Behaviour::silent) {
        for (;;) {
          auto [rec, n] = co_await s->async_read_some(asio::buffer(buf), tuple);
          if (rec) break;
        }
        kept.push_back(std::move(s));  // open, even after the client's end of input
        continue;
      }
      co_await s->async_read_some(asio::buffer(buf), tuple);
      if (b == Behaviour::hangs_up) {
        s->close();
        continue;
      }
      const std::string block(64 * 1024, 'z');
      for (;;) {
        auto [wec, n] = co_await asio::async_write(*s, asio::buffer(block), tuple);
        if (wec) break;
      }
    }
  };
}

// The process's exit code once it has exited within `limit`, and when (virtual time).
struct Exit {
  std::optional<int> code;
  test::Duration at{0};
};

Exit run_until_exit(test::Sim& sim, const std::string& name, test::Duration limit) {
  bool done = sim.run_until([&] { return sim.process(name).exit_code.has_value(); }, limit);
  return Exit{done ? sim.process(name).exit_code : std::nullopt, sim.now()};
}

TEST(TcpTsClient, GivesUpOnASilentServerAfterItsTimeout) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.start_app("cli", "client", "tcp-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}, {"timeout", "2s"}});
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").err, "timeout: no reply to 'hi' within 2s\n");
  EXPECT_GE(exit.at, 2s);
  EXPECT_LT(exit.at, 3s);
}

TEST(TcpTsClient, WaitsTenSecondsForAReplyByDefault) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.start_app("cli", "client", "tcp-ts-client", {{"connect", "server:21567"}, {"message", "hi"}});
  auto exit = run_until_exit(sim, "cli", 120s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_GE(exit.at, 10s);
  EXPECT_LT(exit.at, 11s);
  EXPECT_EQ(sim.process("cli").out, "");
}

TEST(TcpTsClient, TimeoutZeroWaitsForever) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.start_app("cli", "client", "tcp-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}, {"timeout", "0"}});
  sim.run_for(600s);
  EXPECT_EQ(sim.process("cli").state, sim::ProcessState::running);
}

TEST(TcpTsClient, GivesUpConnectingAcrossAPartitionAfterItsTimeout) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.partition("client", "server", 0s);
  sim.start_app("cli", "client", "tcp-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}, {"timeout", "1500ms"}}, "1ms");
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").err, "timeout: no connection to server:21567 within 1500ms\n");
  EXPECT_LT(exit.at, 2s);
}

TEST(TcpTsClient, GivesUpWhenTheServerStopsReadingItsMessage) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::deaf));
  sim.start_app("cli", "client", "tcp-ts-client",
                {{"connect", "server:21567"},
                 {"message", std::string(8 * 1024 * 1024, 'm')},
                 {"timeout", "1s"}});
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").err.rfind("timeout: the server took nothing of '", 0), 0u);
}

TEST(LineTsClient, GivesUpOnASilentServerAfterItsTimeout) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.start_app("cli", "client", "line-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}, {"timeout", "3s"}});
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").err,
            "timeout: nothing more of the reply to 'hi' within 3s (0 bytes so far)\n");
  EXPECT_EQ(sim.process("cli").out, "");
}

TEST(LineTsClient, GivesUpOnAReplyLongerThanOneMebibyteByDefault) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::streaming));
  sim.start_app("cli", "client", "line-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}});
  auto exit = run_until_exit(sim, "cli", 600s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").err,
            "line-ts-client: the reply to 'hi' is longer than --max-reply (1048576 bytes); "
            "giving up\n");
  EXPECT_EQ(sim.process("cli").out, "");
}

TEST(LineTsClient, MaxReplySetsTheCap) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::streaming));
  sim.start_app("cli", "client", "line-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}, {"max-reply", "1000"}});
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_NE(sim.process("cli").err.find("longer than --max-reply (1000 bytes)"), std::string::npos)
      << sim.process("cli").err;
}

TEST(LineTsClient, ServerClosingWithoutAReplyIsExitOneWithAMessage) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::hangs_up));
  sim.start_app("cli", "client", "line-ts-client",
                {{"connect", "server:21567"}, {"message", "hi"}});
  auto exit = run_until_exit(sim, "cli", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("cli").out, "");
  EXPECT_EQ(sim.process("cli").err,
            "line-ts-client: no reply to 'hi': the server closed the connection without sending "
            "anything\n");
}

TEST(TcpBulk, GivesUpOnASinkThatStopsReading) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::deaf));
  sim.start_app("bulk", "client", "tcp-bulk",
                {{"connect", "server:21567"}, {"bytes", "100000000"}, {"timeout", "2s"}});
  auto exit = run_until_exit(sim, "bulk", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("bulk").err.rfind("timeout: the sink took nothing for 2s after ", 0), 0u)
      << sim.process("bulk").err;
}

TEST(TcpBulk, GivesUpWaitingForTheCountAfterItsTimeout) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("srv", "server", hostile_server(Behaviour::silent));
  sim.start_app("bulk", "client", "tcp-bulk",
                {{"connect", "server:21567"}, {"bytes", "1000"}, {"timeout", "2s"}});
  auto exit = run_until_exit(sim, "bulk", 60s);
  EXPECT_EQ(exit.code, 1);
  EXPECT_EQ(sim.process("bulk").err, "timeout: no byte count from the sink within 2s\n");
}

// Connects to server:21567 and waits for the server to close; `closed_at` says when (virtual
// time), `got` what arrived first.
test::Coroutine idle_client(std::shared_ptr<std::optional<test::Duration>> closed_at,
                            test::Sim* sim) {
  return [closed_at, sim](net::Network& net) -> asio::awaitable<int> {
    auto [rec, addrs] = co_await net.async_resolve("server", 21567, tuple);
    if (rec) co_return 2;
    auto [cec, s] = co_await net.async_connect(addrs.front(), tuple);
    if (cec) co_return 3;
    char buf[64];
    auto [ec, n] = co_await s->async_read_some(asio::buffer(buf), tuple);
    *closed_at = sim->now();
    co_return ec == net::error::eof ? 0 : 4;
  };
}

class IdleConnection : public ::testing::TestWithParam<std::string> {};

TEST_P(IdleConnection, IsClosedAfterSixtySecondsByDefault) {
  test::Sim sim;
  two_hosts(sim);
  sim.start_app("srv", "server", GetParam());
  auto closed_at = std::make_shared<std::optional<test::Duration>>();
  sim.spawn("idle", "client", idle_client(closed_at, &sim), 10ms);
  sim.run_for(120s);
  ASSERT_TRUE(closed_at->has_value()) << "the idle connection was never closed";
  EXPECT_GE(**closed_at, 60s);
  EXPECT_LT(**closed_at, 61s);
  EXPECT_EQ(sim.process("idle").exit_code, 0) << "not a clean close";
  EXPECT_EQ(sim.process("srv").state, sim::ProcessState::running);
  const auto err = sim.process("srv").err;
  EXPECT_TRUE(std::regex_search(err, std::regex("10\\.0\\.0\\.2:\\d+: nothing received for 60s")))
      << err;
}

TEST_P(IdleConnection, IsClosedAfterIdleTimeoutAndNeverWithZero) {
  for (std::string idle : {"5s", "0"}) {
    test::Sim sim;
    two_hosts(sim);
    sim.start_app("srv", "server", GetParam(), {{"idle-timeout", idle}});
    auto closed_at = std::make_shared<std::optional<test::Duration>>();
    sim.spawn("idle", "client", idle_client(closed_at, &sim), 10ms);
    sim.run_for(3600s);
    if (idle == "0") {
      EXPECT_FALSE(closed_at->has_value()) << "--idle-timeout 0 closed a connection";
      continue;
    }
    ASSERT_TRUE(closed_at->has_value());
    EXPECT_GE(**closed_at, 5s);
    EXPECT_LT(**closed_at, 6s);
  }
}

INSTANTIATE_TEST_SUITE_P(TcpServers, IdleConnection,
                         ::testing::Values("tcp-ts-server", "line-ts-server", "tcp-sink"),
                         [](const auto& info) {
                           std::string name;
                           for (char c : info.param) name += c == '-' ? '_' : c;
                           return name;
                         });

TEST(TcpTsServer, KeepsAConnectionThatSendsMoreOftenThanItsIdleTimeout) {
  test::Sim sim;
  two_hosts(sim);
  sim.start_app("srv", "server", "tcp-ts-server", {{"idle-timeout", "2s"}});
  auto replies = std::make_shared<int>(0);
  sim.spawn(
      "chatty", "client",
      [replies](net::Network& net) -> asio::awaitable<int> {
        auto [rec, addrs] = co_await net.async_resolve("server", 21567, tuple);
        auto [cec, s] = co_await net.async_connect(addrs.front(), tuple);
        if (cec) co_return 3;
        auto timer = net.make_timer();
        char buf[256];
        for (int i = 0; i < 20; ++i) {  // 20 s in all, a message every 1.5 s
          timer->expires_after(1500ms);
          co_await timer->async_wait(tuple);
          auto [wec, w] = co_await asio::async_write(*s, asio::buffer("x", 1), tuple);
          if (wec) co_return 4;
          auto [ec, n] = co_await s->async_read_some(asio::buffer(buf), tuple);
          if (ec) co_return 5;
          ++*replies;
        }
        co_return 0;
      },
      10ms);
  sim.run_for(60s);
  EXPECT_EQ(sim.process("chatty").exit_code, 0) << sim.process("srv").err;
  EXPECT_EQ(*replies, 20);
}

// A UDP echo on port 7 that holds back its reply to datagram "ping 0 " until it has seen
// datagram number `release_after`, then sends it.
test::Coroutine late_echo(int release_after) {
  return [release_after](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto sock = net.bind_udp(any_port(7), ec);
    if (!sock) co_return 2;
    std::string held;
    net::Endpoint held_to;
    char buf[2048];
    for (int n = 0;; ++n) {
      auto [rec, d] = co_await sock->async_receive_from(asio::buffer(buf), tuple);
      if (rec) co_return 3;
      std::string data(buf, d.bytes);
      if (data.rfind("ping 0 ", 0) == 0) {
        held = data;
        held_to = d.sender;
        continue;
      }
      co_await sock->async_send_to(asio::buffer(data), d.sender, tuple);
      if (n == release_after) co_await sock->async_send_to(asio::buffer(held), held_to, tuple);
    }
  };
}

TEST(UdpPing, CountsALateReplyWhileItsNumberIsStillTracked) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("echo", "server", late_echo(100));
  sim.start_app("ping", "client", "udp-ping",
                {{"connect", "server:7"}, {"count", "6000"}, {"timeout", "100ms"}});
  auto exit = run_until_exit(sim, "ping", 600s);
  EXPECT_EQ(exit.code, 0);
  EXPECT_EQ(sim.process("ping").out.rfind("sent=6000 received=6000 lost=0 dup=0 ", 0), 0u)
      << sim.process("ping").out;
}

TEST(UdpPing, AReplyToANumberThatLeftTheWindowCountsAsLost) {
  test::Sim sim;
  two_hosts(sim);
  sim.spawn("echo", "server", late_echo(5000));  // the window holds the last 4096 numbers
  sim.start_app("ping", "client", "udp-ping",
                {{"connect", "server:7"}, {"count", "6000"}, {"timeout", "100ms"}});
  auto exit = run_until_exit(sim, "ping", 600s);
  EXPECT_EQ(exit.code, 0);
  EXPECT_EQ(sim.process("ping").out.rfind("sent=6000 received=5999 lost=1 dup=0 ", 0), 0u)
      << sim.process("ping").out;
}

// A UDP echo on port 7 that also records every datagram it receives, in order.
test::Coroutine recording_echo(std::shared_ptr<std::vector<std::string>> seen) {
  return [seen](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto sock = net.bind_udp(any_port(7), ec);
    if (!sock) co_return 2;
    char buf[2048];
    for (;;) {
      auto [rec, d] = co_await sock->async_receive_from(asio::buffer(buf), tuple);
      if (rec) co_return 3;
      seen->emplace_back(buf, d.bytes);
      co_await sock->async_send_to(asio::buffer(buf, d.bytes), d.sender, tuple);
    }
  };
}

TEST(UdpPing, EveryDatagramIsItsNumberPaddedWithDotsAcrossDigitCountChanges) {
  test::Sim sim;
  two_hosts(sim);
  auto seen = std::make_shared<std::vector<std::string>>();
  sim.spawn("echo", "server", recording_echo(seen));
  sim.start_app("ping", "client", "udp-ping",
                {{"connect", "server:7"}, {"count", "1001"}, {"size", "12"}});
  auto exit = run_until_exit(sim, "ping", 600s);
  EXPECT_EQ(exit.code, 0);
  ASSERT_EQ(seen->size(), 1001u);
  for (std::size_t i = 0; i < seen->size(); ++i) {
    std::string want = "ping " + std::to_string(i) + " ";
    want.resize(12, '.');
    ASSERT_EQ((*seen)[i], want) << "datagram " << i;
  }
  // A head longer than --size: the datagram is the head alone, and shorter ones pad again.
  test::Sim small;
  two_hosts(small);
  auto seen_small = std::make_shared<std::vector<std::string>>();
  small.spawn("echo", "server", recording_echo(seen_small));
  small.start_app("ping", "client", "udp-ping",
                  {{"connect", "server:7"}, {"count", "12"}, {"size", "7"}});
  EXPECT_EQ(run_until_exit(small, "ping", 600s).code, 0);
  ASSERT_EQ(seen_small->size(), 12u);
  EXPECT_EQ((*seen_small)[9], "ping 9 ");
  EXPECT_EQ((*seen_small)[10], "ping 10 ");
  EXPECT_EQ((*seen_small)[11], "ping 11 ");
}

}  // namespace
}  // namespace simsock
