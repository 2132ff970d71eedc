// The index `simsock sweep FILE --seeds S --html index.html` writes: the sweep's failure groups,
// exactly as it prints them under "failure groups (N)" (tools/scenario/triage.hpp: the first
// failed expectation and the failing process's error), each with its size, its lowest seed,
// that seed's failure, its replay line and a link to the HTML report of that seed
// (html_report.hpp), which the command writes next to the index as STEM-seed-N.html.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <simsock/tools/scenario/triage.hpp>

namespace simsock::report {

// One row of the index.
struct SweepIndexRow {
  scenario::FailureGroup group;
  std::string report_link;  // a relative file name, or "" when the report could not be made
  std::string replay;       // the command that replays the group's lowest seed
};

// The page: `title` (scenario name), `file`, the seed set's text and counts, one row per group
// in the order given (each row is `<tr class="group" data-count="N" data-seed="S">` with the
// group's expectation, error, count, link, failure and replay in its cells), and a line for the
// `other` failing seeds of groups the triage did not keep.
std::string render_sweep_index(const std::string& title, const std::string& file,
                               const std::string& seeds, std::uint64_t seeds_run,
                               std::uint64_t failed, const std::vector<SweepIndexRow>& rows,
                               std::uint64_t other);

// The report file of `seed` beside the index at `index_path`: "dir/index.html" gives
// "dir/index-seed-7.html".
std::string seed_report_path(const std::string& index_path, std::uint64_t seed);

}  // namespace simsock::report
