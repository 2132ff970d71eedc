// simsock shrink: from a failing run, write the smallest scenario the search finds that fails the
// same way, print what was removed and the replay line. Exit status: 0 a file that fails was
// written, 1 the run did not fail, 2 bad arguments or scenario file, 3 the file could not be
// written, 4 the written file did not replay the failure (a bug).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include <simsock/net/units.hpp>
#include <simsock/tools/cli.hpp>
#include <simsock/tools/commands.hpp>
#include <simsock/tools/load.hpp>
#include <simsock/tools/outputs.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/shrink.hpp>
#include <simsock/tools/scenario/writer.hpp>

namespace simsock::cli {

std::string default_shrink_path(const std::string& file, std::optional<std::uint64_t> seed) {
  std::filesystem::path p(file);
  std::string stem = p.stem().string();
  std::string name =
      seed ? stem + ".seed-" + std::to_string(*seed) + ".min.yaml" : stem + ".min.yaml";
  return (p.parent_path() / name).string();
}

int shrink_to_file(const scenario::ScenarioSpec& spec, std::uint64_t seed, const std::string& out,
                   std::chrono::milliseconds budget, const std::vector<apps::AppSpec>& catalog,
                   const std::string& command, std::ostream& report) {
  scenario::ShrinkOptions options;
  options.budget = budget;
  auto r = scenario::shrink_scenario(spec, seed, options);
  if (!r.failed) {
    report << "shrink " << spec.name << ": seed " << seed
           << " passes; there is no failure to shrink\n";
    return k_exit_failed;
  }
  std::string comment = "Shrunk by " + command + " shrink from " + spec.file + " seed " +
                        std::to_string(seed) + " (" + std::to_string(r.runs) + " runs).\n" +
                        "It fails: " + r.key.expectation +
                        (r.key.error.empty() ? "" : " (" + r.key.error + ")") + "\n";
  std::string text = scenario::render_scenario_yaml(r.spec, comment);
  {
    std::ofstream file;
    open_output(file, out, "shrunk scenario");
    file << text;
    check_written(file, "shrunk scenario '" + out + "'");
  }
  // The file must replay the failure by itself: load it and run it as `COMMAND run` would, with
  // the command's apps.
  auto again = scenario::load_scenario_file(out, catalog);
  auto replay = scenario::run_scenario(again, again.seed);
  if (replay.passed || !(scenario::failure_key(again, replay) == r.key)) {
    throw std::runtime_error("the shrunk scenario " + out + " does not fail as seed " +
                             std::to_string(seed) + " did");
  }
  report << "shrink " << spec.name << " seed " << seed << ": fails with " << r.key.expectation;
  if (!r.key.error.empty()) report << " (" << r.key.error << ")";
  report << "\n";
  for (const auto& step : r.steps) report << "  " << step << "\n";
  report << "  " << r.spec.faults.size() << (r.spec.faults.size() == 1 ? " fault" : " faults")
         << " left, duration " << net::format_duration(r.spec.duration) << ", " << r.runs << " runs"
         << (r.budget_exhausted ? " (stopped by the budget)" : "") << "\n";
  report << "wrote " << out << "\n";
  report << "replay: " << scenario::replay_command(out, seed) << "\n";
  return k_exit_ok;
}

namespace {

struct ShrinkArgs {
  std::string file, seed_text, out, budget_text = "60s";
  bool perturb = false;
};

int shrink(const ShrinkArgs& a) {
  std::optional<std::uint64_t> seed;
  if (!a.seed_text.empty()) {
    seed = net::parse_uint(a.seed_text);
    if (!seed) {
      throw UsageError("--seed: '" + a.seed_text +
                       "' is not a seed (an integer in 0..18446744073709551615)");
    }
  }
  auto budget = net::parse_duration(a.budget_text);
  if (!budget || *budget <= std::chrono::nanoseconds(0)) {
    throw UsageError("--budget: '" + a.budget_text + "' is not a positive duration (e.g. 30s)");
  }
  std::string out = a.out.empty() ? default_shrink_path(a.file, std::nullopt) : a.out;
  check_distinct_outputs(a.file, {{"--out", out}});
  auto loaded = load_scenario_or_report(a.file);
  if (!loaded) return k_exit_usage;
  if (a.perturb) loaded->perturb.order = true;
  return shrink_to_file(*loaded, seed.value_or(loaded->seed), out,
                        std::chrono::duration_cast<std::chrono::milliseconds>(*budget), catalog(),
                        command_name(), std::cout);
}

}  // namespace

Action add_shrink_command(CLI::App& root) {
  auto a = std::make_shared<ShrinkArgs>();
  auto* sub = root.add_subcommand(
      "shrink", "Write the smallest scenario found that fails as the run of SCENARIO does");
  sub->add_option("SCENARIO", a->file, "scenario file (YAML)")->required()->type_name("FILE");
  sub->add_option("--seed", a->seed_text, "the failing seed (default: the file's)")->type_name("N");
  sub->add_option("--out", a->out, "where to write it (default: next to FILE, NAME.min.yaml)")
      ->type_name("FILE");
  sub->add_option("--budget", a->budget_text, "stop searching after this long (default 60s)")
      ->type_name("DURATION");
  sub->add_flag("--perturb", a->perturb, "shrink a run with schedule perturbation on");
  sub->footer(
      "Exit status: 0 a failing scenario was written, 1 the run did not fail, 2 bad arguments\n"
      "or scenario file, 3 the file could not be written, 4 internal error.");
  return [a] { return shrink(*a); };
}

}  // namespace simsock::cli
