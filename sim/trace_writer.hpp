// A TraceSink that writes JSON Lines: one object per event, in virtual-time order:
// {"t":1000000,"ev":"udp.send","src":"10.0.0.2:40000","dst":"10.0.0.1:21567","len":5}
// Fields that do not apply are left out; strings are escaped per RFC 8259.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include <simsock/sim/world.hpp>

namespace simsock::sim {

class JsonLinesTraceWriter final : public TraceSink {
 public:
  // Writes to `out`, which must outlive the writer.
  explicit JsonLinesTraceWriter(std::ostream& out) : out_(out) {}
  void on_event(const TraceEvent& e) override;

 private:
  std::ostream& out_;
  std::string line_;
};

// Appends `s` as a JSON string literal (with quotes) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace simsock::sim
