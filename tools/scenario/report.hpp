// The outcome of one scenario run and its two renderings: the human report and the JSON object
// of `simsock run --json` (docs/scenario-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <optional>
#include <simsock/sim/world.hpp>

#include <simsock/sim/perturb.hpp>
#include <simsock/tools/scenario/chaos.hpp>
#include <simsock/tools/scenario/expect.hpp>

namespace simsock::scenario {

struct RunResult {
  std::string scenario;  // the scenario's name
  std::string file;      // the path it was loaded from
  std::string description;
  std::uint64_t seed = 0;
  bool passed = false;
  std::int64_t virtual_time_ns = 0;
  std::uint64_t events = 0;
  std::string trace_digest;  // 16 lower-case hex digits
  sim::Stats stats;
  std::vector<sim::ProcessResult> processes;
  std::vector<ExpectationResult> expectations;
  std::optional<ChaosPlan> chaos;  // the plan the seed drew, when the scenario has chaos
  sim::PerturbOptions perturb;     // the schedule perturbation the run used

  // The first failed expectation as "WHAT: DETAIL", or "" when all held.
  std::string first_failure() const;
};

// The command that replays this run: "simsock run FILE --seed N" (FILE shell-quoted if needed),
// with the name set_command_name() gave instead of "simsock" in a user's own command.
std::string replay_command(const std::string& file, std::uint64_t seed);

// The command replay lines name ("simsock" unless set): a user's own command built with
// cli::main sets its name here. Not thread-safe: set it before any run starts.
void set_command_name(std::string name);
const std::string& command_name();

// The JSON object of `simsock run --json`, one line, no trailing newline. Invalid UTF-8 in
// captured output is replaced by U+FFFD.
std::string render_json(const RunResult& r);

struct HumanStyle {
  bool colour = false;  // ANSI colours on the PASS / FAIL (pass) words only, nothing else
  std::size_t max_output_lines = 20;  // longer stdout/stderr is shortened, head and tail kept
};

// The full human report: scenario and seed, processes with state, exit code and output, each
// expectation with a pass/fail mark and the reason it failed, counters, digest, the verdict line
// and the replay command. Ends with a newline.
std::string render_human(const RunResult& r, const HumanStyle& style = {});

// The verdict line alone (what --quiet prints), with a newline:
// "PASS tcp-fragmented seed 7" or "FAIL tcp-fragmented seed 7: WHAT: DETAIL (replay: ...)".
std::string render_verdict(const RunResult& r, const HumanStyle& style = {});

}  // namespace simsock::scenario
