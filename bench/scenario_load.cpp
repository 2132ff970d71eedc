// `simsock-bench load FILE`: times scenario::load_scenario_file, the call `simsock run` makes
// before it builds the world (reading the file, parsing the YAML, validating every key).
#include "bench/scenario_load.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <simsock/tools/scenario/loader.hpp>
#include "bench/report.hpp"

namespace simsock::bench {

void add_load_workload(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto* load = app.add_subcommand("load", "loading: read and validate one scenario file");
  load->add_option("FILE", *file, "the scenario file (bench/hosts_scenario.py writes large ones)")
      ->required();
  load->callback([file] {
    auto t0 = std::chrono::steady_clock::now();
    scenario::ScenarioSpec spec;
    try {
      spec = scenario::load_scenario_file(*file);
    } catch (const scenario::ScenarioError& e) {
      std::cerr << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_result("load", wall, static_cast<double>(spec.hosts.size()), "hosts",
                 {{"processes", spec.processes.size()},
                  {"links", spec.links.size()},
                  {"expectations", spec.expectations.size()}});
  });
}

}  // namespace simsock::bench
