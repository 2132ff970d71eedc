// Seeds as a first-class part of testing (madsim's MADSIM_TEST_SEED is the model).
//
// A test that runs the simulator asks which seeds to run with and runs its body once per seed:
//
//   TEST(Framing, SurvivesSegmentation) {
//     simsock::test::for_each_seed([](std::uint64_t seed) {
//       sim::World world(seed);
//       ...
//     }, /*default_count=*/50);
//   }
//
// Which seeds (read from the environment at each call):
//   - neither variable set:  `default_count` seeds starting at k_default_seed (fixed: 1), so a
//                            plain run is the same run every time;
//   - SIMSOCK_SEED=N:        exactly seed N (replaying one seed; the same on every repetition);
//   - SIMSOCK_SEEDS=SEEDS:   the seeds SEEDS in ascending order, in the grammar `simsock sweep
//                            --seeds` reads (tools/scenario/sweep.hpp, parse_seeds): a seed `N`,
//                            a range `A..B` (both included) or a list `1,5,9..12`.
// --gtest_repeat advances the seeds: on repetition i (from 0) a set of n seeds is shifted by
// i * n, so `--gtest_repeat=100` over a one-seed test runs seeds 1..100 (not for SIMSOCK_SEED).
//
// Every failure inside the body carries the seed and the exact command that replays it
// ("SIMSOCK_SEED=17 /path/to/test_binary --gtest_filter=Framing.SurvivesSegmentation").
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>

#include <simsock/tools/scenario/sweep.hpp>

namespace simsock::test {

// The seed a test uses when nothing asks for another.
inline constexpr std::uint64_t k_default_seed = 1;

// The seeds to run: `count` seeds from `first` to last(), all of `seeds` in ascending order (a
// plain range unless SIMSOCK_SEEDS listed several).
struct SeedRange {
  std::uint64_t first = k_default_seed;
  std::uint64_t count = 1;
  bool replay = false;  // true when SIMSOCK_SEED chose the seed
  scenario::SeedSet seeds{k_default_seed, k_default_seed};
  std::uint64_t last() const { return seeds.back(); }
};

// The seeds to run now, from the environment, `default_count` and the --gtest_repeat iteration
// (see above). Throws std::invalid_argument naming the variable, its value and what is wrong
// when one is malformed (SIMSOCK_SEED not a number; SIMSOCK_SEEDS not in the seed grammar, an
// empty range or one of 2^64 seeds) or when repeating would move a seed past 2^64 - 1.
SeedRange seed_range(std::uint64_t default_count = 1);

// The current --gtest_repeat iteration, from 0. Installs a GoogleTest event listener on first
// use (call install_seed_listener() from main() to install it before any test runs).
int repeat_iteration();
void install_seed_listener();

// The shell command that re-runs the current test with exactly `seed`:
// "SIMSOCK_SEED=<seed> <absolute test binary> --gtest_filter=<Suite>.<Test>" (plus
// --gtest_also_run_disabled_tests for a DISABLED_ test).
std::string replay_command(std::uint64_t seed);

// The line every seeded failure carries: "simsock seed N; replay: <replay_command(N)>".
std::string seed_banner(std::uint64_t seed);

// The seeds written in the seed grammar ("1..200", "1,5,9..12"), whatever the environment says.
// Throws std::invalid_argument naming the text and what is wrong when it is not in the grammar.
SeedRange seeds(std::string_view text);

// A seed whose run failed, and how.
struct FailingSeed {
  std::uint64_t seed = 0;
  // The failures of that run, each as "FILE:LINE: message" (its SCOPED_TRACEs included), one
  // after another, separated by a blank line; an exception that escaped the body is one of them.
  std::string message;
};

// Runs `body(seed)` for each seed of seed_range(default_count), each under a SCOPED_TRACE with
// seed_banner(seed) at `where`. Stops at the first seed whose run failed (an EXPECT or ASSERT
// failure, or an exception escaping `body`) and reports exactly one failure for it: at the line
// of the body's first failure (at `where` for an exception), fatal if any of the seed's failures
// was, with the seed, its place in the range ("failed at seed 7 (seed 7 of 1..20)"), the body's
// failures and the replay command. Returns that seed; nullopt when every seed passed. Because it
// reports one failure, the reporting works under gtest-spi too (EXPECT_NONFATAL_FAILURE,
// EXPECT_FATAL_FAILURE).
std::optional<std::uint64_t> for_each_seed(
    const std::function<void(std::uint64_t)>& body, std::uint64_t default_count = 1,
    std::source_location where = std::source_location::current());

// Runs `body(seed)` for each seed of `range` in order and returns the first one whose run failed
// (as for for_each_seed) with its failures' text. Those failures are not reported: finding them
// is the point. nullopt when every seed passed. Use it to show that a bug reproduces.
// Each seed runs under a SCOPED_TRACE with seed_banner(seed) at `where`.
std::optional<FailingSeed> find_failing_seed(
    const SeedRange& range, const std::function<void(std::uint64_t)>& body,
    std::source_location where = std::source_location::current());

// find_failing_seed, and a failure at `where` (the caller's line) when no seed of `range` fails:
// "expected some seed of 1..50 to fail, but all 50 passed". Returns what find_failing_seed found.
std::optional<FailingSeed> expect_some_seed_fails(
    const SeedRange& range, const std::function<void(std::uint64_t)>& body,
    std::source_location where = std::source_location::current());

// Determinism check: runs `body(seed)` twice and compares what it returns (a trace digest, or any
// string summarising the run). Fails, with both values and the seed, when they differ.
::testing::AssertionResult runs_identically_twice(
    const std::function<std::string(std::uint64_t)>& body, std::uint64_t seed);

namespace detail {
// The failures the body of the innermost running for_each_seed / find_failing_seed has reported
// so far on this thread (they are intercepted until the seed ends), or null outside one. For the
// kit's own reporting (Sim's HTML report of a failing seed).
const ::testing::TestPartResultArray* seed_failures();
}  // namespace detail

}  // namespace simsock::test
