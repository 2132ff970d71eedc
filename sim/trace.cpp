#include <simsock/sim/trace.hpp>

#include <array>

#include <simsock/sim/rng.hpp>

namespace simsock::sim {
namespace {

std::uint64_t address_port_word(std::uint64_t a, std::uint16_t port) {
  return (a << 16) ^ port ^ 0x1000000000000ULL;
}

std::uint64_t v6_word(const std::array<unsigned char, 16>& bytes) {
  std::uint64_t a = 0;
  for (auto b : bytes) a = a * 131 + b;
  return a;
}

std::uint64_t endpoint_word(const net::Endpoint* e) {
  if (!e) return 0;
  const std::uint64_t a =
      e->address.is_v4() ? e->address.to_v4().to_uint() : v6_word(e->address.to_v6().to_bytes());
  return address_port_word(a, e->port);
}

std::uint64_t wire_word(const WireEndpoint& e) {
  const std::uint64_t a = e.addr.is_v4() ? e.addr.v4_value() : v6_word(e.addr.v6_bytes());
  return address_port_word(a, e.port);
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
  out["tcp.dropped"] = tcp_dropped;
  out["tcp.retransmits"] = tcp_retransmits;
  out["tcp.bytes"] = tcp_bytes;
  out["tcp.resets"] = tcp_resets;
  out["tcp.refused"] = tcp_refused;
  out["tcp.timeouts"] = tcp_timeouts;
  out["faults"] = faults;
  out["processes.started"] = processes_started;
}

void Tracer::fold_event(std::int64_t t, std::uint64_t kind, std::uint64_t src, std::uint64_t dst,
                        std::int64_t len, std::int64_t seq, std::string_view reason,
                        std::string_view detail) {
  fold_fields(t, kind, src, dst, len, seq);
  if (!reason.empty()) fold(fnv1a64(reason));
  if (!detail.empty()) fold(fnv1a64(detail));
}

std::uint64_t Tracer::word_of(const net::Endpoint& e) {
  return endpoint_word(&e);
}

void Tracer::emit_wire_slow(std::int64_t t, TraceKind kind, const WireEndpoint& src,
                            const WireEndpoint& dst, std::int64_t len, std::string_view reason) {
  if (!sinks_.empty()) {
    net::Endpoint s = src.to_endpoint(), d = dst.to_endpoint();
    return emit(t, RawEvent{kind, &s, &d, len, -1, reason, {}});
  }
  fold_event(t, kind.hash, wire_word(src), wire_word(dst), len, -1, reason, {});
}

const std::string& Tracer::endpoint_text(const net::Endpoint& e, std::uint64_t word) {
  CachedText& c = texts_[mix64(word) & (texts_.size() - 1)];
  if (!c.valid || !(c.key == e)) {
    c.key = e;
    c.text = e.to_string();
    c.valid = true;
  }
  return c.text;
}

void Tracer::emit(std::int64_t t, const RawEvent& e) {
  const std::uint64_t src_word = endpoint_word(e.src), dst_word = endpoint_word(e.dst);
  fold_event(t, e.kind.hash, src_word, dst_word, e.len, e.seq, e.reason, e.detail);
  if (sinks_.empty()) return;
  TraceEvent& ev = event_;
  ev.t = t;
  ev.kind = e.kind.name;
  if (e.src) {
    ev.src = endpoint_text(*e.src, src_word);
  } else {
    ev.src.clear();
  }
  if (e.dst) {
    ev.dst = endpoint_text(*e.dst, dst_word);
  } else {
    ev.dst.clear();
  }
  ev.len = e.len;
  ev.seq = e.seq;
  ev.reason = e.reason;
  ev.detail.assign(e.detail);
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
