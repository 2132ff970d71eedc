// The GoogleTest kit over the simulator (sim/testing/simsock_test.hpp): links written with the
// scenario keys, coroutines and apps on hosts, running until a condition, counters, the trace,
// process results, clog/release, scenario files, the fixture and the determinism check.
#include <simsock/sim/testing/simsock_test.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tests/kit/child_process.hpp"

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::use_awaitable;
constexpr auto tuple = asio::as_tuple(use_awaitable);

net::Endpoint ep(const char* ip, std::uint16_t port) {
  return net::Endpoint{asio::ip::make_address(ip), port};
}

// Accepts one connection and reads it to eof; `received` counts the bytes, `reads` the reads.
test::Coroutine sink(std::size_t& received, std::size_t& reads, const char* at = "0.0.0.0") {
  return [&, at](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto l = net.listen(ep(at, 7000), ec);
    if (ec) co_return 2;
    auto [aec, s] = co_await l->async_accept(tuple);
    if (aec) co_return 3;
    char buf[1024];
    for (;;) {
      auto [rec, n] = co_await s->async_read_some(asio::buffer(buf), tuple);
      if (rec == net::error::eof) co_return 0;
      if (rec) co_return 4;
      received += n;
      ++reads;
    }
  };
}

// Connects to server:7000, writes `bytes` bytes in one async_write, closes.
test::Coroutine source(std::size_t bytes) {
  return [bytes](net::Network& net) -> asio::awaitable<int> {
    auto [rec, addrs] = co_await net.async_resolve("server", 7000, tuple);
    if (rec) co_return 5;
    auto [cec, s] = co_await net.async_connect(addrs.front(), tuple);
    if (cec) co_return 6;
    std::string data(bytes, 'x');
    auto [wec, n] = co_await asio::async_write(*s, asio::buffer(data), tuple);
    if (wec) co_return 7;
    s->close();
    co_return 0;
  };
}

TEST(SimKit, LinkTakesTheScenarioKeysAndUnits) {
  auto p = test::link(
      "{latency: 20ms, jitter: 5ms, udp: {loss: 20%}, tcp: {segment: {min: 1, max: 8}}}");
  EXPECT_EQ(p.latency, std::chrono::nanoseconds(20ms));
  EXPECT_EQ(p.jitter, std::chrono::nanoseconds(5ms));
  EXPECT_EQ(p.udp_loss, 0.2);
  ASSERT_TRUE(p.tcp_segment.has_value());
  EXPECT_EQ(p.tcp_segment->min, 1u);
  EXPECT_EQ(p.tcp_segment->max, 8u);
  EXPECT_FALSE(p.bandwidth_bps.has_value());
  EXPECT_EQ(test::duration("1.5s"), std::chrono::nanoseconds(1500ms));
  try {
    test::link("{latency: 20xs}");
    ADD_FAILURE() << "a bad duration was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("latency"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("20xs"), std::string::npos) << e.what();
  }
  EXPECT_THROW(test::link("{latncy: 20ms}"), std::invalid_argument);
  EXPECT_THROW(test::duration("3 parsecs"), std::invalid_argument);
}

TEST(SimKit, CoroutinesOnHostsUseTheLinkAndReportResults) {
  test::Sim sim(3);
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{latency: 20ms, tcp: {segment: {min: 1, max: 8}}}");
  std::size_t received = 0, reads = 0;
  sim.spawn("sink", "server", sink(received, reads));
  sim.spawn("source", "client", source(1000), 10ms);
  sim.run_for("5s");
  EXPECT_EQ(received, 1000u);
  EXPECT_EQ(sim.process("source").exit_code, 0);
  EXPECT_EQ(sim.process("sink").exit_code, 0);
  EXPECT_EQ(sim.process("sink").state, sim::ProcessState::exited);
  // Segments of at most 8 bytes: at least 125 of them, every one in the trace.
  EXPECT_GE(sim.stat("tcp.segments"), 125u);
  auto segments = sim.trace("tcp.segment");
  ASSERT_GE(segments.size(), 125u);
  for (const auto& s : segments) EXPECT_LE(s.len, 8);
  EXPECT_EQ(segments.front().src.rfind("10.0.0.2:", 0), 0u) << segments.front().src;
  // Latency: nothing can arrive before the handshake round trip plus one way, 60ms after 10ms.
  auto delivered = sim.trace("tcp.deliver");
  ASSERT_FALSE(delivered.empty());
  EXPECT_GE(delivered.front().t, (70ms).count() * 1000000);
  EXPECT_THROW(sim.process("nobody"), std::out_of_range);
}

TEST(SimKit, HostsTakeIpv6AddressesAndTheirNamesResolveToEachInOrder) {
  test::Sim sim(3);
  sim.add_host("server", std::vector<std::string>{"fd00::1", "10.0.0.1"});
  sim.add_host("client", "fd00::2");
  EXPECT_EQ(sim.world().host("server").addresses(),
            (std::vector<asio::ip::address>{asio::ip::make_address("fd00::1"),
                                            asio::ip::make_address("10.0.0.1")}));
  std::size_t received = 0, reads = 0;
  sim.spawn("sink", "server", sink(received, reads, "::"));
  sim.spawn("source", "client", source(1000), 10ms);  // connects to the first address, fd00::1
  sim.run_for("5s");
  EXPECT_EQ(received, 1000u);
  EXPECT_EQ(sim.process("source").exit_code, 0);
  auto segments = sim.trace("tcp.segment");
  ASSERT_FALSE(segments.empty());
  EXPECT_EQ(segments.front().src.rfind("[fd00::2]:", 0), 0u) << segments.front().src;
  EXPECT_EQ(segments.front().dst, "[fd00::1]:7000");
  EXPECT_THROW(sim.add_host("bad", "fe80::1"), std::invalid_argument);
}

TEST(SimKit, RunUntilStopsWhenTheConditionHoldsOrAtTheLimit) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{latency: 100ms}");
  std::size_t received = 0, reads = 0;
  sim.spawn("sink", "server", sink(received, reads));
  sim.spawn("source", "client", source(10));
  EXPECT_TRUE(sim.run_until([&] { return received == 10; }, 10s));
  EXPECT_EQ(received, 10u);
  // Handshake (2 x 100ms) and the data (100ms): it held at about 300ms, well before 10s.
  EXPECT_GE(sim.now(), 300ms);
  EXPECT_LT(sim.now(), 400ms);
  const auto before = sim.now();
  EXPECT_FALSE(sim.run_until([] { return false; }, 2s));
  EXPECT_EQ(sim.now(), before + 2s);
}

// Receives datagrams on server:9000 and appends each payload to `got`.
test::Coroutine datagram_sink(std::vector<std::string>& got) {
  return [&](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto s = net.bind_udp(ep("0.0.0.0", 9000), ec);
    if (ec) co_return 2;
    char buf[100];
    for (;;) {
      auto [rec, d] = co_await s->async_receive_from(asio::buffer(buf), tuple);
      if (rec) co_return 3;
      got.emplace_back(buf, d.bytes);
    }
  };
}

// Sends "1", "2", ..., "n" to server:9000, one datagram every 10ms.
test::Coroutine datagram_source(int n) {
  return [n](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto s = net.bind_udp(ep("0.0.0.0", 0), ec);
    auto t = net.make_timer();
    for (int i = 1; i <= n; ++i) {
      std::string msg = std::to_string(i);
      auto [sec, sent] = co_await s->async_send_to(asio::buffer(msg), ep("10.0.0.1", 9000), tuple);
      if (sec) co_return 4;
      t->expires_after(10ms);
      co_await t->async_wait(tuple);
    }
    co_return 0;
  };
}

TEST(SimKit, ClogHoldsTrafficAndReleaseDeliversAllOfItInOrder) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  std::vector<std::string> got;
  sim.spawn("sink", "server", datagram_sink(got));
  sim.clog("client", "server", 0ms);
  sim.spawn("source", "client", datagram_source(3));
  sim.run_for(1s);
  EXPECT_TRUE(got.empty()) << got.size() << " datagrams passed a clog";
  EXPECT_EQ(sim.process("source").exit_code, 0);
  sim.release("client", "server");
  sim.run_for(1s);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(sim.stat("udp.dropped"), 0u);
}

TEST(SimKit, DropNthLosesExactlyTheListedSegmentAndTheStreamRecoversIt) {
  test::Sim sim(3);
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{tcp: {segment: {min: 100, max: 100}}}");
  sim.drop_nth("client", "server", "tcp", {2, 5});
  std::size_t received = 0, reads = 0;
  sim.spawn("sink", "server", sink(received, reads));
  sim.spawn("source", "client", source(1000), 10ms);
  sim.run_for("5s");
  EXPECT_EQ(received, 1000u);
  EXPECT_EQ(sim.stat("tcp.segments_lost"), 2u);
  EXPECT_GE(sim.stat("tcp.retransmits"), 2u);
  EXPECT_THROW(sim.drop_nth("client", "server", "sctp", {1}), std::invalid_argument);
}

TEST(SimKit, AppsStartWithCheckedOptions) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.start_app("srv", "server", "tcp-ts-server");
  sim.start_app("cli", "client", "tcp-ts-client",
                {{"connect", "server:21567"}, {"message", "hello"}}, "100ms");
  sim.run_for("2s");
  auto cli = sim.process("cli");
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("] hello"), std::string::npos) << cli.out;
  EXPECT_EQ(sim.process("srv").state, sim::ProcessState::running);
  EXPECT_THROW(sim.start_app("x", "client", "tcp-ts-client", {{"conect", "server:1"}}),
               std::invalid_argument);
  EXPECT_THROW(sim.start_app("x", "client", "no-such-app"), std::invalid_argument);
}

TEST(SimKit, ScenarioFileRunsAndReturnsItsReport) {
  auto r = test::run_scenario_file(SIMSOCK_KIT_DATA "/echo.yaml");
  EXPECT_EQ(r.scenario, "kit-echo");
  EXPECT_EQ(r.seed, 4u);
  EXPECT_TRUE(r.passed) << r.first_failure();
  EXPECT_EQ(r.trace_digest.size(), 16u);
  ASSERT_EQ(r.processes.size(), 2u);
  EXPECT_EQ(r.processes[1].exit_code, 0);
  auto again = test::run_scenario_file(SIMSOCK_KIT_DATA "/echo.yaml", 9);
  EXPECT_EQ(again.seed, 9u);
  EXPECT_NE(again.trace_digest, r.trace_digest);
}

void jittery_transfer(test::Sim& sim) {
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server",
               "{latency: 5ms, jitter: 3ms, tcp: {segment: {min: 1, max: 50}}}");
  static std::size_t received, reads;
  received = reads = 0;
  sim.spawn("sink", "server", sink(received, reads));
  sim.spawn("source", "client", source(5000));
  sim.run_for("3s");
}

TEST(SimKit, DeterministicComparesTwoRunsOfTheSameSeed) {
  EXPECT_TRUE(test::deterministic(jittery_transfer, 11));
  // A body that differs between its two runs (here: how much it sends) is caught.
  int run = 0;
  auto verdict = test::deterministic(
      [&](test::Sim& sim) {
        sim.add_host("server");
        sim.add_host("client");
        static std::size_t received, reads;
        sim.spawn("sink", "server", sink(received, reads));
        sim.spawn("source", "client", source(100 + 50 * run++));
        sim.run_for("1s");
      },
      11);
  EXPECT_FALSE(verdict);
  EXPECT_NE(std::string(verdict.message()).find("seed 11"), std::string::npos);
}

class SimFixture : public test::SimTest {};

TEST_F(SimFixture, HasAWorldSeededFromTheEnvironment) {
  EXPECT_EQ(seed(), test::seed_range().first);
  EXPECT_EQ(sim().seed(), seed());
  sim().add_host("a");
  EXPECT_EQ(sim().world().host("a").address().to_string(), "10.0.0.1");
}

constexpr int k_fails_to_show_its_seed_line = __LINE__ + 1;
TEST_F(SimFixture, DISABLED_FailsToShowItsSeed) {
  ADD_FAILURE() << "deliberate";
}

TEST(SimKit, FixtureFailuresCarryTheSeedAndReplayCommand) {
  auto r = kit_test::run_command("env -u SIMSOCK_SEEDS SIMSOCK_SEED=23 " + kit_test::self_path() +
                                 " --gtest_also_run_disabled_tests"
                                 " --gtest_filter=SimFixture.DISABLED_FailsToShowItsSeed");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("simsock seed 23; replay: SIMSOCK_SEED=23 " + kit_test::self_path() +
                          " --gtest_filter=SimFixture.DISABLED_FailsToShowItsSeed"),
            std::string::npos)
      << r.output;
}

TEST(SimKit, FixtureSeedBannerPointsAtTheUsersTestLine) {
  auto r = kit_test::run_command("env -u SIMSOCK_SEEDS SIMSOCK_SEED=23 " + kit_test::self_path() +
                                 " --gtest_also_run_disabled_tests"
                                 " --gtest_filter=SimFixture.DISABLED_FailsToShowItsSeed");
  const std::size_t banner = r.output.find(": simsock seed 23; replay: ");
  ASSERT_NE(banner, std::string::npos) << r.output;
  const std::size_t line_start = r.output.rfind('\n', banner) + 1;
  const std::string where = r.output.substr(line_start, banner - line_start);
  EXPECT_EQ(where, std::string(__FILE__) + ":" + std::to_string(k_fails_to_show_its_seed_line))
      << r.output;
}

}  // namespace
}  // namespace simsock
