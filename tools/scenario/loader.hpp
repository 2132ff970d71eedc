// Loading scenario files: YAML text -> a validated ScenarioSpec, or one ScenarioError that says
// where (FILE:LINE:COL), which key, which value, and what would be accepted.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

// A problem with a scenario file. what() is the whole message:
// "scenarios/x.yaml:12:16: error: links[0].udp.loss: '120%' is not a probability (0..1 or
// 0%..100%)".
class ScenarioError : public std::runtime_error {
 public:
  // line and column are 1-based.
  ScenarioError(std::string file, int line, int column, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_, column_;
  std::string message_;
};

// Reads and validates the file at `path`. `apps` is the set of apps processes may name (the
// built-in apps by default; tests pass their own). Throws ScenarioError.
ScenarioSpec load_scenario_file(const std::string& path,
                                const std::vector<apps::AppSpec>& apps = apps::all_apps());

// The same for text already in memory; `file` is the name used in messages and in the spec.
ScenarioSpec load_scenario_text(std::string_view text, const std::string& file,
                                const std::vector<apps::AppSpec>& apps = apps::all_apps());

}  // namespace simsock::scenario
