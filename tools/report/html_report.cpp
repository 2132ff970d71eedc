// How the page is filled: the timeline becomes one JSON object (string table, items as arrays
// of integers, samples) embedded in a <script type="application/json"> element that the page's
// script (html_page.cpp) reads.
#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {
namespace {

void append_int(std::string& out, std::int64_t v) {
  out += std::to_string(v);
}

}  // namespace

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '<':
        out += "\\u003c";
        break;  // never "</script>" inside the page
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string render_html(const Timeline& tl, const ReportHeader& h) {
  std::string j;
  const auto& items_ = tl.items();
  const auto& lanes_ = tl.lanes();
  const auto& strings_ = tl.strings();
  const auto& samples_ = tl.samples();
  j.reserve(items_.size() * 64 + 4096);
  j += "{\"header\":{\"title\":" + json_string(h.title) + ",\"file\":" + json_string(h.file) +
       ",\"description\":" + json_string(h.description) + ",\"seed\":\"" + std::to_string(h.seed) +
       "\",\"passed\":" + (h.passed ? "true" : "false") + ",\"replay\":" + json_string(h.replay) +
       ",\"digest\":" + json_string(h.digest) +
       ",\"virtual_time_ns\":" + std::to_string(h.virtual_time_ns) + ",\"checks\":[";
  for (std::size_t i = 0; i < h.checks.size(); ++i) {
    const auto& c = h.checks[i];
    if (i) j += ',';
    j += "{\"what\":" + json_string(c.what) + ",\"passed\":" + (c.passed ? "true" : "false") +
         ",\"detail\":" + json_string(c.detail) + "}";
  }
  j += "],\"processes\":[";
  for (std::size_t i = 0; i < h.processes.size(); ++i) {
    const auto& p = h.processes[i];
    if (i) j += ',';
    j += "{\"name\":" + json_string(p.name) + ",\"host\":" + json_string(p.host) +
         ",\"app\":" + json_string(p.app) + ",\"state\":" + json_string(p.state) +
         ",\"exit_code\":" + (p.exit_code ? std::to_string(*p.exit_code) : "null") + "}";
  }
  j += "],\"stats\":{";
  bool first = true;
  for (const auto& [k, v] : h.stats) {
    if (!first) j += ',';
    first = false;
    j += json_string(k) + ":" + std::to_string(v);
  }
  j += "}},\"lanes\":[";
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    if (i) j += ',';
    j += json_string(lanes_[i]);
  }
  j += "],\"strings\":[";
  for (std::size_t i = 0; i < strings_.size(); ++i) {
    if (i) j += ',';
    j += json_string(strings_[i]);
  }
  // items: [kind, t, end, from, to, flags, len, seq, label, reason, detail, src, dst, conn]
  j += "],\"items\":[";
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const Timeline::Item& it = items_[i];
    if (i) j += ',';
    j += '[';
    for (std::int64_t v : {std::int64_t{it.kind}, it.t, it.end, std::int64_t{it.from},
                           std::int64_t{it.to}, std::int64_t{it.flags}, it.len, it.seq,
                           std::int64_t{it.label}, std::int64_t{it.reason}, std::int64_t{it.detail},
                           std::int64_t{it.src}, std::int64_t{it.dst}, std::int64_t{it.conn}}) {
      append_int(j, v);
      j += ',';
    }
    j.back() = ']';
  }
  j += "],\"summarised\":" + std::to_string(tl.summarised()) + ",\"summarised_kinds\":{";
  first = true;
  for (const auto& [k, v] : tl.summarised_kinds()) {
    if (!first) j += ',';
    first = false;
    j += json_string(k) + ":" + std::to_string(v);
  }
  j += "},\"samples\":[";
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    const Timeline::Sample& s = samples_[i];
    if (i) j += ',';
    j += '[' + std::to_string(s.t) + ',' + std::to_string(s.bytes) + ',' + std::to_string(s.drops) +
         ',' + std::to_string(s.retransmits) + ']';
  }
  j += "]}";
  return html_page(h.title, j);
}

}  // namespace simsock::report
