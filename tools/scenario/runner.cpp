#include <simsock/tools/scenario/runner.hpp>

#include <algorithm>
#include <optional>

#include <simsock/tools/app_process.hpp>

namespace simsock::scenario {

void build_world(sim::World& world, const ScenarioSpec& spec, const ChaosPlan* plan) {
  world.set_perturb(spec.perturb);
  world.set_start_time(spec.start_time);
  for (const auto& h : spec.hosts)
    world.add_host(h.name, h.addresses.empty() ? std::vector<std::string>{h.address} : h.addresses);
  sim::LinkConfig base;
  spec.default_link.apply_to(base);
  world.set_default_link(base);
  for (const auto& link : spec.links) {
    sim::LinkConfig cfg = base;
    link.patch.apply_to(cfg);
    world.set_link(link.pair.a, link.pair.b, cfg);
    if (link.pair.both_directions) world.set_link(link.pair.b, link.pair.a, cfg);
  }
  for (const auto& p : spec.processes) {
    world.spawn(p.name, p.host, p.app, cli::make_app_process(*p.app_spec, p.options), p.stdin_text,
                p.start);
  }
  for (const auto& f : spec.faults) world.schedule(f);
  if (plan) {
    for (const auto& kind : plan->kinds) world.trace_chaos("on: " + kind);
    for (const auto& e : plan->episodes) world.trace_chaos(e.describe());
    for (const auto& f : plan->faults()) world.schedule(f);
  }
}

void build_world(sim::World& world, const ScenarioSpec& spec) {
  if (!spec.chaos) return build_world(world, spec, nullptr);
  ChaosPlan plan = plan_chaos(spec, world.seed());
  build_world(world, spec, &plan);
}

RunResult run_scenario(const ScenarioSpec& spec, std::uint64_t seed, const RunSinks& sinks) {
  sim::World world(seed);
  if (sinks.trace) world.add_trace_sink(sinks.trace);
  if (sinks.packets) world.add_packet_sink(sinks.packets);
  std::optional<ChaosPlan> plan;
  if (spec.chaos) plan = plan_chaos(spec, seed);
  build_world(world, spec, plan ? &*plan : nullptr);
  std::string stalled;  // the run stopped because virtual time stopped advancing
  try {
    world.run_until(spec.duration);
  } catch (const sim::Stalled& e) {
    stalled = e.what();
  }

  RunResult r;
  r.scenario = spec.name;
  r.file = spec.file;
  r.description = spec.description;
  r.seed = seed;
  r.virtual_time_ns = world.now().count();
  r.events = world.events_processed();
  r.trace_digest = world.digest_hex();
  r.stats = world.stats();
  r.processes = world.processes();
  r.expectations = evaluate_all(spec.expectations, r.processes, r.stats);
  r.chaos = std::move(plan);
  r.perturb = spec.perturb;
  if (!stalled.empty()) {
    r.expectations.insert(r.expectations.begin(),
                          ExpectationResult{"virtual time advances", false, stalled, 0});
  }
  r.passed = std::all_of(r.expectations.begin(), r.expectations.end(),
                         [](const ExpectationResult& e) { return e.passed; });
  return r;
}

}  // namespace simsock::scenario
