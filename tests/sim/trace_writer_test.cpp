// The JSON Lines writer: its numbers, its escapes and when its lines reach the stream.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

#include <simsock/sim/trace_writer.hpp>

namespace simsock::sim {
namespace {

// RFC 8259 escaping one character at a time: what the writer's word-at-a-time paths must equal.
std::string reference_json_string(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string line_of(const TraceEvent& e) {
  std::ostringstream out;
  JsonLinesTraceWriter w(out);
  w.on_event(e);
  return out.str();
}

TEST(JsonLinesTraceWriter, NumbersAreWrittenInFullUpToTheInt64Limits) {
  TraceEvent e;
  e.kind = "k";
  e.t = std::numeric_limits<std::int64_t>::min();
  e.len = std::numeric_limits<std::int64_t>::max();
  e.seq = 0;
  EXPECT_EQ(line_of(e),
            "{\"t\":-9223372036854775808,\"ev\":\"k\",\"len\":9223372036854775807,\"seq\":0}\n");
  // Every digit count, at and around each power of ten, against std::to_string.
  for (std::int64_t p = 1;; p *= 10) {
    for (std::int64_t v : {p - 1, p, p + 1, 5 * p, 9 * p}) {
      for (std::int64_t t : {v, -v}) {
        e.t = t;
        e.len = v;
        e.seq = -1;
        EXPECT_EQ(line_of(e), "{\"t\":" + std::to_string(t) +
                                  ",\"ev\":\"k\",\"len\":" + std::to_string(v) + "}\n")
            << t;
      }
    }
    if (p == 1'000'000'000'000'000'000) break;
  }
}

TEST(JsonLinesTraceWriter, ALongDetailWithEveryByteIsEscapedAsRfc8259Says) {
  std::string detail;
  for (int round = 0; round < 40; ++round) {
    for (int c = 0; c < 256; ++c) detail += static_cast<char>(c);
    detail += "plain text between the escapes ";
  }
  TraceEvent e;
  e.kind = "fault";
  e.detail = detail;
  EXPECT_EQ(line_of(e),
            "{\"t\":0,\"ev\":\"fault\",\"detail\":" + reference_json_string(detail) + "}\n");
  std::string appended = "x";
  append_json_string(appended, detail);
  EXPECT_EQ(appended, "x" + reference_json_string(detail));
}

TEST(JsonLinesTraceWriter, ATextNeedingAnEscapeIsEscapedAfterPlainTextsOfItsLength) {
  // The writer remembers plain endpoint and kind texts of 8 to 16 bytes; one that differs from
  // them in a single escaped byte, anywhere, must still be escaped.
  std::ostringstream out;
  JsonLinesTraceWriter w(out);
  std::string expected;
  for (std::size_t n = 1; n <= 20; ++n) {
    const std::string plain(n, 'a');
    for (std::size_t at = 0; at < n; ++at) {
      for (char special : {'"', '\\', '\n', '\x01', '\x7f'}) {
        std::string odd = plain;
        odd[at] = special;
        for (const std::string* s : {&plain, static_cast<const std::string*>(&odd), &plain,
                                     static_cast<const std::string*>(&odd)}) {
          TraceEvent e;
          e.t = 1;
          e.kind = *s;
          e.src = *s;
          e.dst = *s;
          w.on_event(e);
          const std::string j = reference_json_string(*s);
          expected += "{\"t\":1,\"ev\":" + j + ",\"src\":" + j + ",\"dst\":" + j + "}\n";
        }
      }
    }
  }
  EXPECT_EQ(out.str(), expected);
}

TEST(JsonLinesTraceWriter, HeldLinesReachTheStreamWhenTheHoldFillsOnFlushAndOnDestruction) {
  std::ostringstream out;
  TraceEvent e;
  e.kind = "udp.send";
  e.src = "10.0.0.2:40000";
  e.dst = "10.0.0.1:21567";
  e.len = 5;
  const std::string line =
      "{\"t\":0,\"ev\":\"udp.send\",\"src\":\"10.0.0.2:40000\",\"dst\":\"10.0.0.1:21567\","
      "\"len\":5}\n";
  {
    JsonLinesTraceWriter w(out, 3 * line.size());
    w.on_event(e);
    w.on_event(e);
    EXPECT_EQ(out.str(), "");  // held
    w.on_event(e);
    EXPECT_EQ(out.str(), line + line + line);  // the hold filled
    w.on_event(e);
    w.flush();
    EXPECT_EQ(out.str(), line + line + line + line);
    w.on_event(e);
  }
  EXPECT_EQ(out.str(), line + line + line + line + line);  // the destructor passed the last
}

TEST(JsonLinesTraceWriter, ALineLongerThanTheHoldIsWrittenWhole) {
  std::ostringstream out;
  TraceEvent e;
  e.kind = "fault";
  e.detail = std::string(200'000, '"');
  {
    JsonLinesTraceWriter w(out, 64);
    w.on_event(e);
    e.detail = "short";
    w.on_event(e);
  }
  EXPECT_EQ(out.str(), "{\"t\":0,\"ev\":\"fault\",\"detail\":" +
                           reference_json_string(std::string(200'000, '"')) +
                           "}\n{\"t\":0,\"ev\":\"fault\",\"detail\":\"short\"}\n");
}

}  // namespace
}  // namespace simsock::sim
