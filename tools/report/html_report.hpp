// The HTML timeline of one run (`simsock run FILE --html report.html`, `simsock sweep --html`, and
// the testing kit's SIMSOCK_HTML_DIR): a single self-contained file (scripts and styles inline,
// no fetches) with a header (scenario, seed, verdict, expectations, replay line), a sequence
// diagram on virtual time (a lane per host with its processes, an arrow per packet from send to
// arrival, drops ending in a mark with their reason, retransmissions, duplicates, reorderings and
// SYN/FIN/RST told apart, faults as bands, process starts and exits), zoom, pan, a filter by
// connection or host pair, details on click, and counters over time. docs/reports.md shows one.
//
// Size bound: a Timeline made with k_html_max_items keeps the first 200,000 packets and events in
// detail (at most about 75 bytes each in the file, so the page stays under 16 MiB plus the
// strings, each at most 200 bytes); later ones are only counted per kind, and the counters over
// time still cover the whole run.
#pragma once

#include <string>

#include <simsock/tools/report/timeline.hpp>

namespace simsock::report {

inline constexpr std::size_t k_html_max_items = 200'000;

// The whole page. Deterministic: the same run and header give the same bytes.
std::string render_html(const Timeline& timeline, const ReportHeader& header);

// The page around the data (html_page.cpp): `data_json` is the run as one JSON object.
std::string html_page(const std::string& title, const std::string& data_json);

// `s` as HTML text or an attribute value: &, <, > and " escaped.
std::string html_escape(const std::string& s);

// `s` as a JSON string literal that is also safe inside a <script> element.
std::string json_string(const std::string& s);

}  // namespace simsock::report
