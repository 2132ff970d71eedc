// Seed sweeps: the seed grammar (shared by `simsock sweep --seeds` and the testing kit's
// SIMSOCK_SEEDS), which seeds a sweep (or one shard of it) runs, and running them on several
// threads. Each seed runs in its own world; nothing is shared between runs but the read-only
// scenario, so results do not depend on the number of threads or on their timing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simsock::scenario {

// The seeds first..last, both included.
struct SeedSpan {
  std::uint64_t first = 0, last = 0;
};

// A set of seeds: ascending, disjoint, non-adjacent spans. Never empty when made by parse_seeds,
// and its size always fits in 64 bits.
class SeedSet {
 public:
  SeedSet() = default;
  // One span; requires first <= last and not the whole 64-bit range.
  SeedSet(std::uint64_t first, std::uint64_t last);

  // How many seeds.
  std::uint64_t size() const { return size_; }
  // The smallest and the largest seed; requires size() > 0.
  std::uint64_t front() const { return spans_.front().first; }
  std::uint64_t back() const { return spans_.back().last; }
  // The k-th seed in ascending order (0-based); requires k < size().
  std::uint64_t at(std::uint64_t k) const;
  // True when the set is one span.
  bool contiguous() const { return spans_.size() == 1; }
  const std::vector<SeedSpan>& spans() const { return spans_; }

  // The set with every seed moved up by `offset`; nullopt when a seed would pass 2^64 - 1.
  std::optional<SeedSet> shifted(std::uint64_t offset) const;

  // The grammar again: "7", "1..100", "1,5,9..12".
  std::string to_string() const;

  friend std::optional<SeedSet> parse_seeds(std::string_view text, std::string* error);

 private:
  std::vector<SeedSpan> spans_;
  std::uint64_t size_ = 0;
};

// The seed grammar, one definition for the CLI and the testing kit:
//
//   SEEDS := ITEM ("," ITEM)*      ITEM := N | A..B
//
// N, A and B are decimal integers in 0..18446744073709551615; A..B is every seed from A to B,
// both included, and needs A <= B. Items may come in any order and overlap: the set is their
// union, run in ascending order. Errors (nullopt, with `error` set to a sentence quoting the bad
// part and saying what is accepted): an empty text or item, a number that is not decimal or does
// not fit in 64 bits, an empty range (A > B), and a set of 2^64 seeds (0..18446744073709551615),
// whose size does not fit in 64 bits.
std::optional<SeedSet> parse_seeds(std::string_view text, std::string* error);

// Shard `index` of `count`: the seeds of the set whose 0-based position k in ascending order has
// k % count == index (for a plain range A..B: the seeds S with (S - A) % count == index).
struct Shard {
  std::uint64_t index = 0, count = 1;
};

// "I/N" with N >= 1 and I < N. nullopt when malformed.
std::optional<Shard> parse_shard(std::string_view text);

// GoogleTest's sharding protocol: GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX. nullopt when they are
// not both set; an error message when they are set but not a valid shard.
std::optional<Shard> shard_from_environment(std::string* error);

// How many seeds of `seeds` shard `shard` runs.
std::uint64_t shard_size(const SeedSet& seeds, const Shard& shard);
// The k-th seed (0-based) shard `shard` runs; requires k < shard_size().
std::uint64_t shard_seed(const SeedSet& seeds, const Shard& shard, std::uint64_t k);

// One finished seed.
struct SeedOutcome {
  std::uint64_t seed = 0;
  bool passed = true;
  std::string detail;  // the first failed expectation (or what went wrong); "" when passed
};

struct SweepFailure {
  std::uint64_t seed = 0;
  std::string detail;
};

struct SweepResult {
  std::uint64_t seeds_total = 0;   // seeds the shard has
  std::uint64_t seeds_run = 0;     // seeds that finished (fewer when stopped)
  std::uint64_t failed_count = 0;  // failing seeds among those
  // The first `keep_failures` failing seeds, in seed order, with their detail; the others are
  // only counted, so memory stays bounded however many seeds fail.
  std::vector<SweepFailure> failed;
  bool stopped = false;  // the stop flag ended the sweep before every seed ran
};

// Runs one seed: nullopt when it passed, else the failure's detail. Called concurrently from
// `jobs` threads; it must be safe to call so.
using SeedRun = std::function<std::optional<std::string>(std::uint64_t seed)>;

struct SweepOptions {
  unsigned jobs = 1;                 // threads (at least 1 is used)
  std::size_t keep_failures = 1000;  // failures whose detail SweepResult keeps
  // Set (from anywhere, e.g. a signal handler) to stop: no new seed starts, the running ones
  // finish and are reported. Null: never stops early.
  const std::atomic<bool>* stop = nullptr;
  // Told about each finished seed in seed order, one call at a time, as soon as it and every
  // earlier seed of the shard finished (so the stream is the same whatever `jobs` is).
  std::function<void(const SeedOutcome&)> on_seed;
  // Told after each reported seed: seeds reported, seeds in the shard, failures so far.
  std::function<void(std::uint64_t done, std::uint64_t total, std::uint64_t failed)> progress;
};

// How far, per job, a sweep's threads may run ahead of its first unfinished seed. Wide enough
// that a thread whose seed is slow, or that the system paused for a time slice, does not stall
// the others: with seeds of 0.2 ms, 64 seeds are about 13 ms.
inline constexpr unsigned k_sweep_window_per_job = 64;

// Runs the shard's seeds. A SeedRun that throws counts as a failed seed with "internal error: "
// and the exception's message. At most k_sweep_window_per_job * jobs finished seeds wait to be
// reported (a thread does not start a seed that far ahead of the first unfinished one), so memory
// is bounded by the threads, not by the number of seeds.
SweepResult run_sweep(const SeedSet& seeds, const Shard& shard, const SeedRun& run,
                      const SweepOptions& options = {});

}  // namespace simsock::scenario
