// The trace: every network and process event passes through Tracer::emit, which folds its fields
// into a running 64-bit digest (always, cheaply: no strings are built) and, only when sinks are
// attached, builds a TraceEvent for them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/endpoint.hpp"
#include "sim/world.hpp"

namespace simsock::sim {

// The counters the models keep; turned into the named Stats map on demand.
struct Counters {
  std::uint64_t udp_sent = 0, udp_delivered = 0, udp_dropped = 0, udp_duplicated = 0,
                udp_truncated = 0, udp_fragments = 0, udp_reordered = 0;
  std::uint64_t tcp_connections = 0, tcp_segments = 0, tcp_retransmits = 0, tcp_bytes = 0,
                tcp_resets = 0, tcp_refused = 0, tcp_timeouts = 0, tcp_segments_lost = 0;
  std::uint64_t faults = 0, processes_started = 0;
  void fill(Stats& out) const;
};

// Fields of one event; endpoints stay unformatted until a sink needs them.
struct RawEvent {
  std::string_view kind;
  const net::Endpoint* src = nullptr;
  const net::Endpoint* dst = nullptr;
  std::int64_t len = -1;
  std::int64_t seq = -1;
  std::string_view reason;
  std::string_view detail;
};

class Tracer {
 public:
  void emit(std::int64_t t, const RawEvent& e);
  std::uint64_t digest() const { return digest_; }
  void add_sink(TraceSink* s) { sinks_.push_back(s); }
  bool has_sinks() const { return !sinks_.empty(); }

 private:
  void fold(std::uint64_t v);
  std::uint64_t digest_ = 0x736973736f636b31ULL;  // "simsock1"
  std::vector<TraceSink*> sinks_;
};

// "0123456789abcdef"-style 16 lower-case hex digits.
std::string to_hex16(std::uint64_t v);

}  // namespace simsock::sim
