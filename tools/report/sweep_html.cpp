// How the index is drawn: plain HTML with inline styles and relative links, so the directory can
// be moved or archived whole.
#include <simsock/tools/report/sweep_html.hpp>

#include <filesystem>

#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {

std::string render_sweep_index(const std::string& title, const std::string& file,
                               const std::string& seeds, std::uint64_t seeds_run,
                               std::uint64_t failed, const std::vector<SweepIndexRow>& rows,
                               std::uint64_t other) {
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
  if (rows.empty() && other == 0) {
    p += "<p class=\"pass\">No seed failed.</p>\n";
  } else {
    p += "<p>failure groups (" + std::to_string(rows.size()) + ")</p>\n";
    p += "<table id=\"groups\"><tr><th>first failed expectation</th><th>error</th><th>seeds</th>"
         "<th>lowest seed</th><th>its failure</th><th>replay</th></tr>\n";
    for (const auto& r : rows) {
      const auto& g = r.group;
      const std::string seed = std::to_string(g.lowest_seed);
      p += "<tr class=\"group\" data-count=\"" + std::to_string(g.count) + "\" data-seed=\"" +
           seed + "\"><td>" + html_escape(g.key.expectation) + "</td><td>" +
           html_escape(g.key.error) + "</td><td>" + std::to_string(g.count) + "</td><td>" +
           (r.report_link.empty()
                ? seed
                : "<a href=\"" + html_escape(r.report_link) + "\">seed " + seed + "</a>") +
           "</td><td>" + html_escape(g.detail) + "</td><td><code>" + html_escape(r.replay) +
           "</code></td></tr>\n";
    }
    p += "</table>\n";
  }
  if (other) {
    p += "<p>" + std::to_string(other) +
         " more failing seeds fall in further groups (not listed).</p>\n";
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
