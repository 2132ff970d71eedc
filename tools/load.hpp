// Loading the scenario file a command names.
#pragma once

#include <optional>
#include <string>

#include <simsock/tools/scenario/spec.hpp>

namespace simsock::cli {

// Loads `file`; when it is invalid prints its one located message (FILE:LINE:COL: error: ...) on
// stderr and returns nullopt (the command then exits 2).
std::optional<scenario::ScenarioSpec> load_scenario_or_report(const std::string& file);

}  // namespace simsock::cli
