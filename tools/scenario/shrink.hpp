// Shrinking a failing run: from a scenario and a seed whose run fails, search for a smaller
// scenario that still fails the same way (the same first failed expectation and app error,
// tools/scenario/triage.hpp) with the same seed. The steps, repeated while they make progress:
//
//   1. the chaos plan becomes explicit faults (once, first);
//   2. faults are removed (halves, then quarters, ... then one at a time), each with its undo
//      (tools/scenario/fault_pairs.hpp): an undo is never removed alone, which would make a
//      short fault permanent;
//   3. each fault moves earlier with its undo (a binary search toward 0), then each undo moves
//      toward its fault, which shortens the fault;
//   4. loss, duplication, reordering and jitter of every link and link change go to 0, or half;
//   5. the run's duration is cut (a binary search);
//   6. messages (`message` options) are dropped from app arguments, keeping one per process.
//
// A candidate counts only when it fails with the key and, for each cause the original run
// passes without (its faults and chaos; its schedule perturbation; or, when neither alone,
// both), it still passes without that cause: the failure stays the causes' doing. A
// perturbation the failure does not need is turned off (once, before step 1).
//
// Every candidate is a full run, so what shrinking keeps is what the simulator confirmed. The
// search depends only on the runs' results, so it is deterministic; the budget (a run count and a
// wall-clock limit) only stops it early, and the result says when it did.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <simsock/tools/scenario/report.hpp>
#include <simsock/tools/scenario/spec.hpp>
#include <simsock/tools/scenario/triage.hpp>

namespace simsock::scenario {

struct ShrinkOptions {
  std::uint64_t max_runs = 2000;                    // candidate runs at most
  std::chrono::milliseconds budget{60'000};         // wall-clock limit
  std::function<void(const std::string&)> on_step;  // told each accepted step (may be empty)
};

struct ShrinkResult {
  bool failed = false;  // the original run failed (otherwise nothing was shrunk)
  FailureKey key;       // how it fails
  ScenarioSpec spec;    // the smallest failing scenario found; its seed is the run's seed
  std::vector<std::string> steps;  // what was removed or reduced, one line each, in order
  std::uint64_t runs = 0;          // runs made, the original included
  bool budget_exhausted = false;   // the search stopped on the budget, not because it was done
  RunResult last;                  // the run of `spec`
};

// Shrinks the failure of `spec` with `seed`. The spec's seed is ignored; the result's is `seed`.
ShrinkResult shrink_scenario(const ScenarioSpec& spec, std::uint64_t seed,
                             const ShrinkOptions& options = {});

}  // namespace simsock::scenario
