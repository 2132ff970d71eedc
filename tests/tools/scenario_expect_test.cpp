// Expectation evaluation, including not:, and the two report renderings.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <simsock/tools/scenario/expect.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/report.hpp>
#include "tests/tools/scenario_test_apps.hpp"

namespace simsock::scenario {
namespace {

// Loads a scenario with processes `cli` and `srv` and the given expect: block.
ScenarioSpec with_expect(const std::string& expect) {
  return load_scenario_text(
      "name: t\nduration: 1s\nhosts: [{name: h, address: 10.0.0.1}]\n"
      "processes:\n  - {name: srv, host: h, app: fake-server}\n"
      "  - {name: cli, host: h, app: fake-client, args: {connect: 'h:1'}}\n"
      "expect:\n" +
          expect,
      "e.yaml", testing::fake_apps());
}

std::vector<sim::ProcessResult> results(std::string out,
                                        sim::ProcessState state = sim::ProcessState::exited,
                                        int code = 0) {
  sim::ProcessResult srv{"srv", "h", "fake-server", sim::ProcessState::running, {}, "", "", ""};
  sim::ProcessResult cli{"cli", "h", "fake-client", state, {}, std::move(out), "oops: refused\n",
                         ""};
  if (state == sim::ProcessState::exited) cli.exit_code = code;
  return {srv, cli};
}

ExpectationResult eval(const std::string& expect, const std::vector<sim::ProcessResult>& procs,
                       const sim::Stats& stats = {}) {
  auto spec = with_expect(expect);
  return evaluate(spec.expectations.at(0), procs, stats);
}

TEST(ScenarioExpect, ExitCodeAndState) {
  EXPECT_TRUE(eval("  - {process: cli, exit: 0}", results("")).passed);
  auto r = eval("  - {process: cli, exit: 0}", results("", sim::ProcessState::exited, 1));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.what, "cli exit 0");
  EXPECT_EQ(r.detail, "cli exited with code 1");
  r = eval("  - {process: cli, exit: 0}", results("", sim::ProcessState::running));
  EXPECT_EQ(r.detail, "cli was still running");
  EXPECT_TRUE(eval("  - {process: srv, state: running}", results("")).passed);
  EXPECT_FALSE(eval("  - {process: srv, state: exited}", results("")).passed);
}

TEST(ScenarioExpect, StdoutExactContainsAndLineCount) {
  auto procs = results("[x] hello\n[x] world\n");
  EXPECT_TRUE(eval("  - {process: cli, stdout: \"[x] hello\\n[x] world\\n\"}", procs).passed);
  auto r = eval("  - {process: cli, stdout: \"[x] hello\\n[x] word\\n\"}", procs);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail,
            "stdout differs at byte 17: got '[x] hello\\n[x] world\\n', expected "
            "'[x] hello\\n[x] word\\n'");
  EXPECT_TRUE(eval("  - {process: cli, stdout_contains: world}", procs).passed);
  EXPECT_FALSE(eval("  - {process: cli, stdout_contains: planet}", procs).passed);
  EXPECT_TRUE(eval("  - {process: cli, stdout_line_count: 2}", procs).passed);
  EXPECT_EQ(eval("  - {process: cli, stdout_line_count: 3}", procs).detail, "stdout has 2 lines");
  EXPECT_TRUE(eval("  - {process: cli, stderr_contains: refused}", procs).passed);
  EXPECT_TRUE(eval("  - {process: cli, stderr: \"oops: refused\\n\"}", procs).passed);
}

TEST(ScenarioExpect, LinesMatchNeedsEveryLineAndAtLeastOne) {
  const std::string x = "  - {process: cli, stdout_lines_match: '^\\[x\\] \\w+$'}";
  EXPECT_TRUE(eval(x, results("[x] hello\n[x] world\n")).passed);
  EXPECT_TRUE(eval(x, results("[x] hello")).passed);  // no final newline: still one line
  auto r = eval(x, results("[x] hello\n[x] wo\nrld\n"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "line 3 'rld' does not match");
  EXPECT_EQ(eval(x, results("")).detail, "stdout is empty");
  // A partial match is not enough: the whole line must match.
  EXPECT_FALSE(
      eval("  - {process: cli, stdout_lines_match: 'hello'}", results("[x] hello\n")).passed);
}

TEST(ScenarioExpect, LinesMatchOnAVeryLongLineNeitherRecursesNorCrashes) {
  // The docs' own example against a 100,000-character line: std::regex recursed once per
  // character and overflowed the stack near 30,000.
  const std::string x =
      "  - {process: cli, stdout_lines_match: '^\\[\\d{4}-\\d\\d-\\d\\d "
      "\\d\\d:\\d\\d:\\d\\d\\] .*$'}";
  std::string line = "[2000-01-01 00:00:00] " + std::string(100'000, 'y');
  EXPECT_TRUE(eval(x, results(line + "\n")).passed);
  auto r = eval(x, results(line + "\nnope\n"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "line 2 'nope' does not match");
}

TEST(ScenarioExpect, NestedQuantifiersMatchWithoutBacktracking) {
  // (a+)+b against a run of a's backtracked exponentially (7 s at 28 characters, doubling per
  // character); RE2's automaton answers at once.
  const std::string x = "  - {process: cli, stdout_lines_match: '(a+)+b'}";
  EXPECT_FALSE(eval(x, results(std::string(5000, 'a') + "\n")).passed);
  EXPECT_TRUE(eval(x, results(std::string(5000, 'a') + "b\n")).passed);
}

TEST(ScenarioExpect, EcmaScriptStylePatternsKeepTheirMeaning) {
  auto lines = [](const std::string& re, const std::string& out) {
    return eval("  - {process: cli, stdout_lines_match: '" + re + "'}", results(out)).passed;
  };
  EXPECT_TRUE(lines("^\\d{2,3}\\s[a-c]+(x|y)?$", "12 abc\n345 cx\n"));
  EXPECT_FALSE(lines("^\\d{2,3}\\s[a-c]+(x|y)?$", "1 abc\n"));
  EXPECT_TRUE(lines("^\\[[^]]*\\] (hello world|second line)$", "[t] hello world\n"));
  EXPECT_TRUE(lines("\\S+=\\w+", "bytes=100\n"));
}

TEST(ScenarioExpect, KilledStateIsItsOwn) {
  auto r = eval("  - {process: cli, state: killed}", results("", sim::ProcessState::killed));
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.what, "cli state killed");
  r = eval("  - {process: cli, exit: 0}", results("", sim::ProcessState::killed));
  EXPECT_EQ(r.detail, "cli was killed");
  EXPECT_FALSE(
      eval("  - {process: cli, state: crashed}", results("", sim::ProcessState::killed)).passed);
}

TEST(ScenarioExpect, NotInvertsAndExplainsWhenTheInnerOneHolds) {
  auto procs = results("[x] hel\nlo\n");
  auto r = eval("  - not: {process: cli, stdout_lines_match: '^\\[x\\] .*$'}", procs);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.detail, "");
  EXPECT_EQ(r.what, "not cli stdout_lines_match '^\\[x\\] .*$'");
  r = eval("  - not: {process: cli, stdout_contains: hel}", procs);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "it holds, but it is expected not to");
  EXPECT_TRUE(eval("  - not: {not: {process: cli, stdout_contains: hel}}", procs).passed);
}

TEST(ScenarioExpect, StatBoundsAndUnknownCounter) {
  sim::Stats stats{{"udp.dropped", 3}, {"udp.sent", 10}};
  EXPECT_TRUE(eval("  - {stat: udp.dropped, min: 1, max: 3}", results(""), stats).passed);
  auto r = eval("  - {stat: udp.dropped, min: 4}", results(""), stats);
  EXPECT_EQ(r.detail, "udp.dropped = 3, below the minimum 4");
  r = eval("  - {stat: udp.dropped, max: 2}", results(""), stats);
  EXPECT_EQ(r.detail, "udp.dropped = 3, above the maximum 2");
  r = eval("  - {stat: udp.droped, max: 2}", results(""), stats);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "no counter named 'udp.droped' (counters: udp.dropped, udp.sent)");
}

RunResult sample_result() {
  RunResult r;
  r.scenario = "t";
  r.file = "scenarios/t.yaml";
  r.seed = 7;
  r.virtual_time_ns = 1'200'000'000;
  r.events = 5321;
  r.trace_digest = "9f3c1a0b2d4e5f60";
  r.stats = {{"tcp.bytes", 120}, {"udp.sent", 0}};
  r.processes = results("bad \xff byte\n");
  r.expectations = {{"cli exit 0", true, "", 8}, {"cli stdout_contains 'x'", false, "no x", 9}};
  r.passed = false;
  return r;
}

TEST(ScenarioReport, JsonHasTheContractFieldsAndParsesBack) {
  auto j = nlohmann::json::parse(render_json(sample_result()));
  EXPECT_EQ(j["scenario"], "t");
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["virtual_time_ns"], 1200000000);
  EXPECT_EQ(j["events"], 5321);
  EXPECT_EQ(j["trace_digest"], "9f3c1a0b2d4e5f60");
  EXPECT_EQ(j["stats"]["tcp.bytes"], 120);
  ASSERT_EQ(j["processes"].size(), 2u);
  const auto& cli = j["processes"][1];
  EXPECT_EQ(cli["name"], "cli");
  EXPECT_EQ(cli["host"], "h");
  EXPECT_EQ(cli["app"], "fake-client");
  EXPECT_EQ(cli["state"], "exited");
  EXPECT_EQ(cli["exit_code"], 0);
  EXPECT_EQ(cli["stdout"], "bad \xef\xbf\xbd byte\n");  // invalid UTF-8 replaced
  EXPECT_EQ(cli["stderr"], "oops: refused\n");
  EXPECT_TRUE(j["processes"][0]["exit_code"].is_null());  // still running
  EXPECT_EQ(j["processes"][0]["state"], "running");
  ASSERT_EQ(j["expectations"].size(), 2u);
  EXPECT_EQ(j["expectations"][1]["what"], "cli stdout_contains 'x'");
  EXPECT_EQ(j["expectations"][1]["passed"], false);
  EXPECT_EQ(j["expectations"][1]["detail"], "no x");
  EXPECT_EQ(j["replay"], "simsock run scenarios/t.yaml --seed 7");
}

TEST(ScenarioReport, HumanReportShowsMarksReasonsCountersAndReplay) {
  std::string text = render_human(sample_result());
  EXPECT_NE(text.find("scenario t (scenarios/t.yaml, seed 7)"), std::string::npos) << text;
  EXPECT_NE(text.find("pass  cli exit 0"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  cli stdout_contains 'x'"), std::string::npos) << text;
  EXPECT_NE(text.find("        no x\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tcp.bytes  120"), std::string::npos) << text;
  EXPECT_NE(text.find("trace digest 9f3c1a0b2d4e5f60"), std::string::npos) << text;
  EXPECT_NE(text.find("replay: simsock run scenarios/t.yaml --seed 7\n"), std::string::npos);
  EXPECT_EQ(text.find('\033'), std::string::npos);  // no colour unless asked
  EXPECT_NE(render_human(sample_result(), {true}).find("\033[1;31mFAIL"), std::string::npos);
  EXPECT_EQ(render_verdict(sample_result()),
            "FAIL t seed 7: 1 of 2 expectations failed, first: cli stdout_contains 'x': no x "
            "(replay: simsock run scenarios/t.yaml --seed 7)\n");
}

TEST(ScenarioReport, LongOutputIsShortenedKeepingHeadAndTail) {
  RunResult r = sample_result();
  std::string out;
  for (int i = 1; i <= 100; ++i) out += "line " + std::to_string(i) + "\n";
  r.processes[1].out = out;
  std::string text = render_human(r);
  EXPECT_NE(text.find("| line 1\n"), std::string::npos);
  EXPECT_NE(text.find("| line 100\n"), std::string::npos);
  EXPECT_EQ(text.find("| line 50\n"), std::string::npos);
  EXPECT_NE(text.find("more lines"), std::string::npos);
}

TEST(ScenarioReport, ReplayCommandQuotesOddPaths) {
  EXPECT_EQ(replay_command("a b.yaml", 3), "simsock run 'a b.yaml' --seed 3");
  EXPECT_EQ(replay_command("it's.yaml", 3), "simsock run 'it'\\''s.yaml' --seed 3");
}

}  // namespace
}  // namespace simsock::scenario
