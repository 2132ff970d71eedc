// Seed sweeps: which seeds a sweep (or one shard of it) runs, and running them on several
// threads. Each seed runs in its own world; nothing is shared between runs but the read-only
// scenario, so results do not depend on the number of threads or on their timing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simsock::scenario {

// The seeds A..B, both included.
struct SeedRange {
  std::uint64_t first = 0, last = 0;
};

// "A..B" (A <= B) or a single seed "A". nullopt when malformed.
std::optional<SeedRange> parse_seed_range(std::string_view text);

// Shard `index` of `count`: the seeds S of the range with (S - A) % count == index.
struct Shard {
  std::uint64_t index = 0, count = 1;
};

// "I/N" with N >= 1 and I < N. nullopt when malformed.
std::optional<Shard> parse_shard(std::string_view text);

// GoogleTest's sharding protocol: GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX. nullopt when they are
// not both set; an error message when they are set but not a valid shard.
std::optional<Shard> shard_from_environment(std::string* error);

// How many seeds of `range` shard `shard` runs.
std::uint64_t shard_size(const SeedRange& range, const Shard& shard);
// The k-th seed (0-based) shard `shard` runs.
std::uint64_t shard_seed(const SeedRange& range, const Shard& shard, std::uint64_t k);

struct SweepFailure {
  std::uint64_t seed = 0;
  std::string detail;  // the seed's first failed expectation (or what went wrong)
};

struct SweepResult {
  std::uint64_t seeds_run = 0;
  std::vector<SweepFailure> failed;  // in seed order
};

// Runs one seed: nullopt when it passed, else the failure's detail. Called concurrently from
// `jobs` threads; it must be safe to call so.
using SeedRun = std::function<std::optional<std::string>(std::uint64_t seed)>;
// Told after each finished seed (serialized; never concurrently).
using SweepProgress =
    std::function<void(std::uint64_t done, std::uint64_t total, std::uint64_t failed)>;

// Runs the shard's seeds on `jobs` threads (at least 1). A SeedRun that throws counts as a failed
// seed with the exception's message.
SweepResult run_sweep(const SeedRange& range, const Shard& shard, unsigned jobs, const SeedRun& run,
                      const SweepProgress& progress = {});

}  // namespace simsock::scenario
