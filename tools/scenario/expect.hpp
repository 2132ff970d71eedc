// Evaluating a scenario's expectations against the end state of a run.
#pragma once

#include <string>
#include <vector>

#include <simsock/sim/world.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

struct ExpectationResult {
  std::string what;  // Expectation::describe()
  bool passed = false;
  std::string detail;  // why it failed ("" when it passed)
  int line = 0;        // where it is in the file
};

// "running", "exited", "crashed", "failed", "killed".
std::string_view state_name(sim::ProcessState s);

// stdout split into lines: "a\nb\n" and "a\nb" are both ["a", "b"]; "" has no lines.
std::vector<std::string_view> split_lines(std::string_view text);

// Evaluates one expectation. `processes` are the run's results; `stats` its counters.
ExpectationResult evaluate(const Expectation& x, const std::vector<sim::ProcessResult>& processes,
                           const sim::Stats& stats);

// Evaluates them all, in order.
std::vector<ExpectationResult> evaluate_all(const std::vector<Expectation>& xs,
                                            const std::vector<sim::ProcessResult>& processes,
                                            const sim::Stats& stats);

// A value for messages: quoted, control characters escaped, cut to `max` characters.
std::string excerpt(std::string_view text, std::size_t max = 60);

}  // namespace simsock::scenario
