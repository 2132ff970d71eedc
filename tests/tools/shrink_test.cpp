// Shrinking (tools/scenario/shrink.hpp, `simsock shrink`) and sweeps that triage
// (`simsock sweep`'s failure groups): the shrunk scenario fails the same way, is minimal for a
// constructed case, is the same on every run, and replays by itself with `simsock run`.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/shrink.hpp>
#include <simsock/tools/scenario/writer.hpp>

namespace simsock::scenario {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The seed's UDP client (waits forever) asks for five replies over a 50 ms link; one partition
// at 250 ms loses a request or reply in flight, and the client never exits. Every other fault
// happens after the exchange would have finished, or between hosts the exchange does not use.
constexpr const char* kConstructed = R"(name: constructed
seed: 3
duration: 10s
hosts:
  - {name: server, address: 10.0.0.1}
  - {name: client, address: 10.0.0.2}
  - {name: idle, address: 10.0.0.3}
network:
  default: {latency: 50ms, jitter: 1ms}
processes:
  - {name: srv, host: server, app: udp-ts-server}
  - name: cli
    host: client
    app: udp-ts-client
    start: 100ms
    args: {connect: "server:21567", timeout: 0, message: [a, b, c, d, e]}
faults:
  - {at: 250ms, partition: [client, server]}
  - {at: 400ms, heal: [client, server]}
  - {at: 1s, crash: idle}
  - {at: 2s, restart: idle}
  - {at: 3s, set_link: {between: [idle, server], udp: {loss: 50%}}}
  - {at: 5s, clog: [idle, client]}
  - {at: 6s, release: [idle, client]}
expect:
  - {process: cli, exit: 0}
)";

ScenarioSpec constructed() {
  return load_scenario_text(kConstructed, "constructed.yaml");
}

TEST(Shrink, ConstructedCaseShrinksToTheOnePartitionThatMatters) {
  auto spec = constructed();
  ASSERT_FALSE(run_scenario(spec, 3).passed);
  auto r = shrink_scenario(spec, 3);
  ASSERT_TRUE(r.failed);
  EXPECT_FALSE(r.budget_exhausted);
  EXPECT_EQ(r.key.expectation, "cli exit 0");
  // The partition keeps its heal: shrinking never turns a short fault into a permanent one.
  ASSERT_EQ(r.spec.faults.size(), 2u) << render_scenario_yaml(r.spec);
  ASSERT_TRUE(std::holds_alternative<sim::Partition>(r.spec.faults[0].action))
      << render_scenario_yaml(r.spec);
  ASSERT_TRUE(std::holds_alternative<sim::Heal>(r.spec.faults[1].action))
      << render_scenario_yaml(r.spec);
  EXPECT_EQ(std::get<sim::Heal>(r.spec.faults[1].action).pair.a,
            std::get<sim::Partition>(r.spec.faults[0].action).pair.a);
  EXPECT_LT(r.spec.faults[0].at, r.spec.faults[1].at);
  // Shortened, not lengthened: the heal moved toward the partition (150 ms at first).
  EXPECT_LE(r.spec.faults[1].at - r.spec.faults[0].at, 150ms) << render_scenario_yaml(r.spec);
  EXPECT_FALSE(run_scenario(r.spec, 3).passed);
  // Minimal: without its partition and heal it passes.
  auto without = r.spec;
  without.faults.clear();
  EXPECT_TRUE(run_scenario(without, 3).passed);
  // The other reductions: jitter lowered, messages dropped to one, the run cut short.
  EXPECT_EQ(r.spec.default_link.jitter, 0ns);
  EXPECT_EQ(r.spec.processes[1].options.all("message").size(), 1u);
  EXPECT_LT(r.spec.duration, 10s);
  EXPECT_FALSE(r.steps.empty());
}

TEST(Shrink, TheShrunkFileLoadsAndFailsTheSameWay) {
  auto r = shrink_scenario(constructed(), 3);
  ASSERT_TRUE(r.failed);
  auto again = load_scenario_text(render_scenario_yaml(r.spec), "again.yaml");
  EXPECT_EQ(again.seed, 3u);
  auto run = run_scenario(again, again.seed);
  ASSERT_FALSE(run.passed);
  EXPECT_EQ(failure_key(again, run), r.key);
}

TEST(Shrink, IsDeterministic) {
  auto a = shrink_scenario(constructed(), 3);
  auto b = shrink_scenario(constructed(), 3);
  EXPECT_EQ(render_scenario_yaml(a.spec), render_scenario_yaml(b.spec));
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.runs, b.runs);
}

TEST(Shrink, APassingRunHasNothingToShrink) {
  auto spec = constructed();
  spec.faults.clear();
  auto r = shrink_scenario(spec, 3);
  EXPECT_FALSE(r.failed);
  EXPECT_TRUE(r.steps.empty());
}

TEST(Shrink, StopsOnItsRunBudgetWithAFailingScenario) {
  ShrinkOptions o;
  o.max_runs = 3;
  auto r = shrink_scenario(constructed(), 3, o);
  ASSERT_TRUE(r.failed);
  EXPECT_TRUE(r.budget_exhausted);
  EXPECT_LE(r.runs, 3u);
  EXPECT_FALSE(run_scenario(r.spec, 3).passed);
}

// A failure that only schedule perturbation causes: completions delayed by up to a second
// shift the timestamps of the replies, so the exact stdout differs. Dropping a message changes
// stdout too, and would fail the same expectation in FIFO order as well: a different failure.
constexpr const char* kPerturbed = R"(name: perturbed
seed: 1
duration: 20s
start_time: 2030-05-17T08:00:00Z
hosts:
  - {name: server, address: 10.0.0.1}
  - {name: client, address: 10.0.0.2}
network:
  default: {latency: 150ms}
processes:
  - {name: srv, host: server, app: line-ts-server, args: {listen: "0.0.0.0:21568"}}
  - name: cli
    host: client
    app: line-ts-client
    start: 100ms
    args: {connect: "server:21568", message: ["hello world", "second line", "third line"]}
perturb: {order: true, delay: 1s}
expect:
  - {process: cli, stdout: "[2030-05-17 08:00:00] hello world\n[2030-05-17 08:00:01] second line\n[2030-05-17 08:00:01] third line\n"}
)";

TEST(Shrink, APerturbationFailureKeepsWhatTheUnperturbedRunNeedsToPass) {
  auto spec = load_scenario_text(kPerturbed, "perturbed.yaml");
  auto fifo = spec;
  fifo.perturb = {};
  ASSERT_TRUE(run_scenario(fifo, 1).passed) << "in FIFO order it passes";
  ASSERT_FALSE(run_scenario(spec, 1).passed) << "perturbed, it fails";
  auto r = shrink_scenario(spec, 1);
  ASSERT_TRUE(r.failed);
  EXPECT_TRUE(r.spec.perturb.enabled()) << render_scenario_yaml(r.spec);
  EXPECT_EQ(r.spec.processes[1].options.all("message").size(), 3u) << render_scenario_yaml(r.spec);
  EXPECT_FALSE(run_scenario(r.spec, 1).passed);
  // Still the perturbation's doing: without it the shrunk file passes.
  auto unperturbed = r.spec;
  unperturbed.perturb = {};
  auto calm = run_scenario(unperturbed, 1);
  EXPECT_TRUE(calm.passed) << calm.first_failure() << "\n" << render_scenario_yaml(r.spec);
}

TEST(Shrink, APerturbationTheFailureDoesNotNeedIsTurnedOff) {
  auto spec = constructed();
  spec.perturb.order = true;
  ASSERT_FALSE(run_scenario(spec, 3).passed);
  auto r = shrink_scenario(spec, 3);
  ASSERT_TRUE(r.failed);
  EXPECT_FALSE(r.spec.perturb.enabled()) << render_scenario_yaml(r.spec);
  EXPECT_NE(std::find(r.steps.begin(), r.steps.end(),
                      "turned schedule perturbation off: the run fails without it"),
            r.steps.end());
  EXPECT_FALSE(run_scenario(r.spec, 3).passed);
}

const std::string k_chaos_file = SIMSOCK_SOURCE_DIR "/scenarios/chaos-udp-wait-forever.yaml";

// ---- the commands, end to end

struct Outcome {
  int status = -1;
  std::string out;
};

class ShrinkCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("simsock-shrink-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Outcome simsock(const std::string& args) {
    std::string cmd = "'" SIMSOCK_BIN "' " + args + " >'" + (dir_ / "out").string() + "' 2>&1";
    int raw = std::system(cmd.c_str());
    Outcome o;
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream in(dir_ / "out");
    std::ostringstream s;
    s << in.rdbuf();
    o.out = s.str();
    return o;
  }
  fs::path dir_;
};

TEST_F(ShrinkCli, ShrinkWritesAFileThatFailsOnRunAndPrintsTheReplayLine) {
  fs::path in = dir_ / "constructed.yaml";
  std::ofstream(in) << kConstructed;
  auto o = simsock("shrink '" + in.string() + "'");
  ASSERT_EQ(o.status, 0) << o.out;
  fs::path out = dir_ / "constructed.min.yaml";
  ASSERT_TRUE(fs::exists(out)) << o.out;
  EXPECT_NE(o.out.find("removed fault {at: 1s, crash: idle}"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("replay: simsock run " + out.string() + " --seed 3"), std::string::npos)
      << o.out;
  EXPECT_EQ(simsock("run '" + out.string() + "' --quiet").status, 1);
}

TEST_F(ShrinkCli, ShrinkOfAPassingSeedExitsOne) {
  auto o = simsock("shrink '" + k_chaos_file + "' --out '" + (dir_ / "x.yaml").string() + "'");
  EXPECT_EQ(o.status, 1) << o.out;
  EXPECT_NE(o.out.find("no failure to shrink"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(dir_ / "x.yaml"));
}

TEST_F(ShrinkCli, ShrinkRefusesABadBudget) {
  auto o = simsock("shrink '" + k_chaos_file + "' --budget soon");
  EXPECT_EQ(o.status, 2) << o.out;
  EXPECT_NE(o.out.find("--budget: 'soon'"), std::string::npos) << o.out;
}

TEST_F(ShrinkCli, SweepGroupsFailuresWithCountLowestSeedAndReplay) {
  auto o = simsock("sweep '" + k_chaos_file + "' --seeds 1..200 --jobs 2 --json");
  ASSERT_EQ(o.status, 1) << o.out;
  auto j = nlohmann::json::parse(o.out.substr(o.out.find('{')));
  ASSERT_FALSE(j["groups"].empty());
  std::uint64_t total = 0;
  for (const auto& g : j["groups"]) {
    total += g["count"].get<std::uint64_t>();
    auto lowest = g["lowest_seed"].get<std::uint64_t>();
    EXPECT_NE(g["replay"].get<std::string>().find("--seed " + std::to_string(lowest)),
              std::string::npos);
  }
  EXPECT_EQ(total, j["failed_count"].get<std::uint64_t>());
  // The lowest seed of the first group is the lowest failing seed.
  EXPECT_EQ(j["groups"][0]["lowest_seed"], j["failed"][0]["seed"]);
}

// Two clients that wait forever, on two hosts, under random partitions: a seed fails with
// whichever client a partition caught first, so a sweep finds two groups of failures.
constexpr const char* kTwoClients = R"(name: two-clients
seed: 1
duration: 10s
hosts:
  - {name: server, address: 10.0.0.1}
  - {name: c1, address: 10.0.0.2}
  - {name: c2, address: 10.0.0.3}
network:
  default: {latency: 50ms}
processes:
  - {name: srv, host: server, app: udp-ts-server}
  - name: cli1
    host: c1
    app: udp-ts-client
    start: 100ms
    args: {connect: "server:21567", timeout: 0, message: [m1, m2, m3, m4, m5, m6, m7, m8]}
  - name: cli2
    host: c2
    app: udp-ts-client
    start: 100ms
    args: {connect: "server:21567", timeout: 0, message: [m1, m2, m3, m4, m5, m6, m7, m8]}
chaos:
  quiet: 2s
  partition: {rate: 1/4s, duration: {min: 50ms, max: 500ms}}
expect:
  - {process: cli1, exit: 0}
  - {process: cli2, exit: 0}
)";

TEST_F(ShrinkCli, SweepShrinkWritesOneFilePerGroup) {
  fs::path file = dir_ / "two.yaml";
  std::ofstream(file) << kTwoClients;
  auto o = simsock("sweep '" + file.string() + "' --seeds 1..40 --jobs 2 --json --shrink");
  ASSERT_EQ(o.status, 1) << o.out;
  // The JSON line (standard output), among the shrinks' lines (standard error).
  std::size_t line = o.out.starts_with("{") ? 0 : o.out.find("\n{");
  ASSERT_NE(line, std::string::npos) << o.out;
  if (line != 0) ++line;
  auto j = nlohmann::json::parse(o.out.substr(line, o.out.find('\n', line) - line));
  ASSERT_GE(j["groups"].size(), 2u) << o.out;
  std::set<std::string> expected;
  for (const auto& g : j["groups"]) {
    expected.insert("two.seed-" + std::to_string(g["lowest_seed"].get<std::uint64_t>()) +
                    ".min.yaml");
  }
  ASSERT_EQ(expected.size(), j["groups"].size()) << "each group has its own lowest seed";
  std::set<std::string> written;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().string().ends_with(".min.yaml")) written.insert(e.path().filename().string());
  }
  EXPECT_EQ(written, expected) << o.out;
  for (const auto& name : written) {
    EXPECT_NE(o.out.find("replay: simsock run " + (dir_ / name).string()), std::string::npos)
        << name << "\n"
        << o.out;
    EXPECT_EQ(simsock("run '" + (dir_ / name).string() + "' --quiet").status, 1) << name;
  }
}

TEST_F(ShrinkCli, PerturbFlagIsReproducibleAndChangesTheOrder) {
  std::string file = SIMSOCK_SOURCE_DIR "/scenarios/many-clients.yaml";
  auto digest = [&](const std::string& extra) {
    auto o = simsock("run '" + file + "' --json " + extra);
    auto j = nlohmann::json::parse(o.out.substr(o.out.rfind("\n{") + 1));
    return j["trace_digest"].get<std::string>();
  };
  EXPECT_EQ(digest("--perturb"), digest("--perturb"));
  EXPECT_NE(digest("--perturb"), digest(""));
}

}  // namespace
}  // namespace simsock::scenario
