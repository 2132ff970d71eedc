#include "sim/trace.hpp"

#include "sim/rng.hpp"

namespace simsock::sim {
namespace {

std::uint64_t endpoint_word(const net::Endpoint* e) {
  if (!e) return 0;
  std::uint64_t a = 0;
  if (e->address.is_v4()) {
    a = e->address.to_v4().to_uint();
  } else {
    for (auto b : e->address.to_v6().to_bytes()) a = a * 131 + b;
  }
  return (a << 16) ^ e->port ^ 0x1000000000000ULL;
}

}  // namespace

void Counters::fill(Stats& out) const {
  out["udp.sent"] = udp_sent;
  out["udp.delivered"] = udp_delivered;
  out["udp.dropped"] = udp_dropped;
  out["udp.duplicated"] = udp_duplicated;
  out["udp.truncated"] = udp_truncated;
  out["udp.fragments"] = udp_fragments;
  out["udp.reordered"] = udp_reordered;
  out["tcp.connections"] = tcp_connections;
  out["tcp.segments"] = tcp_segments;
  out["tcp.segments_lost"] = tcp_segments_lost;
  out["tcp.retransmits"] = tcp_retransmits;
  out["tcp.bytes"] = tcp_bytes;
  out["tcp.resets"] = tcp_resets;
  out["tcp.refused"] = tcp_refused;
  out["tcp.timeouts"] = tcp_timeouts;
  out["faults"] = faults;
  out["processes.started"] = processes_started;
}

void Tracer::emit(std::int64_t t, const RawEvent& e) {
  fold(static_cast<std::uint64_t>(t));
  fold(e.kind.hash);
  fold(endpoint_word(e.src));
  fold(endpoint_word(e.dst));
  fold(static_cast<std::uint64_t>(e.len));
  fold(static_cast<std::uint64_t>(e.seq));
  if (!e.reason.empty()) fold(fnv1a64(e.reason));
  if (!e.detail.empty()) fold(fnv1a64(e.detail));
  if (sinks_.empty()) return;
  TraceEvent ev;
  ev.t = t;
  ev.kind = e.kind.name;
  if (e.src) ev.src = e.src->to_string();
  if (e.dst) ev.dst = e.dst->to_string();
  ev.len = e.len;
  ev.seq = e.seq;
  ev.reason = e.reason;
  ev.detail = std::string(e.detail);
  for (auto* s : sinks_) s->on_event(ev);
}

std::string to_hex16(std::uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = digits[v & 0xf];
    v >>= 4;
  }
  return s;
}

}  // namespace simsock::sim
