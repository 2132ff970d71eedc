// Determinism: the same seed gives the same digest and the same trace bytes; different seeds give
// different digests when randomness is involved; the RNG is specified and unbiased.
#include <gtest/gtest.h>

#include <boost/asio/write.hpp>
#include <cmath>
#include <set>
#include <sstream>

#include <simsock/sim/rng.hpp>
#include <simsock/sim/trace_writer.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

struct Outcome {
  std::string digest, trace;
  Stats stats;
};

// A lossy UDP exchange and a segmented TCP transfer at once.
Outcome scenario(std::uint64_t seed) {
  World w(seed);
  LinkConfig link;
  link.latency = 2ms;
  link.jitter = 3ms;
  link.udp.loss = 0.3;
  link.udp.duplicate = 0.1;
  link.tcp.segment = {1, 40};
  link.tcp.loss = 0.1;
  link.tcp.rto = 20ms;
  add_two_hosts(w, link);
  std::ostringstream trace;
  JsonLinesTraceWriter writer(trace);
  w.add_trace_sink(&writer);
  w.spawn("srv", "server", "t", [](net::Network& net, ProcessIo&) -> asio::awaitable<int> {
    net::error_code ec;
    auto l = net.listen(ep("0.0.0.0:80"), ec);
    auto u = net.bind_udp(ep("0.0.0.0:53"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    char buf[100];
    for (;;) {
      auto [e, n] = co_await s->async_read_some(asio::buffer(buf), asio::as_tuple(use_awaitable));
      if (e) break;
    }
    co_return 0;
  });
  w.spawn("cli", "client", "t", [](net::Network& net, ProcessIo&) -> asio::awaitable<int> {
    net::error_code ec;
    auto u = net.bind_udp(ep("0.0.0.0:0"), ec);
    for (int i = 0; i < 50; ++i) {
      co_await u->async_send_to(asio::buffer("ping", 4), ep("10.0.0.1:53"), use_awaitable);
    }
    auto s = co_await net.async_connect(ep("10.0.0.1:80"), use_awaitable);
    std::string data(3000, 'z');
    co_await asio::async_write(*s, asio::buffer(data), use_awaitable);
    s->close();
    co_return 0;
  });
  w.run_until(60s);
  return {w.digest_hex(), trace.str(), w.stats()};
}

TEST(Determinism, TheSameSeedGivesTheSameDigestAndTraceBytes) {
  Outcome a = scenario(42);
  Outcome b = scenario(42);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.stats, b.stats);
  EXPECT_GT(a.stats.at("udp.dropped"), 0u);
  EXPECT_EQ(a.stats.at("tcp.bytes"), 3000u);
  ASSERT_EQ(a.digest.size(), 16u);
  EXPECT_EQ(a.digest.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Determinism, DifferentSeedsGiveDifferentDigests) {
  std::set<std::string> digests;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) digests.insert(scenario(seed).digest);
  EXPECT_EQ(digests.size(), 10u);
}

TEST(Determinism, TheDigestDoesNotDependOnWhetherATraceSinkIsAttached) {
  World a(7), b(7);
  for (World* w : {&a, &b}) {
    add_two_hosts(*w);
    w->schedule(Fault{1s, Partition{{"client", "server", true}}});
  }
  TraceRecorder rec;
  a.add_trace_sink(&rec);
  a.run();
  b.run();
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(rec.of("fault").size(), 1u);
}

TEST(Determinism, TraceLinesAreJsonWithEscapedStrings) {
  std::ostringstream out;
  JsonLinesTraceWriter writer(out);
  TraceEvent e;
  e.t = 5;
  e.kind = "fault";
  e.detail = "a \"quoted\"\nline\\";
  writer.on_event(e);
  EXPECT_EQ(out.str(), "{\"t\":5,\"ev\":\"fault\",\"detail\":\"a \\\"quoted\\\"\\nline\\\\\"}\n");
}

TEST(Rng, StreamsAreStableAndIndependentOfCreationOrder) {
  Rng a(1, "path:a->b"), b(1, "path:a->b"), c(1, "path:b->a"), d(2, "path:a->b");
  std::uint64_t x = a.next();
  EXPECT_EQ(x, b.next());
  EXPECT_NE(x, c.next());
  EXPECT_NE(x, d.next());
}

TEST(Rng, UniformIntegersCoverTheRangeEvenly) {
  Rng r(3, "t");
  std::vector<int> counts(7);
  const int n = 70'000;
  for (int i = 0; i < n; ++i) ++counts[r.between(10, 16) - 10];
  for (int c : counts) EXPECT_NEAR(c, n / 7.0, 4 * std::sqrt(n * (1 / 7.0) * (6 / 7.0)));
  for (int i = 0; i < 1000; ++i) {
    double v = r.real();
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
  EXPECT_FALSE(r.chance(0.0));
  EXPECT_TRUE(r.chance(1.0));
}

}  // namespace
}  // namespace simsock::sim
