// The simsock run / sweep commands as users call them: the built binary in a child process.
// Exit statuses, the JSON report, determinism of the digest and the trace, sweep/run agreement
// and sharding.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class SimsockCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("simsock-cli-" + std::to_string(::getpid()) + "-" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `simsock ARGS` (ARGS is shell text) with `env` prepended, capturing both streams.
  Outcome simsock(const std::string& args, const std::string& env = "") {
    std::string cmd = env + " '" SIMSOCK_BIN "' " + args + " >'" + (dir_ / "out").string() +
                      "' 2>'" + (dir_ / "err").string() + "'";
    int raw = std::system(cmd.c_str());
    Outcome o;
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    o.out = slurp(dir_ / "out");
    o.err = slurp(dir_ / "err");
    return o;
  }
  static std::string scenario(const std::string& name) {
    return "'" SIMSOCK_SOURCE_DIR "/scenarios/" + name + "'";
  }
  static std::string flaky() { return "'" SIMSOCK_SOURCE_DIR "/tests/tools/data/flaky.yaml'"; }

  fs::path dir_;
};

TEST_F(SimsockCli, RunJsonPrintsOneObjectWithTheContractFields) {
  auto o = simsock("run " + scenario("tcp-fragmented.yaml") + " --json");
  ASSERT_EQ(o.status, 0) << o.err;
  auto j = nlohmann::json::parse(o.out);  // exactly one JSON value (parse rejects trailing text)
  EXPECT_EQ(j["scenario"], "tcp-fragmented");
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["passed"], true);
  EXPECT_EQ(j["virtual_time_ns"], 10'000'000'000LL);
  EXPECT_GT(j["events"].get<std::int64_t>(), 0);
  EXPECT_EQ(j["trace_digest"].get<std::string>().size(), 16u);
  for (const char* k :
       {"udp.sent", "udp.delivered", "udp.dropped", "udp.duplicated", "udp.truncated",
        "tcp.connections", "tcp.segments", "tcp.retransmits", "tcp.bytes", "tcp.resets"}) {
    EXPECT_TRUE(j["stats"].contains(k)) << k;
  }
  ASSERT_EQ(j["processes"].size(), 4u);
  EXPECT_EQ(j["processes"][2]["name"], "cli");
  EXPECT_EQ(j["processes"][2]["host"], "client");
  EXPECT_EQ(j["processes"][2]["app"], "tcp-ts-client");
  EXPECT_EQ(j["processes"][2]["state"], "exited");
  EXPECT_EQ(j["processes"][2]["exit_code"], 0);
  ASSERT_GE(j["expectations"].size(), 1u);
  EXPECT_EQ(j["expectations"][0]["what"], "cli exit 0");
  EXPECT_EQ(j["expectations"][0]["passed"], true);
  EXPECT_EQ(j["expectations"][0]["detail"], "");
  // The human report went to stderr.
  EXPECT_NE(o.err.find("replay: simsock run"), std::string::npos) << o.err;
}

TEST_F(SimsockCli, SameFileAndSeedGiveTheSameDigestAndByteIdenticalTrace) {
  auto t1 = (dir_ / "t1.jsonl").string(), t2 = (dir_ / "t2.jsonl").string();
  auto a = simsock("run " + scenario("udp-loss.yaml") + " --json --trace '" + t1 + "'");
  auto b = simsock("run " + scenario("udp-loss.yaml") + " --json --trace '" + t2 + "'");
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(ja["trace_digest"], jb["trace_digest"]);
  std::string ta = slurp(t1), tb = slurp(t2);
  EXPECT_GT(ta.size(), 1000u);
  EXPECT_EQ(ta, tb);
  // Every trace line is a JSON object with t and ev, in virtual-time order.
  std::istringstream lines(ta);
  std::string line;
  std::int64_t last_t = 0;
  std::set<std::string> kinds;
  while (std::getline(lines, line)) {
    auto ev = nlohmann::json::parse(line);
    EXPECT_GE(ev["t"].get<std::int64_t>(), last_t);
    last_t = ev["t"];
    kinds.insert(ev["ev"].get<std::string>());
  }
  EXPECT_TRUE(kinds.count("udp.send"));
  EXPECT_TRUE(kinds.count("udp.drop"));
  // Without --trace the digest is the same; another seed gives another digest.
  auto c = simsock("run " + scenario("udp-loss.yaml") + " --json");
  EXPECT_EQ(nlohmann::json::parse(c.out)["trace_digest"], ja["trace_digest"]);
  auto d = simsock("run " + scenario("udp-loss.yaml") + " --json --seed 2");
  EXPECT_NE(nlohmann::json::parse(d.out)["trace_digest"], ja["trace_digest"]);
}

TEST_F(SimsockCli, PcapFileIsWritten) {
  auto p = (dir_ / "out.pcap").string();
  auto o = simsock("run " + scenario("tcp-fragmented.yaml") + " --quiet --pcap '" + p + "'");
  ASSERT_EQ(o.status, 0) << o.err;
  std::string bytes = slurp(p);
  ASSERT_GT(bytes.size(), 24u + 16u * 10);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x4d\x3c\xb2\xa1", 4));  // nanosecond pcap, LE
}

TEST_F(SimsockCli, QuietPrintsOnlyTheVerdictLine) {
  auto o = simsock("run " + scenario("tcp-fragmented.yaml") + " --quiet");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "PASS tcp-fragmented seed 7 (7 expectations held)\n");
  EXPECT_EQ(o.err, "");
}

TEST_F(SimsockCli, BadScenarioIsExitTwoWithOneLocatedMessage) {
  std::ofstream(dir_ / "bad.yaml") << "name: bad\nduration: 1s\nhosts:\n"
                                   << "  - {name: a, address: 10.0.0.1}\n"
                                   << "network:\n  default: {udp: {loss: 120%}}\n";
  auto o = simsock("run '" + (dir_ / "bad.yaml").string() + "'");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, (dir_ / "bad.yaml").string() +
                       ":6:25: error: network.default.udp.loss: '120%' is not a probability "
                       "(0..1 or 0%..100%)\n");
  o = simsock("sweep '" + (dir_ / "bad.yaml").string() + "' --seeds 1..3");
  EXPECT_EQ(o.status, 2);
}

TEST_F(SimsockCli, BadArgumentsAreExitTwo) {
  const std::string s = scenario("tcp-fragmented.yaml");
  for (const std::string& args :
       {std::string("run"), "run " + s + " --seed abc", "run " + s + " --seed -1",
        "run " + s + " --bogus", "run " + s + " extra.yaml", "run " + s + " --trace",
        "run " + s + " --trace /nonexistent-dir/t.jsonl", "sweep " + s,
        "sweep " + s + " --seeds 5..1", "sweep " + s + " --seeds 1..5 --jobs 0",
        "sweep " + s + " --seeds 1..5 --shard 3/3", "sweep " + s + " --seeds x"}) {
    auto o = simsock(args);
    EXPECT_EQ(o.status, 2) << args << "\n" << o.err;
    EXPECT_NE(o.err, "") << args;
  }
  auto o = simsock("sweep " + s + " --seeds 1..2", "GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=5");
  EXPECT_EQ(o.status, 2) << o.err;
}

TEST_F(SimsockCli, SweepAndRunAgreeOnWhichSeedsFail) {
  auto o = simsock("sweep " + flaky() + " --seeds 1..24 --jobs 3 --json");
  ASSERT_TRUE(o.status == 0 || o.status == 1) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["scenario"], "flaky");
  EXPECT_EQ(j["seeds_run"], 24);
  std::set<std::uint64_t> swept;
  for (const auto& f : j["failed"]) {
    swept.insert(f["seed"].get<std::uint64_t>());
    EXPECT_NE(f["detail"].get<std::string>().find("cli exit 0"), std::string::npos);
  }
  EXPECT_EQ(o.status, swept.empty() ? 0 : 1);
  ASSERT_FALSE(swept.empty()) << "flaky.yaml should fail on some seed in 1..24";
  ASSERT_LT(swept.size(), 24u) << "flaky.yaml should pass on some seed in 1..24";
  std::set<std::uint64_t> by_run;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    auto r = simsock("run " + flaky() + " --quiet --seed " + std::to_string(seed));
    ASSERT_TRUE(r.status == 0 || r.status == 1) << r.err;
    if (r.status == 1) by_run.insert(seed);
  }
  EXPECT_EQ(swept, by_run);
  // The human form lists the same seeds with a replay command each.
  auto h = simsock("sweep " + flaky() + " --seeds 1..24 --jobs 2");
  for (auto seed : swept) {
    EXPECT_NE(h.out.find("seed " + std::to_string(seed) + ": cli exit 0"), std::string::npos)
        << h.out;
    EXPECT_NE(h.out.find("--seed " + std::to_string(seed) + "\n"), std::string::npos);
  }
}

TEST_F(SimsockCli, ShardsRunEverySeedExactlyOnce) {
  auto all = nlohmann::json::parse(simsock("sweep " + flaky() + " --seeds 1..24 --json").out);
  std::multiset<std::uint64_t> failed;
  std::uint64_t run = 0;
  for (int i = 0; i < 3; ++i) {
    auto j = nlohmann::json::parse(
        simsock("sweep " + flaky() + " --seeds 1..24 --json --shard " + std::to_string(i) + "/3")
            .out);
    run += j["seeds_run"].get<std::uint64_t>();
    for (const auto& f : j["failed"]) {
      auto seed = f["seed"].get<std::uint64_t>();
      EXPECT_EQ((seed - 1) % 3, static_cast<std::uint64_t>(i));
      failed.insert(seed);
    }
  }
  EXPECT_EQ(run, 24u);
  std::multiset<std::uint64_t> expected;
  for (const auto& f : all["failed"]) expected.insert(f["seed"].get<std::uint64_t>());
  EXPECT_EQ(failed, expected);
  // GoogleTest's sharding variables select the same shard, and the status file is touched.
  auto status_file = (dir_ / "shard-status").string();
  auto env = simsock(
      "sweep " + flaky() + " --seeds 1..24 --json",
      "GTEST_TOTAL_SHARDS=3 GTEST_SHARD_INDEX=1 GTEST_SHARD_STATUS_FILE='" + status_file + "'");
  auto flag = simsock("sweep " + flaky() + " --seeds 1..24 --json --shard 1/3");
  EXPECT_EQ(env.out, flag.out);
  EXPECT_EQ(nlohmann::json::parse(env.out)["seeds_run"], 8);
  EXPECT_TRUE(fs::exists(status_file));
}

}  // namespace
