#include <simsock/sim/trace_writer.hpp>

#include <array>
#include <charconv>

namespace simsock::sim {

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  // Most text needs no escape: copy the run up to the first character that does, in one append.
  static constexpr auto needs_escape = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    t[0x7f] = t['"'] = t['\\'] = true;
    return t;
  }();
  std::size_t plain = 0;
  while (plain < s.size() && !needs_escape[static_cast<unsigned char>(s[plain])]) ++plain;
  out.append(s.data(), plain);
  s.remove_prefix(plain);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
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
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += "\\u00";
          out.push_back(hex[u >> 4]);
          out.push_back(hex[u & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

void append_number(std::string& out, std::int64_t v) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  (void)ec;
  out.append(digits, end);
}

}  // namespace

void JsonLinesTraceWriter::on_event(const TraceEvent& e) {
  line_.clear();
  line_ += "{\"t\":";
  append_number(line_, e.t);
  line_ += ",\"ev\":";
  append_json_string(line_, e.kind);
  if (!e.src.empty()) {
    line_ += ",\"src\":";
    append_json_string(line_, e.src);
  }
  if (!e.dst.empty()) {
    line_ += ",\"dst\":";
    append_json_string(line_, e.dst);
  }
  if (e.len >= 0) {
    line_ += ",\"len\":";
    append_number(line_, e.len);
  }
  if (e.seq >= 0) {
    line_ += ",\"seq\":";
    append_number(line_, e.seq);
  }
  if (!e.reason.empty()) {
    line_ += ",\"reason\":";
    append_json_string(line_, e.reason);
  }
  if (!e.detail.empty()) {
    line_ += ",\"detail\":";
    append_json_string(line_, e.detail);
  }
  line_ += "}\n";
  out_ << line_;
}

}  // namespace simsock::sim
