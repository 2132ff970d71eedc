// Seed ranges, shards and the threaded sweep loop (with a fake per-seed run).
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "tools/scenario/sweep.hpp"

namespace simsock::scenario {
namespace {

TEST(ScenarioSweep, ParsesSeedRanges) {
  auto r = parse_seed_range("3..17");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 3u);
  EXPECT_EQ(r->last, 17u);
  EXPECT_EQ(parse_seed_range("5")->last, 5u);
  EXPECT_FALSE(parse_seed_range("9..3"));
  EXPECT_FALSE(parse_seed_range("1..x"));
  EXPECT_FALSE(parse_seed_range("..3"));
  EXPECT_FALSE(parse_seed_range("-1..3"));
  EXPECT_FALSE(parse_seed_range(""));
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
    SeedRange range{10, 45};
    std::multiset<std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n; ++i) {
      Shard shard{i, n};
      for (std::uint64_t k = 0; k < shard_size(range, shard); ++k) {
        std::uint64_t s = shard_seed(range, shard, k);
        EXPECT_EQ((s - range.first) % n, i);
        seen.insert(s);
      }
    }
    ASSERT_EQ(seen.size(), 36u) << "shards " << n;
    for (std::uint64_t s = 10; s <= 45; ++s) EXPECT_EQ(seen.count(s), 1u) << s;
  }
  EXPECT_EQ(shard_size({0, UINT64_MAX}, {0, 2}), (UINT64_MAX / 2) + 1);
  EXPECT_EQ(shard_size({5, 5}, {1, 2}), 0u);
}

TEST(ScenarioSweep, RunsEverySeedOnSeveralThreadsAndSortsFailures) {
  auto run = [](std::uint64_t seed) -> std::optional<std::string> {
    if (seed % 3 == 0) return "seed " + std::to_string(seed) + " failed";
    if (seed == 20) throw std::runtime_error("boom");
    return std::nullopt;
  };
  std::uint64_t last_done = 0;
  auto result =
      run_sweep({1, 30}, {}, 4, run, [&](std::uint64_t done, std::uint64_t total, std::uint64_t) {
        EXPECT_EQ(done, last_done + 1);
        EXPECT_EQ(total, 30u);
        last_done = done;
      });
  EXPECT_EQ(result.seeds_run, 30u);
  ASSERT_EQ(result.failed.size(), 11u);
  EXPECT_EQ(result.failed[0].seed, 3u);
  EXPECT_EQ(result.failed[0].detail, "seed 3 failed");
  EXPECT_EQ(result.failed[6].seed, 20u);
  EXPECT_EQ(result.failed[6].detail, "internal error: boom");
  for (std::size_t i = 1; i < result.failed.size(); ++i) {
    EXPECT_LT(result.failed[i - 1].seed, result.failed[i].seed);
  }
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
