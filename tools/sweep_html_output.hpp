// `simsock sweep --html FILE`: the index of failure groups at FILE and, beside it, the HTML report
// of each group's lowest seed (run again with a timeline attached; the run is a function of the
// scenario and the seed, so it fails as it did in the sweep).
#pragma once

#include <string>

#include <simsock/tools/report/sweep_html.hpp>
#include <simsock/tools/scenario/spec.hpp>
#include <simsock/tools/scenario/sweep.hpp>
#include <simsock/tools/scenario/triage.hpp>

namespace simsock::cli {

// Writes the index of `triage`'s groups (the sweep's own, as it prints them) and the report of
// each group's lowest seed. Throws OutputError naming the file that could not be written.
void write_sweep_html(const std::string& index_path, const scenario::ScenarioSpec& spec,
                      const std::string& file, const std::string& seeds_text,
                      const scenario::SweepResult& result, const scenario::Triage& triage);

// Opens (creating) the index at `index_path` before the sweep, so that an unwritable path fails
// at once (OutputError) instead of after every seed ran.
void check_sweep_html_writable(const std::string& index_path);

// Writes `text` to `path` (truncating it); throws OutputError "cannot open/write WHAT 'PATH'".
void write_text_file(const std::string& path, const std::string& what, const std::string& text);

}  // namespace simsock::cli
