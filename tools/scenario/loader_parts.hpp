// The loader's sections, one per top-level key group. Internal to the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <simsock/tools/scenario/spec.hpp>
#include <simsock/tools/scenario/yaml_field.hpp>

namespace simsock::scenario::detail {

// Input limits (docs/scenario-format.md, "Limits").
inline constexpr std::uint64_t k_max_file_bytes = 16 * 1024 * 1024;

// The contents of the regular file at `path` (at most k_max_file_bytes); fails at 1:1 on a
// directory, a device, a FIFO, a socket, a larger file or a read error. Never blocks on a FIFO.
std::string read_file(const std::string& path);
// Fails on text larger than k_max_file_bytes and on a NUL byte (at its position).
void check_text(std::string_view text, const std::string& file);

// The hosts and processes loaded so far, by name: index into spec.hosts / spec.processes. Only
// looked up, never iterated, so hashing does not decide any order.
struct Names {
  std::unordered_map<std::string, std::size_t> hosts, processes;
};

// Fails at `f` unless `host` is one of the spec's hosts; the message lists some of them.
void check_host(const Field& f, const ScenarioSpec& spec, const Names& names,
                const std::string& host);
// Fails at `f` unless `process` is one of the spec's processes.
void check_process(const Field& f, const ScenarioSpec& spec, const Names& names,
                   const std::string& process);

// One link: a mapping of the link keys (latency, jitter, bandwidth, queue, udp, tcp), as in
// network.default; only the keys written are set in the patch. Fails on anything else.
sim::LinkPatch parse_link_map(const Field& f);
// The link keys among `entries` (others, such as `between`, are left to the caller).
sim::LinkPatch parse_link_entries(const std::vector<std::pair<std::string, Field>>& entries);
// network: {default: LINK, links: [...]}. Hosts must already be loaded.
void load_network(const Field& network, ScenarioSpec& spec, const Names& names);
// faults: [...]. Hosts and processes must already be loaded.
void load_faults(const Field& faults, ScenarioSpec& spec, const Names& names);
// chaos: {...} (random fault plans). Hosts, processes and the duration must already be loaded.
void load_chaos(const Field& chaos, ScenarioSpec& spec, const Names& names);
// perturb: true | {order: BOOL, delay: DURATION}.
void load_perturb(const Field& perturb, ScenarioSpec& spec);
// expect: [...]. Processes must already be loaded.
void load_expectations(const Field& expect, ScenarioSpec& spec, const Names& names);

}  // namespace simsock::scenario::detail
