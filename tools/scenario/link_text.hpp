// One link written on its own (a command-line option, a control message) in the scenario files'
// link syntax: "{latency: 20ms, tcp: {segment: {min: 1, max: 3}}}". The same keys, units, limits
// and messages as network.default in a scenario file.
#pragma once

#include <string>
#include <string_view>

#include <simsock/sim/config.hpp>

namespace simsock::scenario {

// The keys `text` sets, and only those. `source` names the text in messages ("--link"). Throws
// ScenarioError ("SOURCE:LINE:COL: error: KEY: 'VALUE' is not ...") on invalid YAML, on a
// value that is not a mapping, on an unknown key and on a bad value.
sim::LinkPatch load_link_patch(std::string_view text, const std::string& source);

// The link `text` describes: the scenario defaults (sim::LinkConfig{}) with its keys applied.
sim::LinkConfig load_link(std::string_view text, const std::string& source);

}  // namespace simsock::scenario
