// The simsock command line as users call it: the built binary in a child process. Exit
// statuses, the JSON report, determinism of the digest and the trace, sweep/run agreement and
// sharding, the seed grammar, help and error formats, output errors, JUnit, colour, signals.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <new>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include <simsock/tools/commands.hpp>

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
  // Runs shell text `cmd` (with "SIMSOCK" replaced by the binary) as it is.
  Outcome shell(const std::string& cmd) {
    std::string text = cmd;
    for (auto at = text.find("SIMSOCK"); at != std::string::npos; at = text.find("SIMSOCK"))
      text.replace(at, 7, "'" SIMSOCK_BIN "'");
    text += " 2>'" + (dir_ / "err").string() + "'";
    int raw = std::system(text.c_str());
    Outcome o;
    o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    o.err = slurp(dir_ / "err");
    return o;
  }
  // Parses a JUnit file with python3's xml.etree (what CI tools' parsers accept) and returns
  // "SUITE tests=N failures=F cases=C failed=K" plus one "FAILURE message" line per failure.
  std::string parse_junit(const fs::path& file) {
    const auto script = dir_ / "junit.py";
    std::ofstream(script)
        << "import sys, xml.etree.ElementTree as ET\n"
           "root = ET.parse(sys.argv[1]).getroot()\n"
           "assert root.tag == 'testsuites'\n"
           "for s in root.findall('testsuite'):\n"
           "  cases = s.findall('testcase')\n"
           "  fails = [c.find('failure') for c in cases if c.find('failure') is not None]\n"
           "  print(s.get('name'), 'tests=' + s.get('tests'), 'failures=' + s.get('failures'),"
           " 'cases=%d' % len(cases), 'failed=%d' % len(fails))\n"
           "  for f in fails: print('FAILURE', f.get('message'))\n";
    auto o = shell("python3 '" + script.string() + "' '" + file.string() + "' >'" +
                   (dir_ / "junit.out").string() + "'");
    EXPECT_EQ(o.status, 0) << o.err;
    return slurp(dir_ / "junit.out");
  }

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

TEST_F(SimsockCli, PcapWritesPcapngWhateverTheFileIsCalled) {
  auto p = (dir_ / "out.pcap").string();
  auto o = simsock("run " + scenario("tcp-fragmented.yaml") + " --quiet --pcap '" + p + "'");
  ASSERT_EQ(o.status, 0) << o.err;
  std::string bytes = slurp(p);
  ASSERT_GT(bytes.size(), 28u + 32u * 10);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));  // pcapng section header
  auto same = (dir_ / "same.pcapng").string();
  ASSERT_EQ(
      simsock("run " + scenario("tcp-fragmented.yaml") + " -q --pcapng '" + same + "'").status, 0);
  EXPECT_EQ(slurp(same), bytes);
  auto both = simsock("run " + scenario("tcp-fragmented.yaml") + " -q --pcap '" + p +
                      "' --pcapng '" + same + "'");
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("give one of them"), std::string::npos) << both.err;
}

TEST_F(SimsockCli, PcapClassicWritesLibpcapsFormat) {
  auto p = (dir_ / "out.pcap").string();
  auto o =
      simsock("run " + scenario("tcp-fragmented.yaml") + " --quiet --pcap-classic '" + p + "'");
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
        "run " + s + " --bogus", "run " + s + " extra.yaml", "run " + s + " --trace", "sweep " + s,
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

TEST_F(SimsockCli, HelpWithACommandPrintsThatCommandsUsage) {
  auto o = simsock("help run");
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.out.find("Usage: simsock run"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("--trace FILE"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("--seeds"), std::string::npos) << o.out;
  auto app = simsock("help app udp-ts-client");
  ASSERT_EQ(app.status, 0) << app.err;
  EXPECT_NE(app.out.find("Usage: simsock app udp-ts-client"), std::string::npos) << app.out;
  EXPECT_NE(app.out.find("--timeout DURATION"), std::string::npos) << app.out;
  EXPECT_EQ(simsock("help no-such-command").status, 2);
}

TEST_F(SimsockCli, EveryCommandTakesHelpAndItsUsageLineNamesSimsock) {
  for (std::string cmd : {"run", "sweep", "app", "apps", "app tcp-ts-server"}) {
    auto o = simsock(cmd + " --help");
    EXPECT_EQ(o.status, 0) << cmd << "\n" << o.err;
    EXPECT_NE(o.out.find("Usage: simsock " + cmd), std::string::npos) << cmd << "\n" << o.out;
    EXPECT_EQ(o.err, "") << cmd;
  }
  auto top = simsock("--help");
  EXPECT_EQ(top.status, 0);
  EXPECT_NE(top.out.find("simsock sweep SCENARIO.yaml --seeds SEEDS"), std::string::npos);
  EXPECT_NE(simsock("--version").out.find("simsock "), std::string::npos);
}

TEST_F(SimsockCli, UsageErrorsAreOneMessageAndOneHintLine) {
  const std::string s = scenario("tcp-fragmented.yaml");
  struct Case {
    std::string args, command;
  };
  for (const Case& c : {Case{"run " + s + " --bogus", "run"}, Case{"run", "run"},
                        Case{"run " + s + " --seed abc", "run"}, Case{"sweep " + s, "sweep"},
                        Case{"sweep " + s + " --seeds 5..1", "sweep"},
                        Case{"sweep " + s + " --seeds 1..3 -j 0", "sweep"},
                        Case{"app tcp-ts-client --colour red", "app tcp-ts-client"},
                        Case{"app no-such-app", "app"}}) {
    auto o = simsock(c.args);
    EXPECT_EQ(o.status, 2) << c.args;
    EXPECT_EQ(o.out, "") << c.args;
    const std::string head = "simsock " + c.command + ": error: ";
    const std::string hint = "Run 'simsock help " + c.command + "' for usage.\n";
    EXPECT_EQ(o.err.rfind(head, 0), 0u) << c.args << "\n" << o.err;
    ASSERT_GE(o.err.size(), hint.size()) << c.args;
    EXPECT_EQ(o.err.substr(o.err.size() - hint.size()), hint) << c.args << "\n" << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 2) << c.args << "\n" << o.err;
  }
  auto unknown = simsock("frobnicate");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err,
            "simsock: error: unknown command 'frobnicate'\nRun 'simsock help' for usage.\n");
}

TEST_F(SimsockCli, ShortQuietAndJobsOptionsWork) {
  auto q = simsock("run " + scenario("tcp-fragmented.yaml") + " -q");
  ASSERT_EQ(q.status, 0) << q.err;
  EXPECT_EQ(q.out, "PASS tcp-fragmented seed 7 (7 expectations held)\n");
  auto j = simsock("sweep " + flaky() + " --seeds 1..6 -j 2 --json");
  ASSERT_TRUE(j.status == 0 || j.status == 1) << j.err;
  EXPECT_EQ(nlohmann::json::parse(j.out)["seeds_run"], 6);
}

TEST_F(SimsockCli, OneSeedNumberMeansThatSeed) {
  for (std::uint64_t seed : {1u, 5u, 6u}) {
    auto sweep = simsock("sweep " + flaky() + " --seeds " + std::to_string(seed) + " --json");
    auto run = simsock("run " + flaky() + " -q --seed " + std::to_string(seed));
    auto j = nlohmann::json::parse(sweep.out);
    EXPECT_EQ(j["seeds_run"], 1);
    EXPECT_EQ(sweep.status, run.status) << seed;
    if (!j["failed"].empty()) {
      EXPECT_EQ(j["failed"][0]["seed"], seed);
    }
  }
}

TEST_F(SimsockCli, SeedSetsThatOverflowOrAreEmptyAreUsageErrors) {
  const std::string s = flaky();
  for (const char* seeds : {"0..18446744073709551615", "18446744073709551616",
                            "1..18446744073709551616", "9..3", "1,,2", "", "1..2,x"}) {
    auto o = simsock("sweep " + s + " --seeds '" + std::string(seeds) + "'");
    EXPECT_EQ(o.status, 2) << seeds << "\n" << o.out << o.err;
    EXPECT_NE(o.err.find("--seeds"), std::string::npos) << seeds << "\n" << o.err;
  }
  auto max = simsock("sweep " + s + " --seeds 18446744073709551615 --json");
  EXPECT_TRUE(max.status == 0 || max.status == 1) << max.err;
  EXPECT_EQ(nlohmann::json::parse(max.out)["seeds_run"], 1);
}

TEST_F(SimsockCli, SeedListsRunEachListedSeed) {
  auto o = simsock("sweep " + flaky() + " --seeds 1,3,5..7,6 --json");
  ASSERT_TRUE(o.status == 0 || o.status == 1) << o.err;
  auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["seeds_run"], 5);
  for (const auto& f : j["failed"]) {
    auto seed = f["seed"].get<std::uint64_t>();
    EXPECT_TRUE(seed == 1 || seed == 3 || (seed >= 5 && seed <= 7)) << seed;
  }
}

TEST_F(SimsockCli, SweepHumanOutputIsInSeedOrderWhateverTheJobs) {
  auto one = simsock("sweep " + flaky() + " --seeds 1..30 -j 1");
  auto four = simsock("sweep " + flaky() + " --seeds 1..30 -j 4");
  EXPECT_EQ(one.status, 1);
  EXPECT_EQ(one.out, four.out);
  EXPECT_NE(one.out.find("sweep flaky: 30 seeds run, "), std::string::npos) << one.out;
}

class SweepSignal : public SimsockCli, public ::testing::WithParamInterface<int> {};

TEST_P(SweepSignal, StopsAndPrintsThePartialSummary) {
  const auto out = dir_ / "sweep.out", err = dir_ / "sweep.err";
  const std::string file = SIMSOCK_SOURCE_DIR "/tests/tools/data/flaky.yaml";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(err.c_str(), "w", stderr);
    ::execl(SIMSOCK_BIN, SIMSOCK_BIN, "sweep", file.c_str(), "--seeds", "1..100000000", "-j", "2",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Failures are printed as they happen: wait for the first one (bounded so the test ends).
  bool streamed = false;
  for (int i = 0; i < 6000 && !streamed; ++i) {
    streamed = slurp(out).find("  replay: ") != std::string::npos;
    if (!streamed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, GetParam());
  int raw = 0;
  ASSERT_EQ(::waitpid(pid, &raw, 0), pid);
  ASSERT_TRUE(streamed) << "no failing seed was printed while the sweep ran";
  ASSERT_TRUE(WIFEXITED(raw)) << "killed by signal " << WTERMSIG(raw);
  EXPECT_EQ(WEXITSTATUS(raw), 128 + GetParam());
  const std::string text = slurp(out);
  const std::string name = GetParam() == SIGINT ? "SIGINT" : "SIGTERM";
  EXPECT_NE(text.find("failed; interrupted by " + name + " after "), std::string::npos) << text;
  EXPECT_NE(text.find(" of 100000000 seeds\n"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Signals, SweepSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

TEST_F(SimsockCli, OutOfMemoryIsItsOwnStatusAndMessage) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than the limit this test sets";
#endif
  // A 16 MB description (the largest file the loader reads) under a 30 MB address-space limit
  // (a small scenario runs in less than 20 MB): the loader cannot hold it and the parser's copy.
  {
    std::ofstream big(dir_ / "big.yaml");
    big << "name: big\nduration: 1s\nhosts: [{name: a, address: 10.0.0.1}]\ndescription: \""
        << std::string(16'000'000, 'x') << "\"\n";
  }
  auto o = shell("ulimit -v 30000; SIMSOCK run '" + (dir_ / "big.yaml").string() + "' -q");
  EXPECT_EQ(o.status, 5) << o.err;
  EXPECT_EQ(o.err, "simsock: out of memory\n");
}

TEST_F(SimsockCli, OutputsThatCannotBeWrittenAreExitThreeNamingTheFile) {
  const std::string s = scenario("tcp-fragmented.yaml");
  struct Case {
    std::string cmd, names;
  };
  for (const Case& c :
       {Case{"SIMSOCK run " + s + " -q --trace /dev/full >/dev/null", "'/dev/full'"},
        Case{"SIMSOCK run " + s + " -q --pcap /dev/full >/dev/null", "'/dev/full'"},
        Case{"SIMSOCK run " + s + " -q --junit /dev/full >/dev/null", "'/dev/full'"},
        Case{"SIMSOCK run " + s + " -q --trace /nonexistent-dir/t.jsonl", "/nonexistent-dir"},
        Case{"SIMSOCK run " + s + " -q >/dev/full", "standard output"},
        Case{"SIMSOCK run " + s + " --json >&-", "standard output"},
        Case{"SIMSOCK sweep " + flaky() + " --seeds 1..3 --json >&-", "standard output"},
        Case{"SIMSOCK sweep " + flaky() + " --seeds 1..3 --junit /dev/full >/dev/null",
             "'/dev/full'"}}) {
    auto o = shell(c.cmd);
    EXPECT_EQ(o.status, 3) << c.cmd << "\n" << o.err;
    EXPECT_NE(o.err.find("error: cannot "), std::string::npos) << c.cmd << "\n" << o.err;
    EXPECT_NE(o.err.find(c.names), std::string::npos) << c.cmd << "\n" << o.err;
  }
}

TEST_F(SimsockCli, TraceOntoTheScenarioOrOntoAnotherOutputIsRefused) {
  const auto copy = dir_ / "copy.yaml";
  fs::copy_file(SIMSOCK_SOURCE_DIR "/scenarios/tcp-fragmented.yaml", copy);
  const std::string before = slurp(copy);
  auto o = simsock("run '" + copy.string() + "' -q --trace '" + copy.string() + "'");
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("is the scenario file"), std::string::npos) << o.err;
  EXPECT_EQ(slurp(copy), before);
  auto same = (dir_ / "x").string();
  o = simsock("run '" + copy.string() + "' -q --trace '" + same + "' --pcap '" + dir_.string() +
              "/./x'");
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("--trace and --pcap both write"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(same));
}

TEST_F(SimsockCli, PcapPastClassicPcapsLastSecondIsAUsageErrorSayingWhy) {
  std::ofstream(dir_ / "late.yaml")
      << "name: late\nduration: 60000m\nstart_time: 2105-12-31T23:00:00Z\n"
      << "hosts:\n  - {name: a, address: 10.0.0.1}\n  - {name: b, address: 10.0.0.2}\n"
      << "processes:\n  - {name: srv, host: a, app: udp-ts-server}\n"
      << "  - {name: cli, host: b, app: udp-ts-client, args: {connect: \"a:21567\", message: "
         "[x]}}\n";
  auto pcap = (dir_ / "late.pcap").string();
  auto o = simsock("run '" + (dir_ / "late.yaml").string() + "' -q --pcap-classic '" + pcap + "'");
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_NE(o.err.find("2106-02-07T06:28:15Z"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("start_time"), std::string::npos) << o.err;
  // Without --pcap-classic the same scenario runs, and --pcap (pcapng) has no such limit.
  EXPECT_EQ(simsock("run '" + (dir_ / "late.yaml").string() + "' -q").status, 0);
  EXPECT_EQ(simsock("run '" + (dir_ / "late.yaml").string() + "' -q --pcap '" + pcap + "'").status,
            0);
}

TEST_F(SimsockCli, HtmlChromeTraceAndPcapngComeBesideTheOtherOutputsWhichStayTheSame) {
  const auto d = dir_.string();
  auto plain = simsock("run " + scenario("tcp-fragmented.yaml") + " -q --pcap-classic '" + d +
                       "/a.pcap' --trace '" + d + "/a.jsonl'");
  ASSERT_EQ(plain.status, 0) << plain.err;
  auto all = simsock("run " + scenario("tcp-fragmented.yaml") + " -q --pcap-classic '" + d +
                     "/b.pcap' --trace '" + d + "/b.jsonl' --html '" + d + "/r.html' --pcapng '" +
                     d + "/r.pcapng' --chrome-trace '" + d + "/r.json'");
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(slurp(dir_ / "a.pcap"), slurp(dir_ / "b.pcap"));
  EXPECT_EQ(slurp(dir_ / "a.jsonl"), slurp(dir_ / "b.jsonl"));
  const std::string html = slurp(dir_ / "r.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("\"title\":\"tcp-fragmented\""), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "r.pcapng").substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  auto chrome = nlohmann::json::parse(slurp(dir_ / "r.json"));
  EXPECT_FALSE(chrome["traceEvents"].empty());
  // The same run gives the same report bytes.
  auto again = simsock("run " + scenario("tcp-fragmented.yaml") + " -q --html '" + d +
                       "/r2.html' --chrome-trace '" + d + "/r2.json'");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(html, slurp(dir_ / "r2.html"));
  EXPECT_EQ(slurp(dir_ / "r.json"), slurp(dir_ / "r2.json"));
}

// The timestamps (ns since the epoch) of a pcapng file's enhanced packet blocks, in file order.
std::vector<std::uint64_t> pcapng_timestamps(const std::string& bytes) {
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(bytes[at + i]);
    return v;
  };
  std::vector<std::uint64_t> ts;
  for (std::size_t at = 0; at + 12 <= bytes.size();) {
    const std::uint32_t type = u32(at), len = u32(at + 4);
    if (len < 12) break;
    if (type == 6 && at + 20 <= bytes.size())
      ts.push_back(std::uint64_t{u32(at + 12)} << 32 | u32(at + 16));
    at += len;
  }
  return ts;
}

TEST_F(SimsockCli, PcapngHasNoPcapLimitAndItsOptionsAreChecked) {
  // The client starts at 2106-02-07T07:00:00Z, past classic pcap's 32-bit seconds
  // (2^32 s is 2106-02-07T06:28:16Z).
  std::ofstream(dir_ / "late.yaml")
      << "name: late\nduration: 60000m\nstart_time: 2105-12-31T23:00:00Z\n"
      << "hosts:\n  - {name: a, address: 10.0.0.1}\n  - {name: b, address: 10.0.0.2}\n"
      << "processes:\n  - {name: srv, host: a, app: udp-ts-server}\n"
      << "  - {name: cli, host: b, app: udp-ts-client, start: 53760m, args: {connect: "
         "\"a:21567\", message: [x]}}\n";
  const auto late = "'" + (dir_ / "late.yaml").string() + "'";
  auto o = simsock("run " + late + " -q --pcap '" + (dir_ / "x.pcapng").string() + "'");
  ASSERT_EQ(o.status, 0) << o.err;
  const std::string capture = slurp(dir_ / "x.pcapng");
  EXPECT_EQ(capture.substr(0, 4), std::string("\x0a\x0d\x0d\x0a", 4));
  constexpr std::uint64_t k_sent_ns = 4'294'969'200ull * 1'000'000'000;  // 2106-02-07T07:00Z
  const auto ts = pcapng_timestamps(capture);
  ASSERT_FALSE(ts.empty());
  EXPECT_EQ(ts.front(), k_sent_ns);
#ifdef SIMSOCK_TSHARK
  const auto times = dir_ / "times";
  ASSERT_EQ(shell("'" SIMSOCK_TSHARK "' -r '" + (dir_ / "x.pcapng").string() +
                  "' -T fields -e frame.time_epoch >'" + times.string() + "'")
                .status,
            0);
  const std::string read = slurp(times);
  EXPECT_EQ(read.substr(0, read.find('\n')), "4294969200.000000000") << read;
#endif
  EXPECT_EQ(simsock("run " + late + " -q --pcapng '" + (dir_ / "y.pcapng").string() + "'").status,
            0);
  auto both = simsock("run " + late + " -q --pcap '" + (dir_ / "x.pcapng").string() +
                      "' --pcapng '" + (dir_ / "y.pcapng").string() + "'");
  EXPECT_EQ(both.status, 2) << both.err;
  auto lone = simsock("run " + late + " -q --pcapng-omit-drops");
  EXPECT_EQ(lone.status, 2);
  EXPECT_NE(lone.err.find("--pcapng-omit-drops needs --pcap"), std::string::npos) << lone.err;
  auto clash = simsock("run " + late + " -q --html '" + (dir_ / "z").string() +
                       "' --chrome-trace '" + (dir_ / "z").string() + "'");
  EXPECT_EQ(clash.status, 2) << clash.err;
  auto unwritable =
      simsock("run " + late + " -q --html '" + (dir_ / "no/such/dir/r.html").string() + "'");
  EXPECT_EQ(unwritable.status, 3) << unwritable.err;
  EXPECT_NE(unwritable.err.find("HTML report"), std::string::npos) << unwritable.err;
}

TEST_F(SimsockCli, SweepHtmlIndexLinksEachFailureGroupToItsLowestSeedsReport) {
  const auto index = dir_ / "sweep" / "index.html";
  fs::create_directories(index.parent_path());
  auto o = simsock("sweep " + flaky() + " --seeds 1..30 -j 2 --html '" + index.string() + "'");
  ASSERT_EQ(o.status, 1) << o.err;
  // The groups the sweep printed: "  COUNT seeds, lowest SEED: WHAT (ERROR)" and the replay line.
  struct Group {
    std::string count, seed, what, error, replay;
  };
  std::vector<Group> printed;
  std::regex line(
      "\n  ([0-9]+) seeds?, lowest ([0-9]+): (.*?)(?: \\((.*)\\))?\n    replay: ([^\n]*)");
  for (auto it = std::sregex_iterator(o.out.begin(), o.out.end(), line);
       it != std::sregex_iterator(); ++it)
    printed.push_back({(*it)[1], (*it)[2], (*it)[3], (*it)[4], (*it)[5]});
  ASSERT_NE(o.out.find("failure groups (" + std::to_string(printed.size()) + "):"),
            std::string::npos)
      << o.out;
  ASSERT_GE(printed.size(), 2u) << "flaky.yaml fails two ways in seeds 1..30:\n" << o.out;
  // The index has exactly those groups, in that order, each linking to its lowest seed's report.
  const std::string page = slurp(index);
  std::regex row(
      "<tr class=\"group\" data-count=\"([0-9]+)\" data-seed=\"([0-9]+)\"><td>([^<]*)</td>"
      "<td>([^<]*)</td><td>[0-9]+</td><td><a href=\"([^\"]+)\">seed ([0-9]+)</a></td><td>[^<]*"
      "</td><td><code>([^<]*)</code></td></tr>");
  std::vector<std::smatch> rows;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), row); it != std::sregex_iterator();
       ++it)
    rows.push_back(*it);
  EXPECT_EQ(rows.size(), printed.size()) << page;
  std::size_t group_rows = 0;
  for (auto at = page.find("<tr class=\"group\""); at != std::string::npos;
       at = page.find("<tr class=\"group\"", at + 1))
    ++group_rows;
  EXPECT_EQ(group_rows, rows.size()) << "rows the pattern did not match:\n" << page;
  std::set<std::string> linked;
  for (std::size_t i = 0; i < std::min(rows.size(), printed.size()); ++i) {
    const auto& r = rows[i];
    const Group& g = printed[i];
    EXPECT_EQ(r[1], g.count) << i;
    EXPECT_EQ(r[2], g.seed) << i;
    EXPECT_EQ(r[3], g.what) << i;
    EXPECT_EQ(r[4], g.error) << i;
    EXPECT_EQ(r[5], "index-seed-" + g.seed + ".html") << i;
    EXPECT_EQ(r[6], g.seed) << i;
    EXPECT_EQ(r[7], g.replay) << i;
    linked.insert(r[5]);
    const std::string report = slurp(index.parent_path() / r[5].str());
    EXPECT_NE(report.find("\"passed\":false"), std::string::npos) << r[5];
    EXPECT_NE(report.find("--seed " + g.seed + "\""), std::string::npos) << r[5];
  }
  // A report for each group's lowest seed and no other.
  std::set<std::string> written;
  for (const auto& e : fs::directory_iterator(index.parent_path()))
    if (e.path().filename() != "index.html") written.insert(e.path().filename().string());
  EXPECT_EQ(written, linked);
  // An index that cannot be written fails before any seed runs.
  auto bad = simsock("sweep " + flaky() + " --seeds 1..30 --html '" +
                     (dir_ / "no/such/index.html").string() + "'");
  EXPECT_EQ(bad.status, 3) << bad.err;
  EXPECT_EQ(bad.out, "") << bad.out;
  EXPECT_NE(bad.err.find("cannot open HTML index"), std::string::npos) << bad.err;
}

TEST_F(SimsockCli, SweepProgressLineIsOnlyOnATerminal) {
  auto piped = simsock("sweep " + flaky() + " --seeds 1..20 -j 1");
  EXPECT_EQ(piped.err.find("seeds/s"), std::string::npos) << piped.err;
  // script(1) gives the sweep a terminal for its standard streams.
  const auto typescript = dir_ / "tty.out";
  const std::string cmd = "script -qec \"'" SIMSOCK_BIN "' sweep " + flaky() +
                          " --seeds 1..20 -j 1\" '" + typescript.string() + "' >/dev/null";
  shell(cmd);
  const std::string tty = slurp(typescript);
  EXPECT_NE(tty.find("sweep flaky: "), std::string::npos) << tty;
  EXPECT_NE(tty.find("seeds/s"), std::string::npos) << tty;
  EXPECT_NE(tty.find("\r\033[K"), std::string::npos) << tty;
}

TEST_F(SimsockCli, RunJunitHasATestcasePerExpectationWithEscapedFailures) {
  // An expectation that fails, with XML's special characters in its text.
  std::string text = slurp(SIMSOCK_SOURCE_DIR "/scenarios/tcp-fragmented.yaml");
  text.replace(text.find("expect:\n"), 8,
               "expect:\n  - {process: cli, stdout_contains: \"<&\\\"'>]]>\\x01\"}\n");
  std::ofstream(dir_ / "bad.yaml") << text;
  auto junit = dir_ / "run.xml";
  auto o =
      simsock("run '" + (dir_ / "bad.yaml").string() + "' -q --junit '" + junit.string() + "'");
  ASSERT_EQ(o.status, 1) << o.err;
  auto parsed = parse_junit(junit);
  EXPECT_EQ(parsed.substr(0, parsed.find('\n')),
            "tcp-fragmented tests=8 failures=1 cases=8 failed=1")
      << parsed;
  EXPECT_NE(parsed.find("FAILURE "), std::string::npos) << parsed;
  EXPECT_NE(parsed.find("<&\"'>]]>"), std::string::npos) << parsed;
}

TEST_F(SimsockCli, SweepJunitHasATestcasePerSeed) {
  auto junit = dir_ / "sweep.xml";
  auto o =
      simsock("sweep " + flaky() + " --seeds 1..12 -j 2 --json --junit '" + junit.string() + "'");
  ASSERT_EQ(o.status, 1) << o.err;
  auto j = nlohmann::json::parse(o.out);
  const auto failed = j["failed"].size();
  auto parsed = parse_junit(junit);
  EXPECT_EQ(parsed.substr(0, parsed.find('\n')),
            "flaky tests=12 failures=" + std::to_string(failed) +
                " cases=12 failed=" + std::to_string(failed))
      << parsed;
  EXPECT_NE(parsed.find("FAILURE cli exit 0"), std::string::npos) << parsed;
  EXPECT_FALSE(fs::exists(junit.string() + ".partial"));
}

TEST_F(SimsockCli, ColorColoursOnlyThePassFailWordsWhenAsked) {
  const std::string s = scenario("tcp-fragmented.yaml");
  auto always = simsock("run " + s + " -q --color always", "NO_COLOR=1");
  EXPECT_EQ(always.out, "\033[1;32mPASS\033[0m tcp-fragmented seed 7 (7 expectations held)\n");
  auto full = simsock("run " + s + " --color always");
  EXPECT_EQ(full.out.find("\033[1m"), std::string::npos) << "headings are not coloured";
  EXPECT_NE(full.out.find("\033[32mpass\033[0m"), std::string::npos);
  // Not a terminal: auto is plain, and so is never.
  EXPECT_EQ(simsock("run " + s + " -q --color auto").out.find('\033'), std::string::npos);
  EXPECT_EQ(simsock("run " + s + " -q --color never").out.find('\033'), std::string::npos);
  EXPECT_EQ(simsock("run " + s + " -q --color sometimes").status, 2);
}

// What the top-level handler prints to a stream for an exception escaping a command.
std::pair<int, std::string> guarded(const std::function<int()>& command,
                                    const std::string& name = "simsock") {
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* f = ::open_memstream(&buf, &len);
  int status = simsock::cli::run_guarded(command, f, name);
  std::fclose(f);
  std::string text(buf, len);
  std::free(buf);
  return {status, text};
}

TEST(TopLevelHandler, EveryEscapingExceptionGetsAMessageAndADocumentedStatus) {
  EXPECT_EQ(guarded([]() -> int { throw std::bad_alloc(); }),
            std::make_pair(5, std::string("simsock: out of memory\n")));
  EXPECT_EQ(guarded([]() -> int { throw std::runtime_error("pcap writer: boom"); }),
            std::make_pair(4, std::string("simsock: internal error: pcap writer: boom\n")));
  EXPECT_EQ(guarded([]() -> int { throw 42; }),
            std::make_pair(4, std::string("simsock: internal error: unknown exception\n")));
  EXPECT_EQ(guarded([] { return 1; }), std::make_pair(1, std::string()));
}

TEST(TopLevelHandler, NamesTheUsersOwnCommandInItsMessages) {
  EXPECT_EQ(guarded([]() -> int { throw std::runtime_error("boom"); }, "upper-sim"),
            std::make_pair(4, std::string("upper-sim: internal error: boom\n")));
  EXPECT_EQ(guarded([]() -> int { throw std::bad_alloc(); }, "upper-sim"),
            std::make_pair(5, std::string("upper-sim: out of memory\n")));
  EXPECT_EQ(guarded([]() -> int { throw 42; }, "upper-sim"),
            std::make_pair(4, std::string("upper-sim: internal error: unknown exception\n")));
}

}  // namespace
