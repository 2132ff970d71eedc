#include <simsock/sim/trace.hpp>

#include <array>
#include <tuple>

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

namespace {

bool same_endpoint(const WireEndpoint& a, const WireEndpoint& b) {
  return a.addr == b.addr && a.port == b.port;
}

}  // namespace

// Defined before its caller, so the hit (most calls) is inlined there and the miss is a call.
inline const Tracer::CachedWireText& Tracer::wire_text(const WireEndpoint& e, std::uint64_t word) {
  // The top bits of one multiply: collisions only cost a refill, so a strong mix is not needed.
  CachedWireText& c = wire_texts_[(word * 0x9e3779b97f4a7c15ULL) >> 60];
  static_assert(std::tuple_size_v<decltype(wire_texts_)> == 16);
  if (!c.valid || !same_endpoint(c.key, e)) refill(c, e);
  return c;
}

void Tracer::emit_wire_slow(std::int64_t t, TraceKind kind, const WireEndpoint& src,
                            const WireEndpoint& dst, std::int64_t len, std::string_view reason) {
  // wire_word(w) is endpoint_word(w.to_endpoint()): the digest is emit()'s for those endpoints.
  const std::uint64_t src_word = wire_word(src), dst_word = wire_word(dst);
  fold_event(t, kind.hash, src_word, dst_word, len, -1, reason, {});
  if (sinks_.empty()) return;
  const CachedWireText& s = wire_text(src, src_word);
  const CachedWireText& d = wire_text(dst, dst_word);
  if (!same_endpoint(s.key, src)) {
    // Two endpoints of one slot: dst's lookup refilled it. Copied one at a time instead.
    event_.dst = d.text;
    event_.src = wire_text(src, src_word).text;
    return publish(event_, t, kind.name, len, -1, reason, {});
  }
  for (PairEvent& p : pair_events_) {
    if (p.src == &s && p.dst == &d) return publish(p.event, t, kind.name, len, -1, reason, {});
  }
  PairEvent& p = pair_events_[next_pair_];
  next_pair_ = (next_pair_ + 1) % pair_events_.size();
  p.src = &s;
  p.dst = &d;
  p.event.src = s.text;
  p.event.dst = d.text;
  publish(p.event, t, kind.name, len, -1, reason, {});
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

void Tracer::refill(CachedWireText& c, const WireEndpoint& e) {
  c.key = e;
  c.text = e.to_endpoint().to_string();
  c.valid = true;
  // The events that hold this slot's former text no longer match it.
  for (PairEvent& p : pair_events_) {
    if (p.src == &c || p.dst == &c) p.src = p.dst = nullptr;
  }
}

void Tracer::emit(std::int64_t t, const RawEvent& e) {
  const std::uint64_t src_word = endpoint_word(e.src), dst_word = endpoint_word(e.dst);
  fold_event(t, e.kind.hash, src_word, dst_word, e.len, e.seq, e.reason, e.detail);
  if (sinks_.empty()) return;
  // Each text is copied before the next lookup, which may refill its cache slot.
  if (e.src) {
    event_.src = endpoint_text(*e.src, src_word);
  } else {
    event_.src.clear();
  }
  if (e.dst) {
    event_.dst = endpoint_text(*e.dst, dst_word);
  } else {
    event_.dst.clear();
  }
  publish(event_, t, e.kind.name, e.len, e.seq, e.reason, e.detail);
}

void Tracer::publish(TraceEvent& ev, std::int64_t t, std::string_view kind, std::int64_t len,
                     std::int64_t seq, std::string_view reason, std::string_view detail) {
  ev.t = t;
  ev.kind = kind;
  ev.len = len;
  ev.seq = seq;
  ev.reason = reason;
  if (detail.empty()) {
    ev.detail.clear();  // assign() of nothing is still a call
  } else {
    ev.detail.assign(detail);
  }
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
