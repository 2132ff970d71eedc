// Random fault plans (tools/scenario/chaos.hpp): rates and durations as configured (within 4
// standard deviations over fixed seeds), swarm coverage, determinism, the window and quiet tail,
// the loader's messages; and the scenario writer, whose text must load back to the same plan.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include <simsock/tools/scenario/chaos.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/writer.hpp>
#include "tests/tools/scenario_test_apps.hpp"

namespace simsock::scenario {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHosts =
    "name: t\n"
    "hosts:\n"
    "  - {name: server, address: 10.0.0.1}\n"
    "  - {name: client, address: 10.0.0.2}\n"
    "  - {name: other, address: 10.0.0.3}\n"
    "processes:\n"
    "  - {name: srv, host: server, app: fake-server}\n"
    "  - {name: cli, host: client, app: fake-client, args: {connect: \"server:21567\"}}\n";

ScenarioSpec load(const std::string& rest) {
  return load_scenario_text(std::string(kHosts) + rest, "x.yaml", testing::fake_apps());
}

std::string error_of(const std::string& rest) {
  try {
    load(rest);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ChaosPlan, KillArrivalsMatchTheRateWithinFourSigma) {
  // 2/s over a 100 s window: Poisson with mean 200 per seed; the mean over 100 seeds has a
  // standard deviation of sqrt(200 / 100).
  auto spec = load("duration: 101s\nchaos: {from: 1s, kill: {rate: 2/s}}\n");
  double total = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    auto plan = plan_chaos(spec, seed);
    total += static_cast<double>(plan.episodes.size());
    for (const auto& e : plan.episodes) {
      ASSERT_EQ(e.kind, "kill");
      ASSERT_GE(e.at, 1s) << "seed " << seed;
      ASSERT_LT(e.at, 101s) << "seed " << seed;
    }
  }
  double mean = total / 100;
  EXPECT_LT(std::abs(mean - 200.0), 4 * std::sqrt(200.0 / 100)) << "mean " << mean;
}

// The episodes of `kind` over 100 seeds of a 100 s window at `per_second`, on one target whose
// every episode lasts `busy` (an arrival while the target is still busy is skipped): a renewal
// process whose gaps are busy + Exp(rate), so a seed's count has mean W / m and variance
// W s^2 / m^3 (m = busy + 1/rate, s = 1/rate). Checks the mean over the seeds within 4 sigma,
// and that each episode is made of `faults` faults, the first of type `First`.
template <typename First>
void expect_arrivals(const std::string& chaos, const std::string& kind, double per_second,
                     double busy, std::size_t faults) {
  auto spec = load("duration: 101s\nchaos: {from: 1s, " + chaos + "}\n");
  double total = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    auto plan = plan_chaos(spec, seed);
    total += static_cast<double>(plan.episodes.size());
    for (const auto& e : plan.episodes) {
      ASSERT_EQ(e.kind, kind);
      ASSERT_GE(e.at, 1s) << "seed " << seed;
      ASSERT_LT(e.at, 101s) << "seed " << seed;
      ASSERT_EQ(e.faults.size(), faults) << kind << " seed " << seed;
      ASSERT_TRUE(std::holds_alternative<First>(e.faults.front().action)) << kind;
    }
  }
  const double w = 100, gap = 1 / per_second, m = busy + gap;
  const double mean = w / m, sd_of_mean = std::sqrt(w * gap * gap / (m * m * m) / 100);
  EXPECT_LT(std::abs(total / 100 - mean), 4 * sd_of_mean)
      << kind << ": mean " << total / 100 << ", expected " << mean;
}

TEST(ChaosPlan, ClogArrivalsMatchTheRateWithinFourSigma) {
  expect_arrivals<sim::Clog>("pairs: [[client, server]], clog: {rate: 2/s, duration: 200ms}",
                             "clog", 2, 0.2, 2);
}

TEST(ChaosPlan, CrashArrivalsMatchTheRateWithinFourSigma) {
  expect_arrivals<sim::Crash>("hosts: [server], crash: {rate: 1/s, duration: 500ms}", "crash", 1,
                              0.5, 2);
}

TEST(ChaosPlan, LinkChangeArrivalsMatchTheRateWithinFourSigma) {
  // A change and its undo in each direction of the one pair.
  expect_arrivals<sim::SetLink>(
      "pairs: [[client, server]], link: {rate: 3/s, duration: 100ms, loss: 50%}", "link", 3, 0.1,
      4);
}

TEST(ChaosPlan, PartitionDurationsAndDirectionsFollowTheirSettings) {
  // Durations uniform in [10ms, 30ms] (mean 20ms, sd 5.77ms); one way with probability 25%.
  auto spec = load(
      "duration: 1000s\n"
      "chaos: {one_way: 25%, pairs: [[client, server]],\n"
      "        partition: {rate: 1/s, duration: {min: 10ms, max: 30ms}}}\n");
  double n = 0, sum_ms = 0, one_way = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    for (const auto& e : plan_chaos(spec, seed).episodes) {
      ASSERT_TRUE(e.until);
      double ms = static_cast<double>((*e.until - e.at).count()) / 1e6;
      ASSERT_GE(ms, 10.0);
      ASSERT_LE(ms, 30.0);
      sum_ms += ms;
      one_way += e.target.find("<->") == std::string::npos;
      n += 1;
      ASSERT_EQ(e.faults.size(), 2u);
      ASSERT_TRUE(std::holds_alternative<sim::Partition>(e.faults[0].action));
      ASSERT_TRUE(std::holds_alternative<sim::Heal>(e.faults[1].action));
    }
  }
  // About 1000 per seed (a few arrivals fall inside the previous partition and are skipped).
  EXPECT_GT(n, 5 * (1000 - 4 * std::sqrt(1000.0)) * 0.97);
  EXPECT_LT(std::abs(sum_ms / n - 20.0), 4 * 5.77 / std::sqrt(n));
  EXPECT_LT(std::abs(one_way / n - 0.25), 4 * std::sqrt(0.25 * 0.75 / n));
}

TEST(ChaosPlan, SwarmTurnsEachKindOnInAboutHalfTheSeeds) {
  auto spec = load(
      "duration: 60s\n"
      "chaos:\n"
      "  swarm: true\n"
      "  partition: {rate: 1/10s, duration: 1s}\n"
      "  clog: {rate: 1/10s, duration: 1s}\n"
      "  crash: {rate: 1/10s, duration: 1s}\n"
      "  kill: {rate: 1/10s}\n"
      "  link: {rate: 1/10s, duration: 1s, loss: 50%}\n");
  std::map<std::string, int> on;
  std::set<std::string> mixes;
  const int seeds = 400;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    std::string mix;
    for (const auto& k : plan_chaos(spec, seed).kinds) {
      std::string name = k.substr(0, k.find(' '));
      ++on[name];
      mix += name + ",";
    }
    mixes.insert(mix);
  }
  const double sigma = std::sqrt(seeds * 0.25);
  for (const char* kind : {"partition", "clog", "crash", "kill", "link"}) {
    EXPECT_LT(std::abs(on[kind] - seeds / 2.0), 4 * sigma) << kind << " on in " << on[kind];
  }
  EXPECT_GE(mixes.size(), 30u) << "of the 32 mixes of five kinds";
}

TEST(ChaosPlan, SameFileAndSeedGiveTheSamePlanAndOtherSeedsAnother) {
  auto spec = load(
      "duration: 30s\n"
      "chaos: {partition: {rate: 1/s, duration: {min: 100ms, max: 1s}},\n"
      "        link: {rate: 1/s, duration: 1s, latency: 50ms, jitter: 5ms}}\n");
  auto text = [&](std::uint64_t seed) {
    std::string s;
    for (const auto& e : plan_chaos(spec, seed).episodes) s += e.describe() + "\n";
    return s;
  };
  EXPECT_EQ(text(3), text(3));
  EXPECT_NE(text(3), text(4));
  EXPECT_FALSE(text(3).empty());
}

TEST(ChaosPlan, EveryFaultEndsBeforeTheQuietTail) {
  auto spec = load(
      "duration: 20s\n"
      "chaos: {from: 2s, quiet: 5s, crash: {rate: 1/s, duration: {min: 1s, max: 10s}},\n"
      "        clog: {rate: 2/s, duration: 3s}}\n");
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    auto plan = plan_chaos(spec, seed);
    ASSERT_FALSE(plan.episodes.empty());
    for (const auto& f : plan.faults()) {
      EXPECT_GE(f.at, 2s) << "seed " << seed;
      EXPECT_LE(f.at, 15s) << "seed " << seed;
    }
  }
}

TEST(ChaosPlan, LinkChangesAreUndoneToTheConfiguredLink) {
  auto spec = load(
      "duration: 20s\n"
      "network: {links: [{between: [client, server], latency: 7ms, udp: {loss: 1%}}]}\n"
      "chaos: {pairs: [[client, server]], link: {rate: 1/s, duration: 1s, loss: 50%,\n"
      "        latency: 20ms}}\n");
  auto plan = plan_chaos(spec, 1);
  ASSERT_FALSE(plan.episodes.empty());
  const auto& e = plan.episodes.front();
  ASSERT_EQ(e.faults.size(), 4u);  // a change and its undo, each direction
  const auto& undo = std::get<sim::SetLink>(e.faults.back().action).patch;
  EXPECT_EQ(undo.latency, 7ms);
  EXPECT_EQ(undo.udp_loss, 0.01);
  const auto& change = std::get<sim::SetLink>(e.faults.front().action).patch;
  ASSERT_TRUE(change.latency);
  EXPECT_GE(*change.latency, 7ms);
  EXPECT_LE(*change.latency, 27ms);
}

TEST(ChaosPlan, BadChaosSectionsAreRefusedWithTheKeyAndValue) {
  EXPECT_NE(error_of("duration: 10s\nchaos: {partition: {rate: fast, duration: 1s}}\n")
                .find("chaos.partition.rate: 'fast' is not a rate"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 10s\nchaos: {quiet: 1s}\n").find("no fault kind"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 10s\nchaos: {quiet: 10s, kill: {rate: 1/s}}\n")
                .find("chaos.quiet: '10s' leaves no time for faults"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 10s\nchaos: {crash: {rate: 1/s, duration: {min: 2s, max: 1s}}}\n")
                .find("chaos.crash.duration.max: '1s' is shorter than min"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 10s\nchaos: {hosts: [nobody], crash: {rate: 1/s, duration: 1s}}\n")
                .find("unknown host 'nobody'"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 100s\nchaos: {kill: {rate: 1000/s}}\n").find("at most 10000"),
            std::string::npos);
  EXPECT_NE(error_of("duration: 10s\nperturb: {order: maybe}\n")
                .find("perturb.order: 'maybe' is not true or false"),
            std::string::npos);
}

TEST(ScenarioWriter, WrittenTextLoadsBackToTheSameScenario) {
  auto spec = load(
      "seed: 9\nduration: 10s\nstart_time: 2030-05-17T08:00:00.25Z\n"
      "network:\n"
      "  default: {latency: 5ms, jitter: 1ms, udp: {loss: 0.1, reorder: 2%}}\n"
      "  links: [{from: client, to: server, tcp: {segment: {min: 1, max: 3}, rto: 300ms}}]\n"
      "faults:\n"
      "  - {at: 1s, partition: {from: client, to: server}}\n"
      "  - {at: 2s, heal: [client, server]}\n"
      "  - {at: 3s, set_link: {between: [client, server], udp: {loss: 33%}}}\n"
      "  - {at: 4s, kill: srv}\n"
      "perturb: {order: true, delay: 2ms}\n"
      "expect:\n"
      "  - {process: cli, exit: 0}\n"
      "  - not: {process: cli, stdout_contains: \"a \\\"quoted\\\" line\\n\"}\n"
      "  - {stat: udp.dropped, min: 1, max: 9}\n");
  std::string text = render_scenario_yaml(spec, "a comment");
  auto again = load_scenario_text(text, "y.yaml", testing::fake_apps());
  EXPECT_EQ(render_scenario_yaml(again, "a comment"), text);
  EXPECT_EQ(again.seed, 9u);
  EXPECT_EQ(again.start_time, spec.start_time);
  EXPECT_EQ(again.faults.size(), 4u);
  EXPECT_TRUE(again.perturb.order);
  EXPECT_EQ(again.perturb.max_delay, 2ms);
  ASSERT_EQ(again.expectations.size(), 3u);
  EXPECT_EQ(again.expectations[1].describe(), spec.expectations[1].describe());
  EXPECT_EQ(again.default_link.udp_loss, 0.1);
}

}  // namespace
}  // namespace simsock::scenario
