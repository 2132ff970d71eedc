// The W5 baseline: the cheapest discrete-event loop that still does what a network simulator's
// core must do, a binary heap of (time, sequence) entries popped in order. No network, no
// handlers, no allocation per event: each popped event schedules one successor a "latency" plus a
// little pseudo-random jitter later, so `in_flight` events are always pending (like datagrams on a
// wire). simsock's events per second are compared against this loop's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace simsock::bench {

struct BareEvent {
  std::int64_t t = 0;     // virtual ns
  std::uint64_t seq = 0;  // insertion order; breaks ties so the order is total
  std::uint32_t target = 0;
};

// Orders the heap so the earliest (t, seq) is on top.
struct BareEventLater {
  bool operator()(const BareEvent& a, const BareEvent& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

struct BareLoopResult {
  std::uint64_t events = 0;
  std::int64_t end_time = 0;
  std::uint64_t checksum = 0;  // depends on every event, so the work cannot be optimized away
};

// Runs `events` events with `in_flight` pending at all times. Deterministic for a given seed.
inline BareLoopResult run_bare_loop(std::uint64_t events, std::uint32_t in_flight,
                                    std::uint64_t seed = 1) {
  std::vector<BareEvent> heap;
  heap.reserve(in_flight + 1);
  std::uint64_t seq = 0;
  std::uint64_t x = seed | 1;  // xorshift64 state
  auto next_jitter = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return static_cast<std::int64_t>(x % 1000);
  };
  for (std::uint32_t i = 0; i < in_flight; ++i) {
    heap.push_back({next_jitter(), seq++, i});
    std::push_heap(heap.begin(), heap.end(), BareEventLater{});
  }
  BareLoopResult r;
  constexpr std::int64_t latency = 1'000'000;  // 1 ms
  while (r.events < events && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), BareEventLater{});
    BareEvent e = heap.back();
    heap.pop_back();
    ++r.events;
    r.end_time = e.t;
    r.checksum = r.checksum * 31 + e.target + static_cast<std::uint64_t>(e.t);
    heap.push_back({e.t + latency + next_jitter(), seq++, e.target});
    std::push_heap(heap.begin(), heap.end(), BareEventLater{});
  }
  return r;
}

}  // namespace simsock::bench
