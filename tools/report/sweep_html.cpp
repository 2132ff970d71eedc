// How the index is built: failures are grouped by the text before their first ": " (the
// expectation's description, as RunResult::first_failure() writes it); the page is plain HTML
// with inline styles and relative links, so the directory can be moved or archived whole.
#include <simsock/tools/report/sweep_html.hpp>

#include <algorithm>
#include <filesystem>

#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {

void SweepIndex::add(const scenario::SeedOutcome& o) {
  if (o.passed) return;
  std::string what = o.detail.substr(0, o.detail.find(": "));
  auto it =
      std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.what == what; });
  if (it == groups_.end()) {
    if (groups_.size() >= k_max_groups) {
      ++other_;
      return;
    }
    groups_.push_back({what, 1, o.seed, o.detail});
    return;
  }
  ++it->count;
  if (o.seed < it->lowest_seed) {
    it->lowest_seed = o.seed;
    it->detail = o.detail;
  }
}

std::vector<SweepIndex::Group> SweepIndex::groups() const {
  auto g = groups_;
  std::sort(g.begin(), g.end(),
            [](const Group& a, const Group& b) { return a.lowest_seed < b.lowest_seed; });
  return g;
}

std::string SweepIndex::render(const std::string& title, const std::string& file,
                               const std::string& seeds, std::uint64_t seeds_run,
                               std::uint64_t failed, const std::vector<std::string>& report_links,
                               const std::vector<std::string>& replays) const {
  std::string p =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\"><title>simsock sweep: " +
      html_escape(title) +
      "</title><style>body{font:14px/1.4 system-ui,sans-serif;margin:16px}"
      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;"
      "vertical-align:top}code{background:#f0f0f0;padding:1px 4px}.fail{color:#b3261e}"
      ".pass{color:#187a2f}</style></head><body>\n<h1>sweep " +
      html_escape(title) + "</h1>\n<p>file <code>" + html_escape(file) + "</code> · seeds <code>" +
      html_escape(seeds) + "</code> · " + std::to_string(seeds_run) + " run · <span class=\"" +
      (failed ? "fail" : "pass") + "\">" + std::to_string(failed) + " failed</span></p>\n";
  auto g = groups();
  if (g.empty()) {
    p += "<p class=\"pass\">No seed failed.</p>\n";
  } else {
    p += "<table id=\"groups\"><tr><th>first failed expectation</th><th>seeds</th><th>lowest "
         "seed</th><th>its failure</th><th>replay</th></tr>\n";
    for (std::size_t i = 0; i < g.size(); ++i) {
      const std::string link = i < report_links.size() ? report_links[i] : "";
      const std::string seed = std::to_string(g[i].lowest_seed);
      p += "<tr class=\"group\"><td>" + html_escape(g[i].what) + "</td><td>" +
           std::to_string(g[i].count) + "</td><td>" +
           (link.empty() ? seed : "<a href=\"" + html_escape(link) + "\">seed " + seed + "</a>") +
           "</td><td>" + html_escape(g[i].detail) + "</td><td><code>" +
           html_escape(i < replays.size() ? replays[i] : "") + "</code></td></tr>\n";
    }
    p += "</table>\n";
  }
  if (other_) {
    p += "<p>" + std::to_string(other_) + " more failing seeds fall outside the first " +
         std::to_string(k_max_groups) + " groups.</p>\n";
  }
  p += "</body></html>\n";
  return p;
}

std::string seed_report_path(const std::string& index_path, std::uint64_t seed) {
  std::filesystem::path p(index_path);
  std::string stem = p.stem().string();
  auto name = stem + "-seed-" + std::to_string(seed) + ".html";
  return (p.parent_path() / name).string();
}

}  // namespace simsock::report
