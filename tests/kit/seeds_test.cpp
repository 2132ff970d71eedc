// Seeds: the range chosen from the environment, --gtest_repeat advancing it, the failure message
// naming the seed and a replay command that reproduces exactly that seed, and the determinism
// helper. The DISABLED_ tests are run only as child processes by the tests below.
#include <simsock/sim/testing/seeds.hpp>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "tests/kit/child_process.hpp"

namespace simsock {
namespace {

using kit_test::run_command;
using kit_test::self_path;

// Sets (or unsets, for nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

struct CleanSeedEnv {
  ScopedEnv a{"SIMSOCK_SEED", nullptr};
  ScopedEnv b{"SIMSOCK_SEEDS", nullptr};
};

const std::string k_clean_env = "env -u SIMSOCK_SEED -u SIMSOCK_SEEDS ";

TEST(Seeds, DefaultIsTheFixedSeedOrAFixedSweep) {
  CleanSeedEnv clean;
  ASSERT_EQ(test::repeat_iteration(), 0);
  auto one = test::seed_range();
  EXPECT_EQ(one.first, 1u);
  EXPECT_EQ(one.count, 1u);
  EXPECT_FALSE(one.replay);
  auto sweep = test::seed_range(50);
  EXPECT_EQ(sweep.first, 1u);
  EXPECT_EQ(sweep.last(), 50u);
}

TEST(Seeds, SimsockSeedReplaysExactlyOneSeed) {
  CleanSeedEnv clean;
  ScopedEnv seed("SIMSOCK_SEED", "17");
  auto r = test::seed_range(50);
  EXPECT_EQ(r.first, 17u);
  EXPECT_EQ(r.count, 1u);
  EXPECT_TRUE(r.replay);
}

TEST(Seeds, SimsockSeedsTakesTheSweepGrammar) {
  CleanSeedEnv clean;
  {
    ScopedEnv seeds("SIMSOCK_SEEDS", "5..9");
    auto r = test::seed_range();
    EXPECT_EQ(r.first, 5u);
    EXPECT_EQ(r.last(), 9u);
    EXPECT_EQ(r.count, 5u);
  }
  {
    // A single number is that one seed, as `simsock sweep --seeds 30` reads it (not 30 seeds).
    ScopedEnv seeds("SIMSOCK_SEEDS", "30");
    auto r = test::seed_range(4);
    EXPECT_EQ(r.first, 30u);
    EXPECT_EQ(r.count, 1u);
  }
  {
    ScopedEnv seeds("SIMSOCK_SEEDS", "0");
    EXPECT_EQ(test::seed_range().first, 0u);
  }
}

TEST(Seeds, SimsockSeedsListRunsEachListedSeedOnceInAscendingOrder) {
  CleanSeedEnv clean;
  ScopedEnv seeds("SIMSOCK_SEEDS", "9..11,1,10,3");
  std::vector<std::uint64_t> ran;
  EXPECT_FALSE(test::for_each_seed([&](std::uint64_t s) { ran.push_back(s); }).has_value());
  EXPECT_EQ(ran, (std::vector<std::uint64_t>{1, 3, 9, 10, 11}));
}

TEST(Seeds, MalformedVariablesAreErrorsNamingTheVariable) {
  CleanSeedEnv clean;
  for (const char* bad : {"9..3", "x", "1..", "1...4", "1,,2", ",", "18446744073709551616",
                          "0..18446744073709551615", "-1"}) {
    ScopedEnv seeds("SIMSOCK_SEEDS", bad);
    try {
      test::seed_range();
      ADD_FAILURE() << "SIMSOCK_SEEDS=" << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("SIMSOCK_SEEDS"), std::string::npos) << e.what();
    }
  }
  ScopedEnv seed("SIMSOCK_SEED", "-3");
  EXPECT_THROW(test::seed_range(), std::invalid_argument);
}

TEST(Seeds, ForEachSeedRunsEverySeedOfTheRangeInOrder) {
  CleanSeedEnv clean;
  ScopedEnv seeds("SIMSOCK_SEEDS", "100..104");
  std::vector<std::uint64_t> ran;
  auto failed = test::for_each_seed([&](std::uint64_t s) { ran.push_back(s); });
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(ran, (std::vector<std::uint64_t>{100, 101, 102, 103, 104}));
}

TEST(Seeds, ReplayCommandNamesTheSeedBinaryAndTest) {
  EXPECT_EQ(test::replay_command(42),
            "SIMSOCK_SEED=42 " + self_path() +
                " --gtest_filter=Seeds.ReplayCommandNamesTheSeedBinaryAndTest");
}

// ---- failing seeds, under gtest-spi too ----

// The failures `statement` reports, intercepted (gtest-spi's own reporter).
template <typename F>
std::vector<::testing::TestPartResult> failures_of(F statement) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter intercept(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    statement();
  }
  std::vector<::testing::TestPartResult> out;
  for (int i = 0; i < results.size(); ++i)
    if (results.GetTestPartResult(i).failed()) out.push_back(results.GetTestPartResult(i));
  return out;
}

void fail_on_multiples_of_seven() {
  CleanSeedEnv clean;
  test::for_each_seed([](std::uint64_t seed) { EXPECT_NE(seed % 7, 0u) << "bad seed"; }, 20);
}

void assert_on_seed_three() {
  CleanSeedEnv clean;
  test::for_each_seed([](std::uint64_t seed) { ASSERT_NE(seed, 3u) << "fatal seed"; }, 20);
}

TEST(FailingSeeds, ForEachSeedReportsOneFailureNamingTheSeedUnderGtestSpi) {
  EXPECT_NONFATAL_FAILURE(fail_on_multiples_of_seven(), "failed at seed 7 (seed 7 of 1..20)");
  EXPECT_NONFATAL_FAILURE(fail_on_multiples_of_seven(), "bad seed");
  EXPECT_NONFATAL_FAILURE(fail_on_multiples_of_seven(), "replay this seed with:");
}

TEST(FailingSeeds, ForEachSeedReportsAFatalFailureOfTheBodyAsFatal) {
  EXPECT_FATAL_FAILURE(assert_on_seed_three(), "failed at seed 3 (seed 3 of 1..20)");
  EXPECT_FATAL_FAILURE(assert_on_seed_three(), "fatal seed");
}

TEST(FailingSeeds, ForEachSeedPointsAtTheBodysFailingLine) {
  CleanSeedEnv clean;
  int expect_line = 0;
  auto failures = failures_of([&] {
    test::for_each_seed(
        [&](std::uint64_t seed) {
          expect_line = __LINE__ + 1;
          EXPECT_NE(seed, 2u);
        },
        5);
  });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(std::string(failures[0].file_name()), __FILE__);
  EXPECT_EQ(failures[0].line_number(), expect_line);
  // The seed banner's trace points at the for_each_seed call, in this file too.
  EXPECT_NE(std::string(failures[0].message()).find(std::string(__FILE__) + ":"), std::string::npos)
      << failures[0].message();
  EXPECT_EQ(std::string(failures[0].message()).find("sim/testing/"), std::string::npos)
      << failures[0].message();
}

TEST(FailingSeeds, ExceptionsEscapingTheBodyFailAtTheCallersLine) {
  CleanSeedEnv clean;
  const int line = __LINE__ + 2;
  auto failures = failures_of(
      [] { test::for_each_seed([](std::uint64_t) { throw std::runtime_error("boom"); }); });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(std::string(failures[0].file_name()), __FILE__);
  EXPECT_EQ(failures[0].line_number(), line);
  EXPECT_NE(std::string(failures[0].message()).find("boom"), std::string::npos);
}

TEST(FailingSeeds, FindFailingSeedReturnsTheFirstFailingSeedAndItsFailures) {
  std::vector<std::uint64_t> ran;
  auto found = test::find_failing_seed(test::seeds("1..50"), [&](std::uint64_t seed) {
    ran.push_back(seed);
    EXPECT_NE(seed % 7, 0u) << "bad seed";
  });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->seed, 7u);
  EXPECT_NE(found->message.find("bad seed"), std::string::npos) << found->message;
  EXPECT_NE(found->message.find("simsock seed 7; replay: "), std::string::npos) << found->message;
  EXPECT_NE(found->message.find(std::string(__FILE__) + ":"), std::string::npos) << found->message;
  EXPECT_EQ(ran.size(), 7u);
  // What it found is not a failure of this test.
  EXPECT_FALSE(::testing::Test::HasFailure());
}

TEST(FailingSeeds, FindFailingSeedTakesExceptionsAndIsEmptyWhenEverySeedPasses) {
  EXPECT_FALSE(test::find_failing_seed(test::seeds("1..20"), [](std::uint64_t) {}).has_value());
  auto thrown = test::find_failing_seed(test::seeds("3,9"), [](std::uint64_t seed) {
    if (seed == 9) throw std::runtime_error("seed nine");
  });
  ASSERT_TRUE(thrown.has_value());
  EXPECT_EQ(thrown->seed, 9u);
  EXPECT_NE(thrown->message.find("seed nine"), std::string::npos) << thrown->message;
}

void expect_a_failure_that_never_comes() {
  test::expect_some_seed_fails(test::seeds("1..5"), [](std::uint64_t) {});
}

TEST(FailingSeeds, ExpectSomeSeedFailsFailsWhenNoSeedReproducesUnderGtestSpi) {
  EXPECT_NONFATAL_FAILURE(expect_a_failure_that_never_comes(),
                          "expected some seed of 1..5 to fail, but all 5 passed");
  const int line = __LINE__ + 2;
  auto failures =
      failures_of([] { test::expect_some_seed_fails(test::seeds("1..5"), [](std::uint64_t) {}); });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(std::string(failures[0].file_name()), __FILE__);
  EXPECT_EQ(failures[0].line_number(), line);
}

TEST(FailingSeeds, ExpectSomeSeedFailsReturnsTheReproducingSeedWithoutFailing) {
  auto found = test::expect_some_seed_fails(
      test::seeds("10..30"), [](std::uint64_t seed) { EXPECT_LT(seed, 12u) << "too big"; });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->seed, 12u);
  EXPECT_NE(found->message.find("too big"), std::string::npos);
}

TEST(FailingSeeds, SeedsTakesTheGrammarAndRejectsAnythingElse) {
  auto r = test::seeds("1,5,9..12");
  EXPECT_EQ(r.count, 6u);
  EXPECT_EQ(r.first, 1u);
  EXPECT_EQ(r.last(), 12u);
  try {
    test::seeds("9..3");
    ADD_FAILURE() << "9..3 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'9..3'"), std::string::npos) << e.what();
  }
}

// ---- run as child processes only ----

TEST(SeedsChild, DISABLED_FailsOnSeedsDivisibleBySeven) {
  test::for_each_seed(
      [](std::uint64_t seed) {
        std::cout << "ran seed " << seed << "\n";
        EXPECT_NE(seed % 7, 0u) << "bad seed";
      },
      20);
}

TEST(SeedsChild, DISABLED_PrintsItsSeeds) {
  test::for_each_seed([](std::uint64_t seed) { std::cout << "ran seed " << seed << "\n"; });
}

std::vector<std::uint64_t> seeds_ran(const std::string& output) {
  std::vector<std::uint64_t> out;
  for (std::size_t pos = 0; (pos = output.find("ran seed ", pos)) != std::string::npos;) {
    pos += 9;
    out.push_back(std::stoull(output.substr(pos)));
  }
  return out;
}

TEST(Seeds, FailureMessageNamesTheSeedAndItsReplayCommandReproducesIt) {
  const std::string filter = "--gtest_filter=SeedsChild.DISABLED_FailsOnSeedsDivisibleBySeven";
  auto sweep =
      run_command(k_clean_env + self_path() + " --gtest_also_run_disabled_tests " + filter);
  EXPECT_NE(sweep.exit_code, 0);
  // The sweep stops at the first failing seed.
  EXPECT_EQ(seeds_ran(sweep.output), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7}))
      << sweep.output;
  const std::string replay =
      "SIMSOCK_SEED=7 " + self_path() + " " + filter + " --gtest_also_run_disabled_tests";
  EXPECT_NE(sweep.output.find("failed at seed 7 (seed 7 of 1..20)"), std::string::npos)
      << sweep.output;
  // The body's own failure carries the seed too (SCOPED_TRACE).
  EXPECT_NE(sweep.output.find("simsock seed 7; replay: " + replay), std::string::npos)
      << sweep.output;

  // Run the printed command as printed: it runs seed 7 alone, and fails the same way.
  std::string printed = kit_test::line_starting_with(sweep.output, "SIMSOCK_SEED=");
  ASSERT_EQ(printed, replay) << sweep.output;
  auto again = run_command("env -u SIMSOCK_SEEDS " + printed);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(seeds_ran(again.output), std::vector<std::uint64_t>{7}) << again.output;
  EXPECT_NE(again.output.find("bad seed"), std::string::npos);
}

TEST(Seeds, GtestRepeatAdvancesTheSeed) {
  const std::string cmd = self_path() +
                          " --gtest_also_run_disabled_tests"
                          " --gtest_filter=SeedsChild.DISABLED_PrintsItsSeeds --gtest_repeat=3";
  auto plain = run_command(k_clean_env + cmd);
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_EQ(seeds_ran(plain.output), (std::vector<std::uint64_t>{1, 2, 3})) << plain.output;

  auto ranged = run_command(k_clean_env + "SIMSOCK_SEEDS=10..11 " + cmd);
  EXPECT_EQ(seeds_ran(ranged.output), (std::vector<std::uint64_t>{10, 11, 12, 13, 14, 15}))
      << ranged.output;

  auto replay = run_command(k_clean_env + "SIMSOCK_SEED=5 " + cmd);
  EXPECT_EQ(seeds_ran(replay.output), (std::vector<std::uint64_t>{5, 5, 5})) << replay.output;
}

TEST(Seeds, RunsIdenticallyTwiceComparesTheTwoRuns) {
  EXPECT_TRUE(
      test::runs_identically_twice([](std::uint64_t seed) { return std::to_string(seed * 3); }, 9));
  int runs = 0;
  auto differs = test::runs_identically_twice(
      [&](std::uint64_t seed) { return std::to_string(seed + runs++); }, 9);
  EXPECT_FALSE(differs);
  EXPECT_EQ(runs, 2);
  EXPECT_NE(std::string(differs.message()).find("seed 9"), std::string::npos) << differs.message();
}

}  // namespace
}  // namespace simsock
