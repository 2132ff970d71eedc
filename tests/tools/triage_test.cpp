// Sweep triage (tools/scenario/triage.hpp): what identifies a failure (the first failed
// expectation and its process's error text, digits replaced by N), and the group table (count,
// lowest seed and its detail per group, listed by lowest seed, a bounded number of groups).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/triage.hpp>

namespace simsock::scenario {
namespace {

// A client that connects to a port nobody listens on and fails; `port` and `expect` vary.
ScenarioSpec refused(int port, const std::string& expect) {
  return load_scenario_text(R"(name: refused
duration: 5s
hosts:
  - {name: server, address: 10.0.0.1}
  - {name: client, address: 10.0.0.2}
processes:
  - {name: cli, host: client, app: tcp-ts-client, args: {connect: "server:)" +
                                std::to_string(port) + R"("}}
expect:
)" + expect,
                            "refused.yaml");
}

FailureKey key_of(const ScenarioSpec& spec) {
  auto r = run_scenario(spec, 1);
  EXPECT_FALSE(r.passed);
  return failure_key(spec, r);
}

TEST(SweepTriage, AFailureKeyIsTheFirstFailedExpectationAndItsProcessErrorWithDigitsAsN) {
  auto key = key_of(refused(21567, "  - {process: cli, exit: 0}\n"));
  EXPECT_EQ(key.expectation, "cli exit 0");
  EXPECT_EQ(key.error, "tcp-ts-client: cannot connect to server:N: Connection refused");
  // Another port is the same bug: every run of digits became one N.
  EXPECT_EQ(key_of(refused(80, "  - {process: cli, exit: 0}\n")), key);
  // The first failed expectation names the group, not a later one.
  auto later = key_of(refused(80,
                              "  - {process: cli, stdout: \"\"}\n"
                              "  - {process: cli, exit: 7}\n"
                              "  - {process: cli, exit: 0}\n"));
  EXPECT_EQ(later.expectation, "cli exit 7");
  EXPECT_EQ(later.error, key.error);
}

TEST(SweepTriage, AnExpectationWithoutAProcessHasNoErrorText) {
  auto key = key_of(refused(21567, "  - {stat: tcp.connections, min: 1}\n"));
  EXPECT_EQ(key.expectation, "tcp.connections >= 1");
  EXPECT_EQ(key.error, "");
}

TEST(SweepTriage, GroupsCountTheirSeedsKeepTheLowestAndAreListedByLowestSeed) {
  Triage t;
  const FailureKey a{"cli exit 0", "refused"}, b{"cli exit 0", "timed out"}, c{"srv exit 0", ""};
  // In the order a sweep of several threads might report them.
  t.add(9, a, "a9");
  t.add(11, b, "b11");
  t.add(4, a, "a4");
  t.add(5, c, "c5");
  t.add(2, b, "b2");
  t.add(7, a, "a7");
  auto groups = t.groups();
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].key, b);
  EXPECT_EQ(groups[0].count, 2u);
  EXPECT_EQ(groups[0].lowest_seed, 2u);
  EXPECT_EQ(groups[0].detail, "b2");
  EXPECT_EQ(groups[1].key, a);
  EXPECT_EQ(groups[1].count, 3u);
  EXPECT_EQ(groups[1].lowest_seed, 4u);
  EXPECT_EQ(groups[1].detail, "a4");
  EXPECT_EQ(groups[2].key, c);
  EXPECT_EQ(groups[2].count, 1u);
  EXPECT_EQ(groups[2].lowest_seed, 5u);
  EXPECT_EQ(t.other_count(), 0u);
}

TEST(SweepTriage, FailuresBeyondTheGroupLimitAreOnlyCounted) {
  Triage t(2);
  t.add(1, {"x", ""}, "x1");
  t.add(2, {"y", ""}, "y2");
  t.add(3, {"z", ""}, "z3");
  t.add(4, {"x", ""}, "x4");
  t.add(5, {"z", ""}, "z5");
  auto groups = t.groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].count, 2u);  // x: seeds 1 and 4
  EXPECT_EQ(groups[1].count, 1u);  // y
  EXPECT_EQ(t.other_count(), 2u);  // z twice
}

}  // namespace
}  // namespace simsock::scenario
