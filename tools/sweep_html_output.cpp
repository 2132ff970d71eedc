#include <simsock/tools/sweep_html_output.hpp>

#include <filesystem>
#include <fstream>

#include <simsock/tools/outputs.hpp>
#include <simsock/tools/report/html_report.hpp>
#include <simsock/tools/report/run_header.hpp>
#include <simsock/tools/scenario/runner.hpp>

namespace simsock::cli {

void write_text_file(const std::string& path, const std::string& what, const std::string& text) {
  std::ofstream out;
  open_output(out, path, what);
  out << text;
  check_written(out, what + " '" + path + "'");
}

void check_sweep_html_writable(const std::string& index_path) {
  std::ofstream probe;
  open_output(probe, index_path, "HTML index");
}

void write_sweep_html(const std::string& index_path, const scenario::ScenarioSpec& spec,
                      const std::string& file, const std::string& seeds_text,
                      const scenario::SweepResult& result, const scenario::Triage& triage) {
  std::vector<report::SweepIndexRow> rows;
  for (const auto& g : triage.groups()) {
    report::Timeline timeline(report::lanes_for(spec), report::k_html_max_items);
    auto r = scenario::run_scenario(spec, g.lowest_seed, {&timeline, &timeline});
    const std::string path = report::seed_report_path(index_path, g.lowest_seed);
    write_text_file(path, "HTML report", report::render_html(timeline, report::header_for(r)));
    rows.push_back({g, std::filesystem::path(path).filename().string(),
                    scenario::replay_command(file, g.lowest_seed)});
  }
  write_text_file(index_path, "HTML index",
                  report::render_sweep_index(spec.name, file, seeds_text, result.seeds_run,
                                             result.failed_count, rows, triage.other_count()));
}

}  // namespace simsock::cli
