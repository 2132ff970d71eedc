// A TraceSink that writes JSON Lines: one object per event, in virtual-time order:
// {"t":1000000,"ev":"udp.send","src":"10.0.0.2:40000","dst":"10.0.0.1:21567","len":5}
// Fields that do not apply are left out; strings are escaped per RFC 8259.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::sim {

class JsonLinesTraceWriter final : public TraceSink {
 public:
  // Writes to `out`, which must outlive the writer. Lines reach `out` once at least `hold_bytes`
  // of them are held (0: each line as its event arrives), on flush() and on destruction; a
  // caller that holds lines must flush() before it checks `out` for write errors. Holding a few
  // tens of KiB spares a long run most of the stream's per-write cost.
  explicit JsonLinesTraceWriter(std::ostream& out, std::size_t hold_bytes = 0)
      : out_(out), hold_bytes_(hold_bytes) {}
  JsonLinesTraceWriter(const JsonLinesTraceWriter&) = delete;
  JsonLinesTraceWriter& operator=(const JsonLinesTraceWriter&) = delete;
  ~JsonLinesTraceWriter() override;
  void on_event(const TraceEvent& e) override;
  // Passes every held line to `out` (it does not flush `out` itself).
  void flush();

 private:
  // Texts of 8 to 16 bytes recently found to need no escape, each as its first and its last 8
  // bytes (which together cover it): an equal text is copied without the check. Kinds and
  // endpoints repeat from event to event.
  struct PlainText {
    std::uint64_t head = 0, tail = 0;
    std::size_t size = 0;  // 0: no text
  };
  struct PlainTexts {
    std::array<PlainText, 4> texts;
    std::size_t next = 0;  // the one to replace
  };
  // put_json_string() that first looks `s` up in `known` and adds it when it is new and plain.
  static char* put_string(char* p, std::string_view s, PlainTexts& known);

  std::ostream& out_;
  std::size_t hold_bytes_;
  std::vector<char> buffer_;  // lines are written into it unchecked, after one size check
  std::size_t used_ = 0;      // bytes of buffer_ holding whole lines not yet passed to out_
  PlainTexts kinds_, endpoints_;
};

// Appends `s` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace simsock::sim
