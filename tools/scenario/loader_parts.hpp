// The loader's sections, one per top-level key group. Internal to the loader.
#pragma once

#include <string>
#include <string_view>

#include "tools/scenario/spec.hpp"
#include "tools/scenario/yaml_field.hpp"

namespace simsock::scenario::detail {

// Fails at `f` unless `host` is one of the spec's hosts.
void check_host(const Field& f, const ScenarioSpec& spec, const std::string& host);

// network: {default: LINK, links: [...]}. Hosts must already be loaded.
void load_network(const Field& network, ScenarioSpec& spec);
// faults: [...]. Hosts must already be loaded.
void load_faults(const Field& faults, ScenarioSpec& spec);
// expect: [...]. Processes must already be loaded.
void load_expectations(const Field& expect, ScenarioSpec& spec);

}  // namespace simsock::scenario::detail
