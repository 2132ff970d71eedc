#include <simsock/tools/report/run_header.hpp>

namespace simsock::report {

std::vector<std::pair<std::string, std::string>> lanes_for(const scenario::ScenarioSpec& spec) {
  std::vector<std::pair<std::string, std::string>> lanes;
  for (const auto& h : spec.hosts) {
    if (h.addresses.empty()) lanes.emplace_back(h.name, h.address);
    for (const auto& a : h.addresses) lanes.emplace_back(h.name, a);
  }
  return lanes;
}

ReportHeader header_for(const scenario::RunResult& r) {
  ReportHeader h;
  h.title = r.scenario;
  h.file = r.file;
  h.description = r.description;
  h.seed = r.seed;
  h.passed = r.passed;
  h.replay = scenario::replay_command(r.file, r.seed);
  h.digest = r.trace_digest;
  h.virtual_time_ns = r.virtual_time_ns;
  for (const auto& e : r.expectations) h.checks.push_back({e.what, e.passed, e.detail});
  for (const auto& p : r.processes) {
    h.processes.push_back(
        {p.name, p.host, p.app, std::string(sim::to_string(p.state)), p.exit_code});
  }
  h.stats = r.stats;
  return h;
}

}  // namespace simsock::report
