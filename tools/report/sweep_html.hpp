// The index `simsock sweep FILE --seeds S --html index.html` writes: the failing seeds grouped by
// the expectation that failed first, each group with its size, its lowest seed, that seed's
// failure, its replay line and a link to the HTML report of that seed (html_report.hpp), which
// the command writes next to the index as STEM-seed-N.html.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <simsock/tools/scenario/sweep.hpp>

namespace simsock::report {

class SweepIndex {
 public:
  // Groups kept; failures of further kinds are only counted (other()).
  static constexpr std::size_t k_max_groups = 100;

  struct Group {
    std::string what;  // the first failed expectation (the failure's text up to ": ")
    std::uint64_t count = 0;
    std::uint64_t lowest_seed = 0;
    std::string detail;  // the lowest seed's whole failure
  };

  // Records one finished seed (passing seeds are ignored). Seeds may come in any order.
  void add(const scenario::SeedOutcome& o);

  // Groups in order of their lowest seed.
  std::vector<Group> groups() const;
  std::uint64_t other() const { return other_; }

  // The page: `title` (scenario name), `file`, the seed set's text and counts, one row per group
  // linking to `report_links[i]` (a relative file name, or "" when the report could not be
  // made) and showing `replays[i]`.
  std::string render(const std::string& title, const std::string& file, const std::string& seeds,
                     std::uint64_t seeds_run, std::uint64_t failed,
                     const std::vector<std::string>& report_links,
                     const std::vector<std::string>& replays) const;

 private:
  std::vector<Group> groups_;
  std::uint64_t other_ = 0;
};

// The report file of `seed` beside the index at `index_path`: "dir/index.html" gives
// "dir/index-seed-7.html".
std::string seed_report_path(const std::string& index_path, std::uint64_t seed);

}  // namespace simsock::report
