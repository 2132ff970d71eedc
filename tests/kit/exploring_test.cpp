// The kit's exploring calls (sim/testing/exploring.hpp): chaos on a Sim, perturbation through its
// world, and shrinking a scenario file to a file that replays the failure.
#include <simsock/sim/testing/exploring.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

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

// A user's app, declared in the test: it always exits 1, so every run of a file naming it fails.
apps::AppSpec always_fails_app() {
  return {.name = "kit-always-fails",
          .summary = "exits 1",
          .options = {},
          .main = [](apps::AppContext&) -> boost::asio::awaitable<int> { co_return 1; }};
}

TEST(KitExploring, ShrinkFileLoadsAndWritesScenariosNamingTheUsersApps) {
  auto dir = std::filesystem::temp_directory_path() /
             ("simsock-kit-shrink-own-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto in = (dir / "own.yaml").string(), out = (dir / "own.min.yaml").string();
  std::ofstream(in) << "name: own\nseed: 3\nduration: 5s\n"
                       "hosts: [{name: a, address: 10.0.0.1}, {name: b, address: 10.0.0.2}]\n"
                       "processes: [{name: p, host: a, app: kit-always-fails, start: 1s}]\n"
                       "faults:\n  - {at: 2s, partition: [a, b]}\n  - {at: 3s, heal: [a, b]}\n"
                       "expect: [{process: p, exit: 0}]\n";
  const auto catalog = apps::with_builtin_apps({always_fails_app()});
  auto r = test::shrink_file(in, out, std::nullopt, 30s, catalog);
  ASSERT_TRUE(r.failed);
  EXPECT_TRUE(r.spec.faults.empty()) << "the faults play no part in the failure";
  auto again = scenario::load_scenario_file(out, catalog);
  EXPECT_EQ(again.seed, 3u);
  ASSERT_EQ(again.processes.size(), 1u);
  EXPECT_FALSE(scenario::run_scenario(again, again.seed).passed);
  EXPECT_THROW(scenario::load_scenario_file(out), scenario::ScenarioError)
      << "the shrunk file names the user's app, which only the user's catalog has";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace simsock
