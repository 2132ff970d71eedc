// Schedule perturbation over the scenario library: perturbation shuffles only what the model
// leaves unordered, so a TCP scenario that passes in FIFO order passes in every seeded order (a
// connection's segments, or a path's datagrams, never overtake each other at one instant).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>

namespace simsock::scenario {
namespace {

namespace fs = std::filesystem;

// Scenarios whose expectation rests on a race between two unrelated events at one instant,
// which perturbation is there to show: crash-restart crashes the server at the very instant the
// early client's request lands, so a perturbed order may serve the request before the crash.
const std::set<std::string> k_same_instant_races = {"crash-restart"};

bool uses_tcp(const ScenarioSpec& spec) {
  return std::any_of(spec.processes.begin(), spec.processes.end(),
                     [](const ProcessSpec& p) { return !p.app.starts_with("udp-"); });
}

TEST(ScenarioPerturb, EveryTcpScenarioPassesSeedsOneToTwentyUnderAPerturbedOrder) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(SIMSOCK_SOURCE_DIR "/scenarios")) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int checked = 0;
  for (const auto& file : files) {
    auto spec = load_scenario_file(file.string());
    if (!uses_tcp(spec) || k_same_instant_races.contains(file.stem().string())) continue;
    ++checked;
    auto perturbed = spec;
    perturbed.perturb.order = true;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const std::string where = file.filename().string() + " --seed " + std::to_string(seed);
      auto fifo = run_scenario(spec, seed);
      ASSERT_TRUE(fifo.passed) << where << ": " << fifo.first_failure();
      auto r = run_scenario(perturbed, seed);
      EXPECT_TRUE(r.passed) << where << " --perturb: " << r.first_failure();
      // A run that needs no retransmission in FIFO order needs none in any order.
      if (fifo.stats.at("tcp.retransmits") == 0) {
        EXPECT_EQ(r.stats.at("tcp.retransmits"), 0u) << where << " --perturb";
      }
    }
  }
  EXPECT_GE(checked, 8) << "the TCP scenarios of scenarios/";
}

}  // namespace
}  // namespace simsock::scenario
