// The proxy's trace: the simulator's trace events (sim/world.hpp TraceEvent, written as JSON Lines
// by sim/trace_writer.hpp) with `t` in nanoseconds since the proxy started (a wall-clock offset,
// from the steady clock) instead of virtual time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <simsock/sim/world.hpp>

namespace simsock::proxy {

class Trace {
 public:
  // Events go to `sink` (null: nowhere); `t` counts from now. The sink must outlive the trace.
  explicit Trace(sim::TraceSink* sink = nullptr);

  // Nanoseconds since construction; never decreases.
  std::int64_t now() const;
  // Whether events are written anywhere (callers skip building strings when not).
  bool on() const { return sink_ != nullptr; }
  // Writes one event at now(); `len`/`seq` -1 when they do not apply.
  void emit(std::string_view kind, const std::string& src, const std::string& dst,
            std::int64_t len = -1, std::int64_t seq = -1, std::string_view reason = {},
            std::string detail = {});

 private:
  sim::TraceSink* sink_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace simsock::proxy
