// The kit's exploring calls (sim/testing/exploring.hpp): chaos on a Sim, perturbation through its
// world, and shrinking a scenario file to a file that replays the failure.
#include <simsock/sim/testing/exploring.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>

namespace simsock {
namespace {

using namespace std::chrono_literals;

// Twenty UDP requests, one at a time; the client (timeout 0) waits forever for a lost reply.
void udp_exchange(test::Sim& sim) {
  sim.add_host("server");
  sim.add_host("client");
  sim.set_default_link("{latency: 50ms}");
  sim.start_app("srv", "server", "udp-ts-server");
  std::vector<std::pair<std::string, std::string>> args = {{"connect", "server:21567"},
                                                           {"timeout", "0"}};
  for (int i = 0; i < 20; ++i) args.push_back({"message", "m" + std::to_string(i)});
  sim.start_app("cli", "client", "udp-ts-client", args, "100ms");
}

TEST(KitExploring, ChaosPlansFromTheSeedAndSchedulesTheFaults) {
  int failed = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    test::Sim sim(seed);
    udp_exchange(sim);
    auto plan = test::add_chaos(
        sim, "{quiet: 2s, partition: {rate: 1/4s, duration: {min: 50ms, max: 500ms}}}", 10s);
    sim.run_for(10s);
    EXPECT_EQ(sim.trace("chaos").size(), plan.episodes.size()) << "seed " << seed;
    std::size_t partitions = 0;
    for (const auto& t : sim.trace("fault")) partitions += t.detail.starts_with("partition");
    EXPECT_EQ(partitions, plan.episodes.size()) << "seed " << seed;
    failed += sim.process("cli").state == sim::ProcessState::running;
    if (plan.episodes.empty()) {
      EXPECT_EQ(sim.process("cli").exit_code, 0) << "seed " << seed << test::describe(plan);
    }
  }
  EXPECT_GT(failed, 0) << "some partition caught a datagram in flight";
}

TEST(KitExploring, BadChaosIsRefusedWithTheLoadersMessage) {
  test::Sim sim(1);
  udp_exchange(sim);
  try {
    test::add_chaos(sim, "{kill: {rate: often}}", 10s);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("chaos.kill.rate: 'often' is not a rate"),
              std::string::npos)
        << e.what();
  }
}

TEST(KitExploring, ShrinkFileWritesAScenarioThatReplaysTheFailure) {
  auto dir =
      std::filesystem::temp_directory_path() / ("simsock-kit-shrink-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto out = (dir / "min.yaml").string();
  auto r = test::shrink_file(SIMSOCK_KIT_DATA "/../../../scenarios/chaos-udp-wait-forever.yaml",
                             out, 14);
  ASSERT_TRUE(r.failed);
  EXPECT_LE(r.spec.faults.size(), 2u);
  auto again = scenario::load_scenario_file(out);
  EXPECT_EQ(again.seed, 14u);
  EXPECT_FALSE(scenario::run_scenario(again, again.seed).passed);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace simsock
