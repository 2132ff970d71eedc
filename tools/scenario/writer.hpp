// Writing a loaded scenario back as a scenario file: what `simsock shrink` saves. The text loads
// to an equal ScenarioSpec (same hosts, links, processes, faults, perturbation and expectations;
// durations and probabilities exact), in the keys of docs/scenario-format.md.
#pragma once

#include <string>

#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

// The YAML text of `spec`. A chaos section is not written: materialise its plan into `faults`
// first (shrink does). `comment` (may be empty) becomes "# " lines at the top.
std::string render_scenario_yaml(const ScenarioSpec& spec, const std::string& comment = {});

// A fault in the scenario syntax, one line: "{at: 2s, partition: [client, server]}".
std::string render_fault(const sim::Fault& fault);

}  // namespace simsock::scenario
