// Chaos over the scenario library (scenarios/chaos-udp-*.yaml) and the pairing of faults with
// their undos (tools/scenario/fault_pairs.hpp): a sweep finds the seeds a random partition
// breaks, shrinking one leaves a short partition and its heal that the retrying client
// survives, and the same seed gives the same plan.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <simsock/tools/scenario/fault_pairs.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/shrink.hpp>
#include <simsock/tools/scenario/writer.hpp>

namespace simsock::scenario {
namespace {

const std::string k_chaos_file = SIMSOCK_SOURCE_DIR "/scenarios/chaos-udp-wait-forever.yaml";

// The done-when of chaos: a sweep over 1..500 finds seeds that fail only because of a random
// partition, and shrinking one gives at most two faults that fail on their own and pass without.
TEST(ChaosScenario, SweepFindsPartitionFailuresAndShrinkLeavesAtMostTwoFaults) {
  auto spec = load_scenario_file(k_chaos_file);
  ASSERT_TRUE(run_scenario(spec, spec.seed).passed) << "the file's own seed passes";
  auto no_chaos = spec;
  no_chaos.chaos.reset();
  ASSERT_TRUE(run_scenario(no_chaos, 1).passed) << "no hand-written fault: it passes";
  std::vector<std::uint64_t> failing;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    if (!run_scenario(spec, seed).passed) failing.push_back(seed);
  }
  ASSERT_FALSE(failing.empty());
  auto r = shrink_scenario(spec, failing.front());
  ASSERT_TRUE(r.failed);
  EXPECT_LE(r.spec.faults.size(), 2u) << render_scenario_yaml(r.spec);
  EXPECT_FALSE(r.spec.chaos);
  EXPECT_FALSE(run_scenario(r.spec, failing.front()).passed);
  auto without = r.spec;
  without.faults.clear();
  EXPECT_TRUE(run_scenario(without, failing.front()).passed);
}

// Shrinking removes a fault with its undo and shortens it by moving the undo earlier, so what
// is left is a short fault the seed's client cannot survive, not a permanent one that no client
// survives: the retrying client of chaos-udp-retries.yaml passes under the shrunk faults.
TEST(ChaosScenario, ShrunkSeedsKeepEveryUndoAndTheRetryingClientSurvivesTheirFaults) {
  auto spec = load_scenario_file(k_chaos_file);
  auto retrying = load_scenario_file(SIMSOCK_SOURCE_DIR "/scenarios/chaos-udp-retries.yaml");
  retrying.chaos.reset();
  int shrunk = 0;
  for (std::uint64_t seed = 1; seed <= 500 && shrunk < 4; ++seed) {
    if (run_scenario(spec, seed).passed) continue;
    ++shrunk;
    auto r = shrink_scenario(spec, seed);
    ASSERT_TRUE(r.failed) << "seed " << seed;
    const std::string file = render_scenario_yaml(r.spec);
    for (const auto& u : fault_units(r.spec.faults)) {
      const auto& action = r.spec.faults[u.fault].action;
      bool needs_undo = std::holds_alternative<sim::Partition>(action) ||
                        std::holds_alternative<sim::Clog>(action) ||
                        std::holds_alternative<sim::Crash>(action);
      EXPECT_TRUE(!needs_undo || u.undo) << "seed " << seed << ": a fault lost its undo\n" << file;
      EXPECT_FALSE(is_undo(r.spec.faults[u.fault])) << "seed " << seed << ": an undo alone\n"
                                                    << file;
    }
    auto fixed = retrying;
    fixed.faults = r.spec.faults;
    auto run = run_scenario(fixed, seed);
    EXPECT_TRUE(run.passed) << "seed " << seed << ": " << run.first_failure() << "\n" << file;
  }
  EXPECT_EQ(shrunk, 4);
}

TEST(FaultUnits, EachUndoPairsWithTheLatestEarlierFaultItUndoes) {
  auto spec = load_scenario_text(R"(name: pairs
duration: 20s
hosts:
  - {name: a, address: 10.0.0.1}
  - {name: b, address: 10.0.0.2}
  - {name: c, address: 10.0.0.3}
processes:
  - {name: srv, host: a, app: udp-ts-server}
faults:
  - {at: 1s, partition: [a, b]}
  - {at: 2s, clog: {from: a, to: c}}
  - {at: 3s, partition: [a, c]}
  - {at: 4s, heal: [b, a]}
  - {at: 5s, release: [a, c]}
  - {at: 6s, crash: c}
  - {at: 7s, set_link: {between: [a, b], udp: {loss: 50%}}}
  - {at: 8s, restart: c}
  - {at: 9s, heal: [a, b]}
  - {at: 10s, set_link: {between: [a, b], udp: {loss: 0}}}
  - {at: 11s, kill: srv}
)",
                                 "pairs.yaml");
  auto units = fault_units(spec.faults);
  std::vector<std::pair<std::size_t, std::optional<std::size_t>>> got;
  for (const auto& u : units) got.emplace_back(u.fault, u.undo);
  // The two-way heal of [b, a] ends the partition of [a, b]; the two-way release of [a, c] ends
  // the one-way clog a -> c; nothing is left for the second heal; the loss goes back at 10s.
  EXPECT_EQ(got,
            (std::vector<std::pair<std::size_t, std::optional<std::size_t>>>{{0, 3},
                                                                             {1, 4},
                                                                             {2, std::nullopt},
                                                                             {5, 7},
                                                                             {6, 9},
                                                                             {8, std::nullopt},
                                                                             {10, std::nullopt}}));
}

TEST(ChaosScenario, TheRetryingClientSurvivesEverySeed) {
  auto spec = load_scenario_file(SIMSOCK_SOURCE_DIR "/scenarios/chaos-udp-retries.yaml");
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    auto r = run_scenario(spec, seed);
    ASSERT_TRUE(r.passed) << "seed " << seed << ": " << r.first_failure();
  }
}

TEST(ChaosScenario, TheSameSeedGivesTheSamePlanAndDigestAndThePlanIsReported) {
  auto spec = load_scenario_file(k_chaos_file);
  auto a = run_scenario(spec, 17), b = run_scenario(spec, 17), c = run_scenario(spec, 18);
  EXPECT_EQ(a.trace_digest, b.trace_digest);
  EXPECT_NE(a.trace_digest, c.trace_digest);
  ASSERT_TRUE(a.chaos);
  auto j = nlohmann::json::parse(render_json(a));
  ASSERT_TRUE(j.contains("chaos"));
  EXPECT_EQ(j["chaos"]["faults"].size(), a.chaos->episodes.size());
  EXPECT_NE(render_human(a).find("chaos plan: "), std::string::npos);
}

}  // namespace
}  // namespace simsock::scenario
