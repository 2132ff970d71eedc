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
//   - SIMSOCK_SEEDS=A..B:    seeds A to B inclusive;
//   - SIMSOCK_SEEDS=K:       K seeds starting at k_default_seed.
// --gtest_repeat advances the seeds: on repetition i (from 0) a range of n seeds is shifted by
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

namespace simsock::test {

// The seed a test uses when nothing asks for another.
inline constexpr std::uint64_t k_default_seed = 1;

// A contiguous range of seeds [first, first + count).
struct SeedRange {
  std::uint64_t first = k_default_seed;
  std::uint64_t count = 1;
  bool replay = false;  // true when SIMSOCK_SEED chose the seed
  std::uint64_t last() const { return first + count - 1; }
};

// The seeds to run now, from the environment, `default_count` and the --gtest_repeat iteration
// (see above). Throws std::invalid_argument naming the variable when one is malformed
// (SIMSOCK_SEED not a number, SIMSOCK_SEEDS not "A..B" with A <= B or a positive count).
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

// Runs `body(seed)` for each seed of seed_range(default_count), each under a SCOPED_TRACE with
// seed_banner(seed). Stops at the first seed whose run added a failure (fatal or not), adds one
// summary failure naming the seed, the range and the replay command, and returns that seed.
// Returns nullopt when every seed passed. Exceptions escaping `body` are failures of that seed.
// Failures it adds itself are reported at `where` (the caller).
std::optional<std::uint64_t> for_each_seed(
    const std::function<void(std::uint64_t)>& body, std::uint64_t default_count = 1,
    std::source_location where = std::source_location::current());

// Determinism check: runs `body(seed)` twice and compares what it returns (a trace digest, or any
// string summarising the run). Fails, with both values and the seed, when they differ.
::testing::AssertionResult runs_identically_twice(
    const std::function<std::string(std::uint64_t)>& body, std::uint64_t seed);

}  // namespace simsock::test
