// The scenario loader: good files load into the spec they say, and each kind of bad file gives
// exactly one message FILE:LINE:COL: error: naming the key and the bad value.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include "tests/tools/scenario_test_apps.hpp"

namespace simsock::scenario {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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

TEST(ScenarioLoader, HostAddressesMayBeIpv6OrAListOfBothFamilies) {
  std::string text = kHead;
  text.replace(text.find("10.0.0.1}"), 8, "[10.0.0.1, \"fd00:0::1\"]");
  text.replace(text.find("10.0.0.2}"), 8, "\"fd00::2\"");
  auto s = load(text);
  ASSERT_EQ(s.hosts.size(), 2u);
  EXPECT_EQ(s.hosts[0].address, "10.0.0.1");
  EXPECT_EQ(s.hosts[0].addresses, (std::vector<std::string>{"10.0.0.1", "fd00::1"}));
  EXPECT_EQ(s.hosts[1].address, "fd00::2");
  EXPECT_EQ(s.hosts[1].addresses, (std::vector<std::string>{"fd00::2"}));
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
                "seed, duration, start_time, hosts, network, processes, faults, chaos, perturb, "
                "expect)"},
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
                "x.yaml:5:29: error: hosts[1].address: '10.0.0.256' is not an IP address "
                "(e.g. 10.0.0.1 or fd00::1)"},
        BadCase{"BadIpv6AddressInAList", replaced("10.0.0.2", "[10.0.0.2, \"fd00::g\"]"),
                "x.yaml:5:40: error: hosts[1].address[1]: 'fd00::g' is not an IP address "
                "(e.g. 10.0.0.1 or fd00::1)"},
        BadCase{"LinkLocalIpv6Address", replaced("10.0.0.2", "\"fe80::1\""),
                "x.yaml:5:29: error: hosts[1].address: 'fe80::1' is a link-local address "
                "(fe80::/10), which needs a scope, not a host's address (use a unicast address "
                "like 10.0.0.1)"},
        BadCase{"Ipv6LoopbackHostAddress", replaced("10.0.0.2", "[10.0.0.2, \"::1\"]"),
                "x.yaml:5:40: error: hosts[1].address[1]: '::1' is the IPv6 loopback address "
                "(::1), not a host's address (use a unicast address like 10.0.0.1)"},
        BadCase{"Ipv4MappedHostAddress", replaced("10.0.0.2", "\"::ffff:10.0.0.9\""),
                "x.yaml:5:29: error: hosts[1].address: '::ffff:10.0.0.9' is an IPv4-mapped "
                "address (give the IPv4 address itself), not a host's address (use a unicast "
                "address like 10.0.0.1)"},
        BadCase{"Ipv6AddressClash", replaced("10.0.0.2", "[\"fd00::1\", \"fd00:0::1\"]"),
                "x.yaml:5:41: error: hosts[1].address[1]: address 'fd00:0::1' is listed twice "
                "for this host"},
        BadCase{"AddressClashInAList", replaced("10.0.0.2", "[\"fd00::1\", 10.0.0.1]"),
                "x.yaml:5:41: error: hosts[1].address[1]: address '10.0.0.1' is already host "
                "server's"},
        BadCase{"EmptyAddressList", replaced("10.0.0.2", "[]"),
                "x.yaml:5:29: error: hosts[1].address: a host needs at least one address, like "
                "[10.0.0.2]"},
        BadCase{"NegativeSeed", with("seed: -3\n"),
                "x.yaml:12:7: error: seed: '-3' is not a seed (an integer in "
                "0..18446744073709551615)"},
        BadCase{"SeedTooLarge", with("seed: 18446744073709551616\n"),
                "x.yaml:12:7: error: seed: '18446744073709551616' is not a seed (an integer in "
                "0..18446744073709551615)"},
        BadCase{
            "UnparsableYaml", with("expect: [{process: cli\n"),
            "x.yaml:13:1: error: invalid YAML: did not find expected ',' or '}' (while parsing a "
            "flow mapping)"},
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
        BadCase{"LoopbackHostAddress", replaced("10.0.0.2", "127.0.0.2"),
                "x.yaml:5:29: error: hosts[1].address: '127.0.0.2' is a loopback address "
                "(127.0.0.0/8), not a host's address (use a unicast address like 10.0.0.1)"},
        BadCase{"UnspecifiedHostAddress", replaced("10.0.0.2", "0.0.0.0"),
                "x.yaml:5:29: error: hosts[1].address: '0.0.0.0' is the unspecified address, "
                "not a host's address (use a unicast address like 10.0.0.1)"},
        BadCase{"MulticastHostAddress", replaced("10.0.0.2", "239.1.2.3"),
                "x.yaml:5:29: error: hosts[1].address: '239.1.2.3' is a multicast address "
                "(224.0.0.0/4), not a host's address (use a unicast address like 10.0.0.1)"},
        BadCase{"BroadcastHostAddress", replaced("10.0.0.2", "255.255.255.255"),
                "x.yaml:5:29: error: hosts[1].address: '255.255.255.255' is the broadcast "
                "address, not a host's address (use a unicast address like 10.0.0.1)"},
        BadCase{"DurationThatOverflowsWhileParsing",
                replaced("duration: 10s", "duration: 9223372036.9s"),
                "x.yaml:2:11: error: duration: '9223372036.9s' is too large (at most 8640000s = "
                "100 days)"},
        BadCase{"DurationJustPastTheMaximum",
                replaced("duration: 10s", "duration: 8640000.000000001s"),
                "x.yaml:2:11: error: duration: '8640000.000000001s' is too large (at most "
                "8640000s = 100 days)"},
        BadCase{"LatencyThatWouldOverflowDepartPlusDelay",
                with("network:\n  default: {latency: 9223372036854775807ns}\n"),
                "x.yaml:13:22: error: network.default.latency: '9223372036854775807ns' is too "
                "large (at most 3600s = 1 hour)"},
        BadCase{"JitterAboveAnHour", with("network:\n  default: {jitter: 61m}\n"),
                "x.yaml:13:21: error: network.default.jitter: '61m' is too large (at most 3600s = "
                "1 hour)"},
        BadCase{"ReorderDelayAboveAnHour",
                with("network:\n  default: {udp: {reorder_delay: 3600.001s}}\n"),
                "x.yaml:13:34: error: network.default.udp.reorder_delay: '3600.001s' is too large "
                "(at most 3600s = 1 hour)"},
        BadCase{
            "ProcessStartBeyondTheTimeline",
            replaced("    app: fake-client\n", "    app: fake-client\n    start: 99999999999s\n"),
            "x.yaml:11:12: error: processes[1].start: '99999999999s' is too large (at most "
            "8640000s = 100 days)"},
        BadCase{"FaultAtThatOverflows",
                with("faults:\n  - {at: 18446744073709551615ns, crash: server}\n"),
                "x.yaml:13:10: error: faults[0].at: '18446744073709551615ns' is too large (at most "
                "8640000s = 100 days)"},
        BadCase{"AppDurationOptionBeyondTheTimeline",
                replaced("args: {connect: \"server:21567\"}",
                         "args: {connect: \"server:21567\", timeout: 9223372036854775807ns}"),
                "x.yaml:11:46: error: processes[1].args.timeout: '9223372036854775807ns' is too "
                "large (at most 8640000s = 100 days)"},
        BadCase{"QueueAboveOneGibibyte", with("network:\n  default: {queue: 1073741825}\n"),
                "x.yaml:13:20: error: network.default.queue: '1073741825' is not a queue size in "
                "bytes (1..1073741824)"},
        BadCase{"BandwidthBelowOneKbps", with("network:\n  default: {bandwidth: 999}\n"),
                "x.yaml:13:24: error: network.default.bandwidth: '999' is out of range (0 for "
                "unlimited, or 1kbps..1000Gbps)"},
        BadCase{"BandwidthAboveATerabit", with("network:\n  default: {bandwidth: 1001Gbps}\n"),
                "x.yaml:13:24: error: network.default.bandwidth: '1001Gbps' is out of range (0 for "
                "unlimited, or 1kbps..1000Gbps)"},
        BadCase{"RtoAboveAnHour", with("network:\n  default: {tcp: {rto: 3601s}}\n"),
                "x.yaml:13:24: error: network.default.tcp.rto: '3601s' is too large (at most "
                "3600s = 1 hour)"},
        BadCase{"InitialRtoZero", with("network:\n  default: {tcp: {initial_rto: 0}}\n"),
                "x.yaml:13:32: error: network.default.tcp.initial_rto: '0' is not a positive "
                "duration"},
        BadCase{"InitialRtoAboveAnHour", with("network:\n  default: {tcp: {initial_rto: 61m}}\n"),
                "x.yaml:13:32: error: network.default.tcp.initial_rto: '61m' is too large (at "
                "most 3600s = 1 hour)"},
        BadCase{"SynRetriesAboveLinuxsLimit",
                with("network:\n  default: {tcp: {syn_retries: 128}}\n"),
                "x.yaml:13:32: error: network.default.tcp.syn_retries: '128' is not a retry count "
                "(1..127)"},
        BadCase{"Retries2Zero", with("network:\n  default: {tcp: {retries2: 0}}\n"),
                "x.yaml:13:29: error: network.default.tcp.retries2: '0' is not a retry count "
                "(1..255)"},
        BadCase{"SendBufferBelowOneKibibyte",
                with("network:\n  default: {tcp: {send_buffer: 1023}}\n"),
                "x.yaml:13:32: error: network.default.tcp.send_buffer: '1023' is not a buffer size "
                "in bytes (1024..1073741824)"},
        BadCase{"ReceiveBufferAboveOneGibibyte",
                with("faults:\n  - {at: 1s, set_link: {between: [client, server], tcp: "
                     "{receive_buffer: 1073741825}}}\n"),
                "x.yaml:13:74: error: faults[0].set_link.tcp.receive_buffer: '1073741825' is not a "
                "buffer size in bytes (1024..1073741824)"},
        BadCase{"KillOfAnUnknownProcess", with("faults:\n  - {at: 1s, kill: server}\n"),
                "x.yaml:13:20: error: faults[0].kill: unknown process 'server' (processes: srv, "
                "cli)"},
        BadCase{"BackreferenceIsNotRe2",
                with("expect:\n  - {process: cli, stdout_lines_match: '(a)\\1'}\n"),
                "x.yaml:13:40: error: expect[0].stdout_lines_match: '(a)\\1' is not a regex: "
                "backreferences like \\1 are not supported (the syntax is RE2's)"},
        BadCase{"LookaheadIsNotRe2",
                with("expect:\n  - {process: cli, stdout_lines_match: 'a(?=b)'}\n"),
                "x.yaml:13:40: error: expect[0].stdout_lines_match: 'a(?=b)' is not a regex: "
                "lookahead and lookbehind like (?=...) are not supported (the syntax is RE2's)"},
        BadCase{"RegexLongerThanTheMaximum",
                with("expect:\n  - {process: cli, stdout_lines_match: '" + std::string(1001, 'a') +
                     "'}\n"),
                "x.yaml:13:40: error: expect[0].stdout_lines_match: regex too long (1001 "
                "characters; at most 1000)"},
        BadCase{"NulByteBeforeYamlSeesIt", with(std::string("description: a\0b\n", 17)),
                "x.yaml:12:15: error: contains a NUL byte at 12:15 (a scenario file is YAML text)"},
        BadCase{"DeepNesting",
                with("description: " + std::string(40, '[') + std::string(40, ']') + "\n"),
                "x.yaml:12:45: error: nested deeper than 32 levels"},
        BadCase{"LongUnknownKeyIsCut", with(std::string(1000, 'k') + ": 1\n"),
                "x.yaml:12:1: error: " + std::string(60, 'k') + "...: unknown key '" +
                    std::string(60, 'k') +
                    "...' (accepted: name, description, seed, duration, start_time, hosts, "
                    "network, processes, faults, chaos, perturb, expect)"},
        BadCase{"LongUnknownAppOptionIsCut",
                replaced("args: {connect: \"server:21567\"}",
                         "args: {connect: \"server:21567\", " + std::string(1000, 'o') + ": 1}"),
                "x.yaml:11:1039: error: processes[1].args." + std::string(60, 'o') +
                    "...: unknown option --" + std::string(60, 'o') +
                    "... for app fake-client (accepted: --connect, --message, --timeout, "
                    "--bufsize)"},
        BadCase{"LongBadAppOptionValueIsCut",
                replaced("args: {connect: \"server:21567\"}",
                         "args: {connect: \"server:21567\", bufsize: " + std::string(100000, '9') +
                             "}"),
                "x.yaml:11:46: error: processes[1].args.bufsize: '" + std::string(60, '9') +
                    "...' is not a positive number of bytes"},
        BadCase{"NameOf65Characters", replaced("name: t\n", "name: " + std::string(65, 'n') + "\n"),
                "x.yaml:1:7: error: name: '" + std::string(60, 'n') +
                    "...' is not a name (1 to 64 characters, no spaces)"},
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

TEST(ScenarioLoader, TcpLinkKeysAndKillFaultLoad) {
  auto s = load(with(
      "network:\n"
      "  default: {tcp: {rto: 50ms, initial_rto: 3s, syn_retries: 127, retries2: 255,\n"
      "                  syn_linear_timeouts: 0,\n"
      "                  send_buffer: 1073741824, receive_buffer: 1024}}\n"
      "faults:\n"
      "  - {at: 2s, kill: cli}\n"
      "  - {at: 3s, set_link: {between: [client, server], tcp: {initial_rto: 60m, syn_retries: 1,\n"
      "                                                         retries2: 1, send_buffer: 2048,\n"
      "                                                         receive_buffer: 4096}}}\n"
      "expect:\n"
      "  - {process: cli, state: killed}\n"));
  const auto& d = s.default_link;
  EXPECT_EQ(d.tcp_rto, 50ms);
  EXPECT_EQ(d.tcp_initial_rto, 3s);
  EXPECT_EQ(d.tcp_syn_retries, 127u);
  EXPECT_EQ(d.tcp_retries2, 255u);
  EXPECT_EQ(d.tcp_syn_linear_timeouts, 0u);
  EXPECT_EQ(d.tcp_send_buffer, 1073741824u);
  EXPECT_EQ(d.tcp_receive_buffer, 1024u);
  ASSERT_EQ(s.faults.size(), 2u);
  EXPECT_EQ(std::get<sim::Kill>(s.faults[0].action).process, "cli");
  auto set = std::get<sim::SetLink>(s.faults[1].action);
  EXPECT_EQ(set.patch.tcp_initial_rto, 1h);
  EXPECT_EQ(set.patch.tcp_syn_retries, 1u);
  EXPECT_EQ(set.patch.tcp_retries2, 1u);
  EXPECT_EQ(set.patch.tcp_send_buffer, 2048u);
  EXPECT_EQ(set.patch.tcp_receive_buffer, 4096u);
  EXPECT_EQ(s.expectations.at(0).state, sim::ProcessState::killed);
  sim::LinkConfig cfg;
  set.patch.apply_to(cfg);
  EXPECT_EQ(cfg.tcp.syn_retries, 1u);
  EXPECT_EQ(cfg.tcp.rto, 200ms);  // not in the patch: Linux's default stays
}

TEST(ScenarioLoader, LargestValuesOfEachRangeAreAccepted) {
  auto s = load(replaced("duration: 10s", "duration: 8640000s") +
                "start_time: 2105-10-29T00:00:00Z\n"
                "network:\n"
                "  default: {latency: 3600s, jitter: 60m, bandwidth: 1000Gbps, queue: 1073741824,\n"
                "            udp: {reorder_delay: 3600000000000ns}, tcp: {rto: 60m}}\n"
                "  links:\n"
                "    - {between: [client, server], bandwidth: 1kbps}\n"
                "faults:\n"
                "  - {at: 8640000s, crash: server}\n");
  EXPECT_EQ(s.duration, 24h * 100);
  EXPECT_EQ(s.default_link.latency, 1h);
  EXPECT_EQ(s.default_link.jitter, 1h);
  EXPECT_EQ(s.default_link.bandwidth_bps, 1'000'000'000'000u);
  EXPECT_EQ(s.default_link.queue_bytes, 1u << 30);
  EXPECT_EQ(s.default_link.udp_reorder_delay, 1h);
  EXPECT_EQ(s.links.at(0).patch.bandwidth_bps, 1000u);
  EXPECT_EQ(s.faults.at(0).at, 24h * 100);
}

TEST(ScenarioLoader, NamesCountCharactersNotBytes) {
  std::string e64, e65;
  for (int i = 0; i < 64; ++i) e64 += "\xc3\xa9";  // 'é', two bytes each
  e65 = e64 + "\xc3\xa9";
  EXPECT_EQ(load(replaced("name: t\n", "name: " + e64 + "\n")).name, e64);
  EXPECT_NE(error_of(replaced("name: t\n", "name: " + e65 + "\n"))
                .find("is not a name (1 to 64 "
                      "characters"),
            std::string::npos);
}

TEST(ScenarioLoader, AliasesRepeatingAMegabyteThousandsOfTimesAreRejected) {
  // 1.3 MB of text that would expand to 5 GB of option values.
  std::string text =
      replaced("args: {connect: \"server:21567\"}", "args: {connect: \"server:21567\", message: [");
  for (int i = 0; i < 5000; ++i) text += (i ? ", *big" : "*big");
  text += "]}\ndescription: &big \"" + std::string(1'000'000, 'x') + "\"\n";
  // The anchor must come first in the file: move description before processes.
  auto at = text.find("description:");
  std::string desc = text.substr(at);
  text.erase(at);
  text.insert(text.find("processes:"), desc);
  std::string msg = error_of(text);
  EXPECT_NE(msg.find("error: aliases repeat more than 16777216 bytes (16 MiB) of content"),
            std::string::npos)
      << msg.substr(0, 300);
  EXPECT_EQ(msg.rfind("x.yaml:13:", 0), 0u) << msg.substr(0, 300);
}

TEST(ScenarioLoader, AFewSmallAliasesAreFine) {
  auto s =
      load(with("network:\n  default: &slow {latency: 5ms}\n  links:\n"
                "    - {between: [client, server], udp: {loss: 1%}}\n"
                "faults:\n  - {at: 1s, set_link: {between: [client, server], latency: 9ms}}\n"
                "  - &heal {at: 2s, heal: [client, server]}\n"));
  EXPECT_EQ(s.default_link.latency, 5ms);
}

TEST(ScenarioLoader, UnknownHostMessageListsAFewHostsNotAll) {
  std::string text = "name: t\nduration: 1s\nhosts:\n";
  for (int i = 0; i < 1000; ++i) {
    text += "  - {name: h" + std::to_string(i) + ", address: 10.0." + std::to_string(i / 256) +
            "." + std::to_string(i % 256 + 0) + "}\n";
  }
  text.replace(text.find("10.0.0.0}"), 9, "10.9.9.9}");
  text += "faults:\n  - {at: 1s, crash: nowhere}\n";
  EXPECT_EQ(error_of(text),
            "x.yaml:1005:21: error: faults[0].crash: unknown host 'nowhere' (hosts: h0, h1, h2, "
            "h3, h4, h5, h6, h7, h8, h9, ... (990 more))");
}

// A file in a fresh directory under the test's temporary directory.
class ScenarioLoaderFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("loader-files-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string error_of_file(const std::string& path) {
    try {
      load_scenario_file(path, testing::fake_apps());
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(ScenarioLoaderFiles, ADirectoryIsSaidToBeOne) {
  EXPECT_EQ(error_of_file(dir_.string()), dir_.string() + ":1:1: error: " + dir_.string() +
                                              " is a directory, not a scenario file");
}

TEST_F(ScenarioLoaderFiles, AFifoWithoutAWriterIsRejectedAtOnce) {
  std::string fifo = (dir_ / "pipe.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of_file(fifo), fifo + ":1:1: error: " + fifo +
                                     " is not a regular file (a device, FIFO or socket); scenario "
                                     "files are regular files");
}

TEST_F(ScenarioLoaderFiles, ADeviceIsNotReadUntilMemoryRunsOut) {
  EXPECT_EQ(error_of_file("/dev/zero"),
            "/dev/zero:1:1: error: /dev/zero is not a regular file (a device, FIFO or socket); "
            "scenario files are regular files");
}

TEST_F(ScenarioLoaderFiles, AFileOver16MiBIsRejectedBeforeReading) {
  std::string big = (dir_ / "big.yaml").string();
  int fd = ::open(big.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 16 * 1024 * 1024 + 1), 0);  // sparse: no disk space used
  ::close(fd);
  EXPECT_EQ(error_of_file(big), big + ":1:1: error: " + big +
                                    " is 16777217 bytes; scenario files are at most 16777216 bytes "
                                    "(16 MiB)");
}

TEST_F(ScenarioLoaderFiles, ARegularFileLoads) {
  std::string path = (dir_ / "ok.yaml").string();
  { std::ofstream(path) << kHead; }
  EXPECT_EQ(load_scenario_file(path, testing::fake_apps()).hosts.size(), 2u);
}

}  // namespace
}  // namespace simsock::scenario

namespace simsock::scenario {
namespace {

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
