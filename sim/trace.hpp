// The trace: every network and process event passes through Tracer::emit, which folds its fields
// into a running 64-bit digest (always, cheaply: no strings are built) and, only when sinks are
// attached, builds a TraceEvent for them.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/net/endpoint.hpp>
#include <simsock/sim/ip_address.hpp>
#include <simsock/sim/rng.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

// The counters the models keep; turned into the named Stats map on demand.
struct Counters {
  std::uint64_t udp_sent = 0, udp_delivered = 0, udp_dropped = 0, udp_duplicated = 0,
                udp_truncated = 0, udp_fragments = 0, udp_reordered = 0;
  std::uint64_t tcp_connections = 0, tcp_segments = 0, tcp_retransmits = 0, tcp_bytes = 0,
                tcp_resets = 0, tcp_refused = 0, tcp_timeouts = 0, tcp_segments_lost = 0,
                tcp_dropped = 0;
  std::uint64_t faults = 0, processes_started = 0;
  void fill(Stats& out) const;
};

// An event kind ("udp.send", ...) with its hash, computed at compile time from the literal.
struct TraceKind {
  std::string_view name;
  std::uint64_t hash;
  consteval TraceKind(const char* s)  // NOLINT(google-explicit-constructor): literals convert
      : name(s), hash(fnv1a64(name)) {}
};

// Fields of one event; endpoints stay unformatted until a sink needs them.
struct RawEvent {
  TraceKind kind;
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
  // The same for an event between two wire endpoints (UDP's hot path): the digest is identical,
  // and the sinks get the same texts, formatted only when an endpoint is new to the cache.
  void emit_wire(std::int64_t t, TraceKind kind, const WireEndpoint& src, const WireEndpoint& dst,
                 std::int64_t len, std::string_view reason = {}) {
    if (sinks_.empty() && src.addr.is_v4() && dst.addr.is_v4()) {
      return fold_event(t, kind.hash, v4_word(src), v4_word(dst), len, -1, reason, {});
    }
    emit_wire_slow(t, kind, src, dst, len, reason);
  }
  // The word an endpoint folds into the digest. A caller that traces the same endpoints again and
  // again (a TCP connection) computes it once and passes it to emit_words().
  static std::uint64_t word_of(const net::Endpoint& e);
  // emit() for an event between `src` and `dst` whose words (word_of()) the caller kept: the same
  // digest, and the endpoints are formatted only when a sink is attached.
  void emit_words(std::int64_t t, TraceKind kind, const net::Endpoint& src, std::uint64_t src_word,
                  const net::Endpoint& dst, std::uint64_t dst_word, std::int64_t len,
                  std::int64_t seq) {
    if (!sinks_.empty()) return emit(t, RawEvent{kind, &src, &dst, len, seq, {}, {}});
    fold_fields(t, kind.hash, src_word, dst_word, len, seq);  // fold_event() without the texts
  }
  std::uint64_t digest() const { return mix64(digest_); }
  void add_sink(TraceSink* s) { sinks_.push_back(s); }
  bool has_sinks() const { return !sinks_.empty(); }

 private:
  static std::uint64_t v4_word(const WireEndpoint& e) {
    return (std::uint64_t{e.addr.v4_value()} << 16) ^ e.port ^ 0x1000000000000ULL;
  }
  void emit_wire_slow(std::int64_t t, TraceKind kind, const WireEndpoint& src,
                      const WireEndpoint& dst, std::int64_t len, std::string_view reason);
  // One multiply per word: the running value is a bijection of the previous one and the word,
  // so two traces that differ in one field always differ; digest() mixes the result.
  void fold_event(std::int64_t t, std::uint64_t kind, std::uint64_t src, std::uint64_t dst,
                  std::int64_t len, std::int64_t seq, std::string_view reason,
                  std::string_view detail);
  void fold_fields(std::int64_t t, std::uint64_t kind, std::uint64_t src, std::uint64_t dst,
                   std::int64_t len, std::int64_t seq) {
    fold(static_cast<std::uint64_t>(t));
    fold(kind);
    fold(src);
    fold(dst);
    fold(static_cast<std::uint64_t>(len));
    fold(static_cast<std::uint64_t>(seq));
  }
  void fold(std::uint64_t v) { digest_ = std::rotl(digest_ ^ v, 29) * 0x9e3779b97f4a7c15ULL; }
  // "10.0.0.2:40001" for an endpoint, from a small cache: a run's events name the same few
  // endpoints over and over, and formatting an address is most of a traced event's cost.
  const std::string& endpoint_text(const net::Endpoint& e, std::uint64_t word);
  struct CachedWireText {
    WireEndpoint key;
    std::string text;
    bool valid = false;
  };
  // The same text for a wire endpoint (that of e.to_endpoint()), from a cache keyed by the wire
  // form, so a hit builds no net::Endpoint.
  const CachedWireText& wire_text(const WireEndpoint& e, std::uint64_t word);
  void refill(CachedWireText& c, const WireEndpoint& e);
  // Fills the rest of `ev` (its src and dst are set) and hands it to every sink.
  void publish(TraceEvent& ev, std::int64_t t, std::string_view kind, std::int64_t len,
               std::int64_t seq, std::string_view reason, std::string_view detail);
  std::uint64_t digest_ = 0x736973736f636b31ULL;  // "simsock1"
  std::vector<TraceSink*> sinks_;
  struct CachedText {
    net::Endpoint key;
    std::string text;
    bool valid = false;
  };
  std::array<CachedText, 16> texts_;
  std::array<CachedWireText, 16> wire_texts_;
  // The events handed to the sinks for wire events between recent pairs of wire_texts_ slots,
  // their src and dst already holding the slots' texts: UDP's events go back and forth between
  // a few endpoint pairs, and then no text is copied.
  struct PairEvent {
    const CachedWireText* src = nullptr;  // null: unused
    const CachedWireText* dst = nullptr;
    TraceEvent event;
  };
  std::array<PairEvent, 4> pair_events_;
  std::size_t next_pair_ = 0;  // the one to replace
  TraceEvent event_;           // reused for the other events (its strings keep capacity)
};

// "0123456789abcdef"-style 16 lower-case hex digits.
std::string to_hex16(std::uint64_t v);

}  // namespace simsock::sim
