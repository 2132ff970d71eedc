#include <simsock/tools/load.hpp>

#include <iostream>

#include <simsock/tools/cli.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace simsock::cli {

std::optional<scenario::ScenarioSpec> load_scenario_or_report(const std::string& file) {
  try {
    return scenario::load_scenario_file(file, catalog());
  } catch (const scenario::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
}

}  // namespace simsock::cli
