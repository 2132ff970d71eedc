// Faults: partition/heal (both ways and one way), clog/release, crash/restart with processes,
// set_link; processes' states and outputs.
#include <gtest/gtest.h>

#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

// Sends one datagram client -> server at each of `times`; returns when each arrived (-1: never).
std::vector<std::int64_t> probe(World& w, const std::vector<Duration>& times) {
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto rx = srv.bind_udp(ep("0.0.0.0:7"), ec);
  auto tx = cli.bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<std::int64_t> arrived(times.size(), -1);
  char buf[4];
  std::function<void()> receive = [&] {
    rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram) {
      if (e) return;
      arrived.at(static_cast<unsigned char>(buf[0])) = srv.now().count();
      receive();
    });
  };
  receive();
  for (std::size_t i = 0; i < times.size(); ++i) {
    w.at(times[i], [&, i] {
      char c = static_cast<char>(i);
      tx->async_send_to(asio::buffer(&c, 1), ep("10.0.0.1:7"), [](net::error_code, std::size_t) {});
    });
  }
  w.run();
  return arrived;
}

TEST(Faults, PartitionDropsTrafficUntilHealed) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{1s, Partition{{"client", "server", true}}});
  w.schedule(Fault{2s, Heal{{"client", "server", true}}});
  auto arrived = probe(w, {500ms, 1500ms, 2500ms});
  EXPECT_EQ(arrived, (std::vector<std::int64_t>{501'000'000, -1, 2'501'000'000}));
  EXPECT_EQ(w.stats().at("udp.dropped"), 1u);
}

TEST(Faults, OneWayPartitionBlocksOnlyThatDirection) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{0s, Partition{{"server", "client", false}}});
  auto arrived = probe(w, {1s});
  EXPECT_EQ(arrived[0], 1'001'000'000) << "client -> server still flows";
}

TEST(Faults, ClogHoldsTrafficAndReleaseDeliversItInOrder) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{1s, Clog{{"client", "server", true}}});
  w.schedule(Fault{3s, Release{{"client", "server", true}}});
  auto arrived = probe(w, {1100ms, 1200ms, 1300ms, 4s});
  EXPECT_EQ(arrived, (std::vector<std::int64_t>{3'001'000'000, 3'001'000'000, 3'001'000'000,
                                                4'001'000'000}));
  EXPECT_EQ(w.stats().at("udp.dropped"), 0u);
}

TEST(Faults, SetLinkChangesAPathAtAGivenTime) {
  World w(1);
  add_two_hosts(w);
  LinkPatch slow;
  slow.latency = 100ms;
  w.schedule(Fault{1s, SetLink{{"client", "server", true}, slow}});
  auto arrived = probe(w, {500ms, 2s});
  EXPECT_EQ(arrived, (std::vector<std::int64_t>{501'000'000, 2'100'000'000}));
  EXPECT_EQ(w.link("client", "server").latency, 100ms);
  EXPECT_EQ(w.link("server", "client").latency, 100ms);
}

TEST(Faults, LinkPatchChangesOnlyTheFieldsItSets) {
  LinkConfig c;
  c.udp.loss = 0.3;
  LinkPatch p;
  p.jitter = 5ms;
  p.tcp_segment = TcpSegmentPolicy{1, 3};
  p.apply_to(c);
  EXPECT_EQ(c.jitter, 5ms);
  EXPECT_EQ(c.tcp.segment.max, 3u);
  EXPECT_EQ(c.udp.loss, 0.3);
  EXPECT_EQ(c.latency, 1ms);
}

// A process that serves UDP echo forever.
asio::awaitable<int> echo_server(net::Network& net, ProcessIo& io) {
  net::error_code ec;
  auto s = net.bind_udp(ep("0.0.0.0:7"), ec);
  if (ec) co_return 2;
  io.out += "up\n";
  char buf[64];
  for (;;) {
    auto [e, d] = co_await s->async_receive_from(asio::buffer(buf), asio::as_tuple(use_awaitable));
    if (e) co_return 1;
    co_await s->async_send_to(asio::buffer(buf, d.bytes), d.sender, use_awaitable);
  }
}

TEST(Faults, CrashStopsProcessesAndRestartRunsThemAgainFromScratch) {
  World w(1);
  add_two_hosts(w);
  w.spawn("srv", "server", "echo", echo_server);
  w.schedule(Fault{1s, Crash{"server"}});
  w.run_until(2s);
  auto ps = w.processes();
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].state, ProcessState::crashed);
  // While it is down, datagrams to it are dropped, and binding on it fails.
  TraceRecorder rec;
  w.add_trace_sink(&rec);
  net::error_code ec;
  EXPECT_EQ(w.host("server").network().bind_udp(ep("0.0.0.0:8"), ec), nullptr);
  auto tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  tx->async_send_to(asio::buffer("x", 1), ep("10.0.0.1:7"), [](net::error_code, std::size_t) {});
  w.run_until(3s);
  auto drops = rec.of("udp.drop");
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].reason, "host_down");
  w.schedule(Fault{5s, Restart{"server"}});
  w.run_until(6s);
  ps = w.processes();
  EXPECT_EQ(ps[0].state, ProcessState::running);
  EXPECT_EQ(ps[0].out, "up\nup\n") << "the process ran again from the start, on the same port";
}

TEST(Faults, ProcessesReportExitCodesAndFailures) {
  World w(1);
  add_two_hosts(w);
  w.spawn(
      "ok", "client", "t",
      [](net::Network& net, ProcessIo& io) -> asio::awaitable<int> {
        auto t = net.make_timer();
        t->expires_after(1s);
        co_await t->async_wait(use_awaitable);
        io.out += io.in;
        co_return 3;
      },
      "stdin text", 500ms);
  w.spawn("bad", "client", "t", [](net::Network&, ProcessIo&) -> asio::awaitable<int> {
    throw std::runtime_error("boom");
    co_return 0;
  });
  TraceRecorder rec;
  w.add_trace_sink(&rec);
  w.run();
  auto ps = w.processes();
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[0].state, ProcessState::exited);
  EXPECT_EQ(ps[0].exit_code, 3);
  EXPECT_EQ(ps[0].out, "stdin text");
  EXPECT_EQ(ps[1].state, ProcessState::failed);
  EXPECT_EQ(ps[1].failure, "boom");
  auto starts = rec.of("process.start");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[1].t, 500'000'000);
  EXPECT_EQ(rec.of("process.exit").size(), 2u);
}

TEST(Faults, TcpToACrashedHostTimesOutAndAfterRestartIsRefused) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{0s, Crash{"server"}});
  auto& cli = w.host("client").network();
  net::error_code first, second;
  cli.async_connect(ep("10.0.0.1:80"),
                    [&](net::error_code e, std::unique_ptr<net::TcpStream>) { first = e; });
  w.run();
  EXPECT_EQ(first, net::error::timed_out);
  w.schedule(Fault{w.now(), Restart{"server"}});
  cli.async_connect(ep("10.0.0.1:80"),
                    [&](net::error_code e, std::unique_ptr<net::TcpStream>) { second = e; });
  w.run();
  EXPECT_EQ(second, net::error::connection_refused);
}

}  // namespace
}  // namespace simsock::sim
