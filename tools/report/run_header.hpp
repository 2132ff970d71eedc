// The bridge between a scenario run and its reports: the lanes of a scenario's hosts and the
// header of a run's result.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <simsock/tools/report/timeline.hpp>
#include <simsock/tools/scenario/report.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::report {

// (name, address) of each host, in file order: the report's lanes.
std::vector<std::pair<std::string, std::string>> lanes_for(const scenario::ScenarioSpec& spec);

// Scenario, seed, verdict, expectations, processes, counters and the replay line of `r`.
ReportHeader header_for(const scenario::RunResult& r);

}  // namespace simsock::report
