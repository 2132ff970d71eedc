// Running a loaded scenario: build a sim::World from the spec, run it for `duration`, evaluate
// the expectations. Each call uses its own world, so calls on different threads are independent.
#pragma once

#include <cstdint>

#include <simsock/sim/world.hpp>
#include <simsock/tools/scenario/report.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

// Adds the spec's hosts, links, processes and faults to `world` (which must be fresh), turns on
// the spec's perturbation, and schedules the chaos plan for the world's seed (when the spec has a
// chaos section), tracing it as "chaos" events at t = 0.
void build_world(sim::World& world, const ScenarioSpec& spec);
// The same with an explicit chaos plan (null: none, whatever the spec says).
void build_world(sim::World& world, const ScenarioSpec& spec, const ChaosPlan* plan);

// Optional observers of a run; not owned.
struct RunSinks {
  sim::TraceSink* trace = nullptr;
  sim::PacketSink* packets = nullptr;
};

// Runs `spec` with `seed` (the file's seed is not used: pass spec.seed for it) and evaluates its
// expectations. The result is a function of (spec, seed) alone.
RunResult run_scenario(const ScenarioSpec& spec, std::uint64_t seed, const RunSinks& sinks = {});

}  // namespace simsock::scenario
