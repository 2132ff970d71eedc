// The kit's chaos reuses the scenario loader and planner: the Sim's hosts and processes become
// a scenario text with the chaos section, so the section means and is checked exactly as in a
// file; the Sim's current links become the links the plan undoes changes to.
#include <simsock/sim/testing/exploring.hpp>

#include <fstream>
#include <stdexcept>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/writer.hpp>

namespace simsock::test {

namespace {

const std::vector<apps::AppSpec>& kit_apps() {
  static const std::vector<apps::AppSpec> list = {{"kit-process", "a process of the kit", {}}};
  return list;
}

}  // namespace

scenario::ChaosPlan add_chaos(Sim& sim, std::string_view yaml, sim::Duration duration) {
  auto& world = sim.world();
  std::string text = "name: kit\nduration: " + net::format_duration(duration) + "\nhosts:\n";
  auto names = sim.host_names();
  for (const auto& h : names) {
    text += "  - {name: " + h + ", address: " + world.host(h).address().to_string() + "}\n";
  }
  auto procs = world.processes();
  if (!procs.empty()) text += "processes:\n";
  for (const auto& p : procs) {
    text += "  - {name: " + p.name + ", host: " + p.host + ", app: kit-process}\n";
  }
  text += "chaos: " + std::string(yaml) + "\n";
  scenario::ScenarioSpec spec;
  try {
    spec = scenario::load_scenario_text(text, "<chaos>", kit_apps());
  } catch (const scenario::ScenarioError& e) {
    throw std::invalid_argument("chaos " + std::string(yaml) + ": " + e.message());
  }
  for (const auto& a : names) {
    for (const auto& b : names) {
      if (a == b) continue;
      const sim::LinkConfig& c = world.link(a, b);
      sim::LinkPatch now;
      now.latency = c.latency;
      now.jitter = c.jitter;
      now.udp_loss = c.udp.loss;
      now.tcp_loss = c.tcp.loss;
      now.tcp_segment = c.tcp.segment;
      spec.links.push_back({{a, b, false}, now});
    }
  }
  auto plan = scenario::plan_chaos(spec, sim.seed());
  for (const auto& e : plan.episodes) world.trace_chaos(e.describe());
  for (const auto& f : plan.faults()) world.schedule(f);
  return plan;
}

std::string describe(const scenario::ChaosPlan& plan) {
  std::string s = "chaos plan:";
  for (const auto& k : plan.kinds) s += " " + k + ";";
  s += "\n";
  for (const auto& e : plan.episodes) s += "  " + e.describe() + "\n";
  return s;
}

scenario::ShrinkResult shrink_file(const std::string& path, const std::string& out,
                                   std::optional<std::uint64_t> seed,
                                   std::chrono::milliseconds budget,
                                   const std::vector<apps::AppSpec>& catalog) {
  auto spec = scenario::load_scenario_file(path, catalog);
  scenario::ShrinkOptions options;
  options.budget = budget;
  auto r = scenario::shrink_scenario(spec, seed.value_or(spec.seed), options);
  if (!r.failed) return r;
  std::ofstream file(out, std::ios::trunc);
  file << scenario::render_scenario_yaml(
      r.spec, "Shrunk from " + path + " seed " + std::to_string(r.spec.seed) + ".");
  file.flush();
  if (!file) throw std::runtime_error("cannot write shrunk scenario '" + out + "'");
  return r;
}

}  // namespace simsock::test
