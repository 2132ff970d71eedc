// The scenario loader: good files load into the spec they say, and each kind of bad file gives
// exactly one message FILE:LINE:COL: error: naming the key and the bad value.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "net/units.hpp"
#include "tests/tools/scenario_test_apps.hpp"
#include "tools/scenario/loader.hpp"

namespace simsock::scenario {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHead =
    "name: t\n"                                          // 1
    "duration: 10s\n"                                    // 2
    "hosts:\n"                                           // 3
    "  - {name: server, address: 10.0.0.1}\n"            // 4
    "  - {name: client, address: 10.0.0.2}\n"            // 5
    "processes:\n"                                       // 6
    "  - {name: srv, host: server, app: fake-server}\n"  // 7
    "  - name: cli\n"                                    // 8
    "    host: client\n"                                 // 9
    "    app: fake-client\n"                             // 10
    "    args: {connect: \"server:21567\"}\n";           // 11

ScenarioSpec load(const std::string& text) {
  return load_scenario_text(text, "x.yaml", testing::fake_apps());
}

// The whole error message for `text`, or "" when it loads.
std::string error_of(const std::string& text) {
  try {
    load(text);
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioLoader, MinimalFileLoadsWithDefaults) {
  auto s = load(kHead);
  EXPECT_EQ(s.name, "t");
  EXPECT_EQ(s.file, "x.yaml");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.duration, 10s);
  EXPECT_EQ(s.start_time, default_start_time());
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[1].name, "client");
  EXPECT_EQ(s.hosts[1].address, "10.0.0.2");
  ASSERT_EQ(s.processes.size(), 2u);
  EXPECT_EQ(s.processes[1].app, "fake-client");
  EXPECT_EQ(s.processes[1].options.text("connect"), "server:21567");
  EXPECT_EQ(s.processes[1].options.text("timeout"), "1s");  // default filled
  EXPECT_EQ(s.processes[0].options.text("listen"), "0.0.0.0:21567");
  EXPECT_EQ(s.processes[0].start, 0s);
  EXPECT_FALSE(s.default_link.latency.has_value());
}

TEST(ScenarioLoader, EveryContractKeyRoundTrips) {
  std::string text =
      std::string(kHead) +
      "    start: 100ms\n"
      "    stdin: \"more\\nlines\\n\"\n"
      "description: a story\n"
      "seed: 7\n"
      "start_time: 2030-05-17T08:00:00Z\n"
      "network:\n"
      "  default: {latency: 5ms}\n"
      "  links:\n"
      "    - between: [client, server]\n"
      "      latency: 20ms\n"
      "      jitter: 5ms\n"
      "      bandwidth: 10Mbps\n"
      "      udp: {loss: 20%, duplicate: 1%, reorder: 10%, mtu: 1500, reorder_delay: 3ms,\n"
      "            burst: {p_good_to_bad: 0.1, p_bad_to_good: 50%}}\n"
      "      tcp: {segment: {min: 1, max: 8}, loss: 1%, rto: 200ms}\n"
      "faults:\n"
      "  - {at: 2s, partition: [client, server]}\n"
      "  - {at: 3s, heal: {from: client, to: server}}\n"
      "  - {at: 4s, crash: server}\n"
      "  - {at: 5s, restart: server}\n"
      "  - {at: 6s, set_link: {between: [client, server], udp: {loss: 0%}}}\n"
      "  - {at: 7s, clog: [client, server]}\n"
      "  - {at: 8s, release: [client, server]}\n"
      "expect:\n"
      "  - {process: cli, exit: 0}\n"
      "  - {process: srv, state: running}\n"
      "  - {process: cli, stdout: \"exact\\n\"}\n"
      "  - {process: cli, stdout_contains: hello}\n"
      "  - {process: cli, stdout_lines_match: '^\\[.*\\] .*$'}\n"
      "  - {process: cli, stdout_line_count: 2}\n"
      "  - {process: cli, stderr_contains: refused}\n"
      "  - {stat: udp.dropped, min: 1, max: 100}\n"
      "  - not: {process: cli, stdout_contains: nope}\n";
  auto s = load(text);
  EXPECT_EQ(s.description, "a story");
  EXPECT_EQ(s.seed, 7u);
  using namespace std::chrono;
  EXPECT_EQ(s.start_time, sys_days(year(2030) / May / 17) + 8h);
  EXPECT_EQ(s.processes[1].start, 100ms);
  EXPECT_EQ(s.processes[1].stdin_text, "more\nlines\n");
  EXPECT_EQ(s.default_link.latency, 5ms);
  ASSERT_EQ(s.links.size(), 1u);
  const auto& l = s.links[0];
  EXPECT_EQ(l.pair.a, "client");
  EXPECT_EQ(l.pair.b, "server");
  EXPECT_TRUE(l.pair.both_directions);
  EXPECT_EQ(l.patch.latency, 20ms);
  EXPECT_EQ(l.patch.jitter, 5ms);
  EXPECT_EQ(l.patch.bandwidth_bps, 10'000'000u);
  EXPECT_DOUBLE_EQ(*l.patch.udp_loss, 0.2);
  EXPECT_DOUBLE_EQ(*l.patch.udp_duplicate, 0.01);
  EXPECT_DOUBLE_EQ(*l.patch.udp_reorder, 0.1);
  EXPECT_EQ(l.patch.udp_reorder_delay, 3ms);
  EXPECT_EQ(l.patch.udp_mtu, 1500u);
  ASSERT_TRUE(l.patch.udp_burst);
  EXPECT_DOUBLE_EQ(l.patch.udp_burst->p_good_to_bad, 0.1);
  EXPECT_DOUBLE_EQ(l.patch.udp_burst->p_bad_to_good, 0.5);
  EXPECT_DOUBLE_EQ(l.patch.udp_burst->loss_bad, 1.0);
  EXPECT_EQ(l.patch.tcp_segment->min, 1u);
  EXPECT_EQ(l.patch.tcp_segment->max, 8u);
  EXPECT_DOUBLE_EQ(*l.patch.tcp_loss, 0.01);
  EXPECT_EQ(l.patch.tcp_rto, 200ms);
  ASSERT_EQ(s.faults.size(), 7u);
  EXPECT_EQ(s.faults[0].at, 2s);
  ASSERT_TRUE(std::holds_alternative<sim::Partition>(s.faults[0].action));
  auto heal = std::get<sim::Heal>(s.faults[1].action);
  EXPECT_FALSE(heal.pair.both_directions);
  EXPECT_EQ(std::get<sim::Crash>(s.faults[2].action).host, "server");
  EXPECT_EQ(std::get<sim::Restart>(s.faults[3].action).host, "server");
  auto set = std::get<sim::SetLink>(s.faults[4].action);
  EXPECT_DOUBLE_EQ(*set.patch.udp_loss, 0.0);
  EXPECT_FALSE(set.patch.latency.has_value());
  EXPECT_TRUE(std::holds_alternative<sim::Clog>(s.faults[5].action));
  EXPECT_TRUE(std::holds_alternative<sim::Release>(s.faults[6].action));
  ASSERT_EQ(s.expectations.size(), 9u);
  using K = Expectation::Kind;
  EXPECT_EQ(s.expectations[0].kind, K::exit_code);
  EXPECT_EQ(s.expectations[0].describe(), "cli exit 0");
  EXPECT_EQ(s.expectations[1].state, sim::ProcessState::running);
  EXPECT_EQ(s.expectations[2].text, "exact\n");
  EXPECT_EQ(s.expectations[4].kind, K::stdout_lines_match);
  EXPECT_EQ(s.expectations[5].number, 2);
  EXPECT_EQ(s.expectations[6].kind, K::stderr_contains);
  EXPECT_EQ(s.expectations[7].describe(), "udp.dropped in [1, 100]");
  EXPECT_EQ(s.expectations[8].kind, K::negation);
  EXPECT_EQ(s.expectations[8].describe(), "not cli stdout_contains 'nope'");
}

TEST(ScenarioLoader, ListArgRepeatsTheOption) {
  std::string text = kHead;
  text.replace(text.find("args: {connect: \"server:21567\"}"),
               std::string("args: {connect: \"server:21567\"}").size(),
               "args: {connect: \"server:21567\", message: [a, \"b c\"], timeout: 0}");
  auto s = load(text);
  EXPECT_EQ(s.processes[1].options.all("message"), (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(s.processes[1].options.text("timeout"), "0");
}

TEST(ScenarioLoader, OneWayLinkAndScalarSegment) {
  auto s = load(std::string(kHead) +
                "network:\n  links:\n    - {from: client, to: server, tcp: {segment: 3}}\n");
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_FALSE(s.links[0].pair.both_directions);
  EXPECT_EQ(s.links[0].patch.tcp_segment->min, 3u);
  EXPECT_EQ(s.links[0].patch.tcp_segment->max, 3u);
}

struct BadCase {
  const char* name;
  std::string text;
  std::string message;
};
void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.name;
}

class ScenarioLoaderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioLoaderRejects, WithOneExactMessage) {
  EXPECT_EQ(error_of(GetParam().text), GetParam().message);
}

std::string with(const std::string& extra) {
  return std::string(kHead) + extra;
}
std::string replaced(std::string from, const std::string& to) {
  std::string text = kHead;
  text.replace(text.find(from), from.size(), to);
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, ScenarioLoaderRejects,
    ::testing::Values(
        BadCase{"UnknownTopLevelKey", with("colour: red\n"),
                "x.yaml:12:1: error: colour: unknown key 'colour' (accepted: name, description, "
                "seed, duration, start_time, hosts, network, processes, faults, expect)"},
        BadCase{"ProbabilityAbove100Percent",
                with("network:\n  links:\n    - between: [client, server]\n"
                     "      udp: {loss: 120%}\n"),
                "x.yaml:15:19: error: network.links[0].udp.loss: '120%' is not a probability "
                "(0..1 or 0%..100%)"},
        BadCase{"ProbabilityAboveOne", with("network:\n  default: {udp: {duplicate: 1.5}}\n"),
                "x.yaml:13:30: error: network.default.udp.duplicate: '1.5' is not a probability "
                "(0..1 or 0%..100%)"},
        BadCase{"BadDurationUnit", replaced("duration: 10s", "duration: 10 sec"),
                "x.yaml:2:11: error: duration: '10 sec' is not a duration (a number with ns, us, "
                "ms, s or m, e.g. 200ms, 1.5s)"},
        BadCase{"WrongTypeForHosts",
                replaced("hosts:\n  - {name: server, address: 10.0.0.1}\n"
                         "  - {name: client, address: 10.0.0.2}\n",
                         "hosts: server\n"),
                "x.yaml:3:8: error: hosts: expected a list of hosts like [{name: server, "
                "address: 10.0.0.1}], got 'server'"},
        BadCase{"UnknownHost", replaced("host: client", "host: clinet"),
                "x.yaml:9:11: error: processes[1].host: unknown host 'clinet' (hosts: server, "
                "client)"},
        BadCase{"UnknownApp", replaced("app: fake-client", "app: nc"),
                "x.yaml:10:10: error: processes[1].app: unknown app 'nc' (apps: fake-client, "
                "fake-server)"},
        BadCase{"DuplicateHostName", replaced("name: client, address", "name: server, address"),
                "x.yaml:5:12: error: hosts[1].name: host 'server' is defined twice"},
        BadCase{"DuplicateProcessName", replaced("- name: cli", "- name: srv"),
                "x.yaml:8:11: error: processes[1].name: process 'srv' is defined twice"},
        BadCase{"AddressClash", replaced("10.0.0.2", "10.0.0.1"),
                "x.yaml:5:29: error: hosts[1].address: address '10.0.0.1' is already host "
                "server's"},
        BadCase{"BadAddress", replaced("10.0.0.2", "10.0.0.256"),
                "x.yaml:5:29: error: hosts[1].address: '10.0.0.256' is not a host IPv4 address "
                "(e.g. 10.0.0.1)"},
        BadCase{"NegativeSeed", with("seed: -3\n"),
                "x.yaml:12:7: error: seed: '-3' is not a seed (an integer in "
                "0..18446744073709551615)"},
        BadCase{"SeedTooLarge", with("seed: 18446744073709551616\n"),
                "x.yaml:12:7: error: seed: '18446744073709551616' is not a seed (an integer in "
                "0..18446744073709551615)"},
        BadCase{"UnparsableYaml", with("expect: [{process: cli\n"),
                "x.yaml:13:1: error: invalid YAML: end of map flow not found"},
        BadCase{"MissingDuration", replaced("duration: 10s\n", ""),
                "x.yaml:1:1: error: missing required key 'duration' (e.g. duration: 10s)"},
        BadCase{"BadAppOptionValue",
                replaced("args: {connect: \"server:21567\"}",
                         "args: {connect: \"server:21567\", timeout: 5x}"),
                "x.yaml:11:46: error: processes[1].args.timeout: '5x' is not a duration (a "
                "number with ns, us, ms, s or m, e.g. 200ms, 1.5s, or 0)"},
        BadCase{"UnknownAppOption",
                replaced("args: {connect: \"server:21567\"}",
                         "args: {connect: \"server:21567\", retries: 3}"),
                "x.yaml:11:46: error: processes[1].args.retries: unknown option --retries for "
                "app fake-client (accepted: --connect, --message, --timeout, --bufsize)"},
        BadCase{"MissingRequiredAppOption",
                replaced("args: {connect: \"server:21567\"}", "args: {message: hi}"),
                "x.yaml:11:11: error: processes[1].args: missing required option --connect "
                "HOST:PORT for app fake-client"},
        BadCase{"UnknownProcessInExpect", with("expect:\n  - {process: client, exit: 0}\n"),
                "x.yaml:13:15: error: expect[0].process: unknown process 'client' (processes: "
                "srv, cli)"},
        BadCase{"TwoChecksInOneExpectation",
                with("expect:\n  - {process: cli, exit: 0, stdout: x}\n"),
                "x.yaml:13:37: error: expect[0].stdout: an expectation checks one thing; split "
                "'expect[0].stdout' into its own entry"},
        BadCase{"BadRegex", with("expect:\n  - {process: cli, stdout_lines_match: '(['}\n"),
                "x.yaml:13:40: error: expect[0].stdout_lines_match: '([' is not a regex: missing "
                "]: [ (RE2 syntax: \\d, \\s, [...], {m,n}, ^, $, groups, |)"},
        BadCase{"RegexThatExpandsTooMuch",
                with("expect:\n  - {process: cli, stdout_lines_match: '((a{100}){100}){100}'}\n"),
                "x.yaml:13:40: error: expect[0].stdout_lines_match: '((a{100}){100}){100}' is "
                "not a regex: repetition {100} is too large (counts up to 1000, and nested "
                "counts whose product is at most 1000)"},
        BadCase{"BadState", with("expect:\n  - {process: cli, state: done}\n"),
                "x.yaml:13:27: error: expect[0].state: 'done' is not a process state (running, "
                "exited, crashed, failed, killed)"},
        BadCase{"NotWithSiblings", with("expect:\n  - {not: {process: cli, exit: 0}, stat: x}\n"),
                "x.yaml:13:5: error: expect[0]: 'not' wraps one whole expectation: {not: "
                "{process: cli, exit: 0}}"},
        BadCase{"StatWithoutBounds", with("expect:\n  - {stat: udp.dropped}\n"),
                "x.yaml:13:5: error: expect[0]: a stat expectation needs min, max or both"},
        BadCase{"FaultOnUnknownHost", with("faults:\n  - {at: 1s, crash: db}\n"),
                "x.yaml:13:21: error: faults[0].crash: unknown host 'db' (hosts: server, "
                "client)"},
        BadCase{"FaultWithTwoActions",
                with("faults:\n  - {at: 1s, crash: server, restart: server}\n"),
                "x.yaml:13:5: error: faults[0]: a fault has 'at' and exactly one action "
                "(partition, heal, clog, release, crash, restart, kill or set_link)"},
        BadCase{"FaultAfterTheEnd", with("faults:\n  - {at: 11s, crash: server}\n"),
                "x.yaml:13:10: error: faults[0].at: '11s' is after the end of the scenario "
                "(duration 10s)"},
        BadCase{"PartitionNeedsTwoHosts", with("faults:\n  - {at: 1s, partition: [client]}\n"),
                "x.yaml:13:25: error: faults[0].partition: expected two hosts like [client, "
                "server], got 1"},
        BadCase{"SegmentMinAboveMax",
                with("network:\n  default: {tcp: {segment: {min: 9, max: 3}}}\n"),
                "x.yaml:13:42: error: network.default.tcp.segment.max: '3' is smaller than min "
                "(9)"},
        BadCase{"LinkWithoutHosts", with("network:\n  links:\n    - {latency: 1ms}\n"),
                "x.yaml:14:7: error: network.links[0]: missing the hosts: between: [a, b] (both "
                "ways) or from: a, to: b (one way)"},
        BadCase{"DuplicateLink",
                with("network:\n  links:\n    - {between: [client, server]}\n"
                     "    - {from: server, to: client, latency: 2ms}\n"),
                "x.yaml:15:7: error: network.links[1]: hosts server and client already have a "
                "link (network.links[0])"},
        BadCase{"BadBandwidth", with("network:\n  default: {bandwidth: 10MB}\n"),
                "x.yaml:13:24: error: network.default.bandwidth: '10MB' is not a bandwidth (bits "
                "per second: an integer, or a number with bps, kbps, Mbps or Gbps, e.g. 10Mbps)"},
        BadCase{"RepeatedKey", replaced("duration: 10s\n", "duration: 10s\nduration: 20s\n"),
                "x.yaml:3:1: error: duration: key 'duration' appears twice"},
        BadCase{"BadStartTime", with("start_time: 2030-02-30T00:00:00Z\n"),
                "x.yaml:12:13: error: start_time: '2030-02-30T00:00:00Z' is not a UTC time like "
                "2030-05-17T08:00:00Z (years 1970 to 2105)"},
        BadCase{"StartTimeBeyondTheClock", with("start_time: 9620-05-17T08:00:00Z\n"),
                "x.yaml:12:13: error: start_time: '9620-05-17T08:00:00Z' is not a UTC time like "
                "2030-05-17T08:00:00Z (years 1970 to 2105)"},
        BadCase{"TwoDocuments", with("---\nname: u\n"),
                "x.yaml:13:1: error: a scenario file holds one YAML document; found a second "
                "one"},
        BadCase{"EmptyFile", "",
                "x.yaml:1:1: error: expected a scenario: a mapping with name, duration, hosts, "
                "processes, ..., got nothing"},
        BadCase{"ExitCodeOutOfRange", with("expect:\n  - {process: cli, exit: 300}\n"),
                "x.yaml:13:26: error: expect[0].exit: '300' is not an exit code (0..255)"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(ScenarioLoader, MissingFileIsAnErrorAtLineOne) {
  try {
    load_scenario_file("/nonexistent/dir/s.yaml", testing::fake_apps());
    FAIL() << "loaded a missing file";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent/dir/s.yaml:1:1: error: cannot open the scenario file (No such file "
              "or directory)");
    EXPECT_EQ(e.line(), 1);
  }
}

TEST(ScenarioLoader, SelfReferentialNotIsRejectedNotRecursedForever) {
  // An alias can make a node contain itself; the loader must stop rather than overflow.
  std::string msg = error_of(with("expect:\n  - &x {not: *x}\n"));
  EXPECT_NE(msg, "");
  EXPECT_NE(msg.find("x.yaml:"), std::string::npos) << msg;
}

}  // namespace
}  // namespace simsock::scenario

namespace simsock::scenario {
namespace {

namespace fs = std::filesystem;

TEST(ScenarioLoader, EveryBundledScenarioLoadsWithTheRealAppsAndTellsItsStory) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator(SIMSOCK_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    ++n;
    auto spec = load_scenario_file(entry.path().string());
    EXPECT_EQ(spec.name, entry.path().stem().string());
    EXPECT_FALSE(spec.description.empty()) << entry.path();
    EXPECT_FALSE(spec.expectations.empty()) << entry.path();
  }
  EXPECT_GE(n, 11);
}

TEST(ScenarioLoader, FuzzRegressionInputsFailWithALocatedMessage) {
  for (const auto& entry :
       fs::directory_iterator(SIMSOCK_SOURCE_DIR "/tests/tools/fuzz-regressions")) {
    try {
      load_scenario_file(entry.path().string());
    } catch (const ScenarioError& e) {
      EXPECT_GE(e.line(), 1);
      EXPECT_GE(e.column(), 1);
      EXPECT_EQ(std::string(e.what()).rfind(entry.path().string() + ":", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace simsock::scenario
