// The world's agenda: events ordered by (virtual time, insertion sequence), so two events at the
// same instant run in the order they were scheduled. A 4-ary heap of 24-byte entries points into
// a pool of task slots that is reused, so the steady state schedules without allocating.
// Events can be cancelled by id; a cancelled event leaves the heap and its task is destroyed at
// once.
#pragma once

#include <cstdint>
#include <vector>

#include <simsock/sim/rng.hpp>
#include <simsock/sim/task.hpp>

namespace simsock::sim {

// Identifies a scheduled event; stale ids (already run or cancelled) are harmless.
struct EventId {
  std::uint32_t slot = 0;
  std::uint32_t gen = 0;  // 0: no event
  explicit operator bool() const { return gen != 0; }
};

class EventQueue {
 public:
  // Schedules `task` at time `t` (ns), tagged with `owner` (null: the world itself).
  EventId push(std::int64_t t, Task task, const void* owner = nullptr);
  // Removes a pending event from the agenda and destroys its task at once (so the heap holds only
  // live events: a timer cancelled before it fires costs nothing later). No effect on stale ids.
  void cancel(EventId id);
  bool empty() const { return live_ == 0; }
  // Time of the earliest pending event, INT64_MAX when none.
  std::int64_t next_time();
  // Removes the earliest live event; returns false when none is left.
  bool pop(std::int64_t& t, Task& task);
  std::size_t size() const { return live_; }

  // Moves out the tasks of every pending event whose owner satisfies `pred` (used when a host
  // crashes: the handlers it owned must die). The caller destroys them. Their entries stay in the
  // heap, empty, and are dropped when they reach the top.
  template <typename Pred>
  void take_owned(Pred pred, std::vector<Task>& out) {
    for (const Entry& e : heap_) {
      Slot& s = slots_[e.slot];
      if (s.task && s.owner && pred(s.owner)) out.push_back(std::move(s.task));
    }
  }
  // Moves out every pending task.
  void take_all(std::vector<Task>& out);

  // Schedule perturbation: with a stream, events pushed from now on at the same instant are
  // ordered by a draw from it instead of by insertion order; null restores insertion order. Not
  // owned; must outlive the queue's use of it.
  void set_tiebreak(Rng* rng) { tiebreak_ = rng; }

 private:
  struct Entry {
    std::int64_t t;
    std::uint64_t seq;
    std::uint32_t slot;
    bool before(const Entry& o) const { return t != o.t ? t < o.t : seq < o.seq; }
  };
  struct Slot {
    Task task;
    const void* owner = nullptr;
    std::uint32_t gen = 1;
    std::uint32_t pos = 0;  // index in heap_ while scheduled; next free slot while free
  };
  void place(std::size_t i, const Entry& e) {
    heap_[i] = e;
    slots_[e.slot].pos = static_cast<std::uint32_t>(i);
  }
  void sift_up(std::size_t i, Entry e);
  void sift_down(std::size_t i, Entry e);
  // Removes heap_[i], keeping the heap ordered.
  void remove_at(std::size_t i);
  void drop_empty_top();
  void free_slot(std::uint32_t i);

  // A 4-ary min-heap on (t, seq): half the depth of a binary heap, and a node's children share
  // a cache line or two.
  static constexpr std::size_t arity = 4;
  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = UINT32_MAX;
  std::uint64_t seq_ = 0;
  std::size_t live_ = 0;
  Rng* tiebreak_ = nullptr;
};

}  // namespace simsock::sim
