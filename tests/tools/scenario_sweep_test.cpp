// Seed ranges, shards and the threaded sweep loop (with a fake per-seed run).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <vector>

#include <simsock/tools/scenario/sweep.hpp>

namespace simsock::scenario {
namespace {

std::optional<SeedSet> seeds(std::string_view text) {
  return parse_seeds(text, nullptr);
}

TEST(ScenarioSweep, ParsesSeedRanges) {
  auto r = seeds("3..17");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->front(), 3u);
  EXPECT_EQ(r->back(), 17u);
  EXPECT_EQ(r->size(), 15u);
  EXPECT_EQ(seeds("5")->size(), 1u);
  EXPECT_EQ(seeds("5")->front(), 5u);
  EXPECT_EQ(seeds("0..18446744073709551614")->size(), UINT64_MAX);
  EXPECT_EQ(seeds("18446744073709551615")->front(), UINT64_MAX);
  for (const char* bad : {"9..3", "1..x", "..3", "-1..3", "", "3..", "1...4", "x", " 1",
                          "18446744073709551616", "1,", ",1", "1,,2"}) {
    EXPECT_FALSE(seeds(bad)) << bad;
  }
}

TEST(ScenarioSweep, ASetOfTwoToTheSixtyFourSeedsIsAnError) {
  std::string error;
  EXPECT_FALSE(parse_seeds("0..18446744073709551615", &error));
  EXPECT_NE(error.find("2^64"), std::string::npos) << error;
  EXPECT_FALSE(
      parse_seeds("0..9223372036854775807,9223372036854775808..18446744073709551615", &error));
}

TEST(ScenarioSweep, SeedListsAreTheSortedUnionOfTheirItems) {
  auto s = seeds("9..12,1,5,11..14,2");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->to_string(), "1..2,5,9..14");
  EXPECT_EQ(s->size(), 9u);
  std::vector<std::uint64_t> all;
  for (std::uint64_t k = 0; k < s->size(); ++k) all.push_back(s->at(k));
  EXPECT_EQ(all, (std::vector<std::uint64_t>{1, 2, 5, 9, 10, 11, 12, 13, 14}));
}

TEST(ScenarioSweep, SeedErrorsQuoteTheBadItem) {
  std::string error;
  EXPECT_FALSE(parse_seeds("1,9..3", &error));
  EXPECT_NE(error.find("'9..3' is an empty range"), std::string::npos) << error;
  EXPECT_FALSE(parse_seeds("1..x", &error));
  EXPECT_NE(error.find("'x' is not a seed"), std::string::npos) << error;
}

TEST(ScenarioSweep, ParsesShards) {
  EXPECT_EQ(parse_shard("2/5")->index, 2u);
  EXPECT_EQ(parse_shard("2/5")->count, 5u);
  EXPECT_FALSE(parse_shard("5/5"));
  EXPECT_FALSE(parse_shard("0/0"));
  EXPECT_FALSE(parse_shard("1"));
}

TEST(ScenarioSweep, ShardsSplitTheSeedsExactlyOnce) {
  for (std::uint64_t n : {1u, 2u, 3u, 7u, 40u}) {
    SeedSet range{10, 45};
    std::multiset<std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n; ++i) {
      Shard shard{i, n};
      for (std::uint64_t k = 0; k < shard_size(range, shard); ++k) {
        std::uint64_t s = shard_seed(range, shard, k);
        EXPECT_EQ((s - range.front()) % n, i);
        seen.insert(s);
      }
    }
    ASSERT_EQ(seen.size(), 36u) << "shards " << n;
    for (std::uint64_t s = 10; s <= 45; ++s) EXPECT_EQ(seen.count(s), 1u) << s;
  }
  EXPECT_EQ(shard_size({0, UINT64_MAX - 1}, {0, 2}), (UINT64_MAX / 2) + 1);
  EXPECT_EQ(shard_size({5, 5}, {1, 2}), 0u);
  // Shards of a list split positions in the list.
  auto list = *seeds("1,5,9..12");
  EXPECT_EQ(shard_size(list, {1, 2}), 3u);
  EXPECT_EQ(shard_seed(list, {1, 2}, 0), 5u);
  EXPECT_EQ(shard_seed(list, {1, 2}, 1), 10u);
  EXPECT_EQ(shard_seed(list, {1, 2}, 2), 12u);
}

TEST(ScenarioSweep, RunsEverySeedOnSeveralThreadsAndReportsThemInSeedOrder) {
  auto run = [](std::uint64_t seed) -> std::optional<std::string> {
    if (seed % 3 == 0) return "seed " + std::to_string(seed) + " failed";
    if (seed == 20) throw std::runtime_error("boom");
    return std::nullopt;
  };
  std::uint64_t last_done = 0;
  std::vector<std::uint64_t> streamed;
  SweepOptions options;
  options.jobs = 4;
  options.on_seed = [&](const SeedOutcome& o) { streamed.push_back(o.seed); };
  options.progress = [&](std::uint64_t done, std::uint64_t total, std::uint64_t) {
    EXPECT_EQ(done, last_done + 1);
    EXPECT_EQ(total, 30u);
    last_done = done;
  };
  auto result = run_sweep({1, 30}, {}, run, options);
  EXPECT_EQ(result.seeds_run, 30u);
  EXPECT_FALSE(result.stopped);
  ASSERT_EQ(streamed.size(), 30u);
  for (std::size_t i = 0; i < streamed.size(); ++i) EXPECT_EQ(streamed[i], i + 1);
  EXPECT_EQ(result.failed_count, 11u);
  ASSERT_EQ(result.failed.size(), 11u);
  EXPECT_EQ(result.failed[0].seed, 3u);
  EXPECT_EQ(result.failed[0].detail, "seed 3 failed");
  EXPECT_EQ(result.failed[6].seed, 20u);
  EXPECT_EQ(result.failed[6].detail, "internal error: boom");
  for (std::size_t i = 1; i < result.failed.size(); ++i) {
    EXPECT_LT(result.failed[i - 1].seed, result.failed[i].seed);
  }
}

TEST(ScenarioSweep, KeepsOnlyTheFirstFailuresDetailsAndCountsTheRest) {
  SweepOptions options;
  options.jobs = 3;
  options.keep_failures = 5;
  auto result = run_sweep(
      {1, 2000}, {},
      [](std::uint64_t seed) -> std::optional<std::string> { return std::to_string(seed); },
      options);
  EXPECT_EQ(result.seeds_run, 2000u);
  EXPECT_EQ(result.failed_count, 2000u);
  ASSERT_EQ(result.failed.size(), 5u);
  EXPECT_EQ(result.failed[0].seed, 1u);
  EXPECT_EQ(result.failed[4].seed, 5u);
}

TEST(ScenarioSweep, StopFlagEndsTheSweepAfterTheRunningSeeds) {
  std::atomic<bool> stop{false};
  SweepOptions options;
  options.jobs = 2;
  options.stop = &stop;
  std::vector<std::uint64_t> streamed;
  options.on_seed = [&](const SeedOutcome& o) {
    streamed.push_back(o.seed);
    if (o.seed == 10) stop = true;
  };
  auto result = run_sweep(
      {1, 1'000'000}, {}, [](std::uint64_t) -> std::optional<std::string> { return std::nullopt; },
      options);
  EXPECT_TRUE(result.stopped);
  EXPECT_GE(result.seeds_run, 10u);
  // At most the seeds already started or finished ahead of seed 10 (the window).
  EXPECT_LE(result.seeds_run, 10u + 2 * k_sweep_window_per_job);
  EXPECT_EQ(result.seeds_run, streamed.size());
  EXPECT_EQ(result.seeds_total, 1'000'000u);
}

TEST(ScenarioSweep, ASlowSeedLetsTheOtherJobRunDozensOfSeedsAhead) {
  // Seed 1 finishes only once 40 later seeds have: a sweep that stalled the second job a few
  // seeds ahead of the slow one would leave seed 1 waiting until its deadline.
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t finished_ahead = 0;
  auto run = [&](std::uint64_t seed) -> std::optional<std::string> {
    std::unique_lock lock(mu);
    if (seed != 1) {
      ++finished_ahead;
      cv.notify_all();
      return std::nullopt;
    }
    if (cv.wait_for(lock, std::chrono::seconds(10), [&] { return finished_ahead >= 40; })) {
      return std::nullopt;
    }
    return "only " + std::to_string(finished_ahead) + " seeds ran while seed 1 was running";
  };
  std::vector<std::uint64_t> streamed;
  SweepOptions options;
  options.jobs = 2;
  options.on_seed = [&](const SeedOutcome& o) { streamed.push_back(o.seed); };
  auto result = run_sweep({1, 200}, {}, run, options);
  EXPECT_EQ(result.failed_count, 0u) << (result.failed.empty() ? "" : result.failed[0].detail);
  ASSERT_EQ(streamed.size(), 200u);
  for (std::size_t i = 0; i < streamed.size(); ++i) EXPECT_EQ(streamed[i], i + 1);
}

TEST(ScenarioSweep, OutOfMemoryInASeedEndsTheSweepWithBadAlloc) {
  SweepOptions options;
  options.jobs = 2;
  EXPECT_THROW(run_sweep(
                   {1, 100}, {},
                   [](std::uint64_t seed) -> std::optional<std::string> {
                     if (seed == 7) throw std::bad_alloc();
                     return std::nullopt;
                   },
                   options),
               std::bad_alloc);
}

TEST(ScenarioSweep, ReadsGoogleTestShardingFromTheEnvironment) {
  ::setenv("GTEST_TOTAL_SHARDS", "4", 1);
  ::setenv("GTEST_SHARD_INDEX", "3", 1);
  std::string error;
  auto shard = shard_from_environment(&error);
  ASSERT_TRUE(shard);
  EXPECT_EQ(shard->index, 3u);
  EXPECT_EQ(shard->count, 4u);
  ::setenv("GTEST_SHARD_INDEX", "4", 1);
  EXPECT_FALSE(shard_from_environment(&error));
  EXPECT_NE(error.find("GTEST_SHARD_INDEX='4'"), std::string::npos);
  ::unsetenv("GTEST_TOTAL_SHARDS");
  ::unsetenv("GTEST_SHARD_INDEX");
  error.clear();
  EXPECT_FALSE(shard_from_environment(&error));
  EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace simsock::scenario
