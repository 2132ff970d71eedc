// Schedule perturbation (sim/perturb.hpp): off, same-instant events and ready handlers keep
// FIFO order on every seed; on, the seed picks their order, reproducibly, which exposes code that
// only works because of the order things were started in. Seeds are fixed and in the messages.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <set>
#include <string>
#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::sim {
namespace {

using namespace std::chrono_literals;

// Two timers set for the same instant, "config" first and "request" second. The request handler
// has an ordering bug: it reads a setting the config handler writes, which is there only when
// the config handler happened to run first. Returns whether the bug showed.
bool request_saw_missing_config(std::uint64_t seed, const PerturbOptions& perturb) {
  World w(seed);
  w.set_perturb(perturb);
  auto& net = w.add_host("a", "10.0.0.1").network();
  bool configured = false, bug = false;
  auto config = net.make_timer();
  auto request = net.make_timer();
  config->expires_after(1s);
  request->expires_after(1s);
  config->async_wait([&](net::error_code) { configured = true; });
  request->async_wait([&](net::error_code) { bug = !configured; });
  w.run();
  return bug;
}

TEST(Perturb, FifoNeverShowsTheOrderingBug) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    EXPECT_FALSE(request_saw_missing_config(seed, {})) << "seed " << seed;
  }
}

TEST(Perturb, SeededOrderFindsTheOrderingBugFifoNeverShows) {
  PerturbOptions on;
  on.order = true;
  int found = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) found += request_saw_missing_config(seed, on);
  // Two same-instant events: each order is about as likely as the other.
  EXPECT_GT(found, 60) << "of 200 seeds";
  EXPECT_LT(found, 140) << "of 200 seeds";
}

// The order `n` handlers posted together ran in.
std::vector<int> ready_order(std::uint64_t seed, const PerturbOptions& perturb, int n = 8) {
  World w(seed);
  w.set_perturb(perturb);
  auto& net = w.add_host("a", "10.0.0.1").network();
  std::vector<int> order;
  auto t = net.make_timer();
  t->expires_after(1ms);
  t->async_wait([&](net::error_code) {
    for (int i = 0; i < n; ++i) asio::post(net.get_executor(), [&order, i] { order.push_back(i); });
  });
  w.run();
  return order;
}

TEST(Perturb, ReadyHandlersRunFifoWhenOff) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(ready_order(seed, {}), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "seed " << seed;
  }
}

TEST(Perturb, ReadyHandlersRunInASeededReproducibleOrder) {
  PerturbOptions on;
  on.order = true;
  std::set<std::vector<int>> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto order = ready_order(seed, on);
    EXPECT_EQ(order, ready_order(seed, on)) << "seed " << seed << " is not reproducible";
    auto sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "seed " << seed;
    seen.insert(order);
  }
  EXPECT_GE(seen.size(), 15u) << "20 seeds should give (nearly) 20 of the 40320 orders";
}

TEST(Perturb, DelayedCompletionsRunWithinTheBound) {
  PerturbOptions delayed;
  delayed.max_delay = 5ms;
  std::set<std::int64_t> delays;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    World w(seed);
    w.set_perturb(delayed);
    auto& net = w.add_host("a", "10.0.0.1").network();
    auto t = net.make_timer();
    t->expires_after(1s);
    std::int64_t ran_at = -1;
    t->async_wait([&](net::error_code) { ran_at = net.now().count(); });
    w.run();
    ASSERT_GE(ran_at, 1'000'000'000) << "seed " << seed;
    ASSERT_LE(ran_at, 1'005'000'000) << "seed " << seed;
    delays.insert(ran_at - 1'000'000'000);
  }
  EXPECT_GE(delays.size(), 40u) << "the delay is drawn per seed";
}

TEST(Perturb, OffLeavesTheDigestOfARunUnchanged) {
  auto digest = [](bool call_set_perturb) {
    World w(7);
    if (call_set_perturb) w.set_perturb({});
    auto& net = w.add_host("a", "10.0.0.1").network();
    auto t1 = net.make_timer();
    auto t2 = net.make_timer();
    t1->expires_after(1s);
    t2->expires_after(1s);
    t1->async_wait([](net::error_code) {});
    t2->async_wait([](net::error_code) {});
    w.schedule({1s, Crash{"a"}});
    w.run();
    return w.digest_hex();
  };
  EXPECT_EQ(digest(false), digest(true));
}

TEST(Perturb, ACrashRunsTheHandlersStillDelayedFirst) {
  PerturbOptions delayed;
  delayed.max_delay = 1s;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    World w(seed);
    w.set_perturb(delayed);
    auto& net = w.add_host("a", "10.0.0.1").network();
    auto t = net.make_timer();
    t->expires_after(1s);
    std::int64_t ran_at = -1;
    t->async_wait([&](net::error_code) { ran_at = net.now().count(); });
    w.schedule({1s + 1ns, Crash{"a"}});
    w.run();
    // Either before the crash by its own delay, or at the crash, never after.
    EXPECT_GE(ran_at, 1'000'000'000) << "seed " << seed;
    EXPECT_LE(ran_at, 1'000'000'001) << "seed " << seed;
  }
}

}  // namespace
}  // namespace simsock::sim
