// The world's agenda: events ordered by (virtual time, insertion sequence), so two events at the
// same instant run in the order they were scheduled. Entries point into a pool of task slots that
// is reused, so the steady state schedules without allocating. Events can be cancelled by id; a
// cancelled event's task is destroyed at once.
//
// Most events arrive in order: datagrams and segments over a link of fixed latency land in the
// order they left, completions are due now. So beside a 4-ary heap the queue keeps a few FIFO
// lanes, each sorted by construction: an event that is not earlier than the last one of a lane is
// appended to it in O(1), and only the others go into the heap. The earliest event is the least
// of the heap's top and the lanes' fronts, so the order is exactly the heap-only order.
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

// A stream of events whose order the model itself fixes (the segments of one TCP connection, the
// datagrams over one path): under schedule perturbation, two events pushed on the same chain for
// the same instant still run in the order they were pushed, while events of different chains (or
// of none) at that instant are shuffled. Without perturbation every event keeps insertion order
// and a chain has no effect. Held by the stream's owner; the queue reads and updates it in push.
// A chain remembers the `instants` latest instants it was pushed for (a stream whose times never
// go back, like a connection's arrivals, needs one); an event for an instant it has forgotten is
// ordered like an unchained one.
struct EventChain {
  static constexpr int instants = 4;
  struct Mark {
    std::int64_t t = INT64_MIN;  // an instant an event was pushed for on this chain
    std::uint64_t seq = 0;       // the last such event's place among the events of that instant
  };
  Mark marks[instants];
};

class EventQueue {
 public:
  // Schedules `task` at time `t` (ns), tagged with `owner` (null: the world itself). With a
  // chain, a perturbed order still runs it after the chain's earlier events of the same instant.
  // Takes the task by reference: it is moved once, into its slot (a Task move relocates the
  // callable, and every segment and timer comes through here).
  EventId push(std::int64_t t, Task&& task, const void* owner = nullptr,
               EventChain* chain = nullptr);
  // Removes a pending event from the agenda and destroys its task at once (so the heap holds only
  // live events: a timer cancelled before it fires costs nothing later). No effect on stale ids.
  void cancel(EventId id);
  bool empty() const { return live_ == 0; }
  // Time of the earliest pending event, INT64_MAX when none.
  std::int64_t next_time();
  // Removes the earliest live event; returns false when none is left.
  bool pop(std::int64_t& t, Task& task);
  std::size_t size() const { return live_; }
  // Entries the queue holds, pending or stale (cancelled ones not yet dropped): at most about
  // twice size(), since stale lane entries are compacted away once they outnumber the live ones.
  std::size_t held_entries() const {
    std::size_t n = heap_.size();
    for (const Lane& lane : lanes_) n += lane.count;
    return n;
  }

  // Moves out the tasks of every pending event whose owner satisfies `pred` (used when a host
  // crashes: the handlers it owned must die). The caller destroys them. Their entries stay in the
  // heap, empty, and are dropped when they reach the top.
  template <typename Pred>
  void take_owned(Pred pred, std::vector<Task>& out) {
    selection_valid_ = false;
    for (const Entry& e : heap_) {
      Slot& s = slots_[e.slot];
      if (s.task && s.owner && pred(s.owner)) out.push_back(std::move(s.task));
    }
    for (const Lane& lane : lanes_) {
      for (std::size_t k = 0; k < lane.count; ++k) {
        const Entry& e = lane.at(k);
        Slot& s = slots_[e.slot];
        if (s.gen == e.gen && s.task && s.owner && pred(s.owner)) out.push_back(std::move(s.task));
      }
    }
  }
  // Moves out every pending task.
  void take_all(std::vector<Task>& out);

  // Schedule perturbation: with a stream, events pushed from now on at the same instant are
  // ordered by a draw from it instead of by insertion order (except on a shared EventChain);
  // null restores insertion order. Not owned; must outlive the queue's use of it.
  void set_tiebreak(Rng* rng) { tiebreak_ = rng; }

 private:
  struct Entry {
    std::int64_t t;
    std::uint64_t seq;
    std::uint32_t slot;
    std::uint32_t gen;  // the slot's generation when pushed: a lane entry is stale once it differs
    bool before(const Entry& o) const { return t != o.t ? t < o.t : seq < o.seq; }
  };
  // pos of a slot whose entry is in a lane (lanes are not searched by index).
  static constexpr std::uint32_t in_lane = UINT32_MAX;
  struct Slot {
    Task task;
    const void* owner = nullptr;
    std::uint32_t gen = 1;
    std::uint32_t pos = 0;  // index in heap_, or in_lane, while scheduled; next free slot if free
  };
  // A FIFO of entries in (t, seq) order: a ring buffer of a power-of-two capacity.
  struct Lane {
    std::vector<Entry> ring;
    std::size_t head = 0, count = 0;
    Entry last{};  // a copy of the last entry pushed (push compares with it), valid if count > 0
    bool empty() const { return count == 0; }
    const Entry& front() const { return ring[head]; }
    const Entry& back() const { return last; }
    const Entry& at(std::size_t k) const { return ring[(head + k) & (ring.size() - 1)]; }
    void push_back(const Entry& e);
    void pop_front() {
      head = (head + 1) & (ring.size() - 1);
      --count;
    }
  };
  // Whether a lane entry still stands for a pending event (not cancelled, not taken).
  bool lane_entry_live(const Entry& e) const {
    const Slot& s = slots_[e.slot];
    return s.gen == e.gen && s.task;
  }
  // Where the earliest pending event is: a lane's index, from_heap, or none. Drops the stale
  // entries it meets on the way (freeing the slots of taken ones). Remembered until the queue
  // changes, since the world asks next_time() and then pop().
  static constexpr int from_heap = -1, none = -2;
  int select();
  int selected_ = none;
  bool selection_valid_ = false;
  // Rewrites the lanes without their stale entries (when they are more than half of them).
  void compact_lanes();
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
  // The sequence number of an event pushed for `t` under perturbation (tiebreak_ set).
  std::uint64_t perturbed_seq(std::int64_t t, EventChain* chain);

  // A 4-ary min-heap on (t, seq): half the depth of a binary heap, and a node's children share
  // a cache line or two.
  static constexpr std::size_t arity = 4;
  static constexpr int lane_count = 4;
  std::vector<Entry> heap_;
  Lane lanes_[lane_count];
  std::size_t lane_stale_ = 0;  // cancelled entries still in the lanes
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = UINT32_MAX;
  std::uint64_t seq_ = 0;
  std::size_t live_ = 0;
  Rng* tiebreak_ = nullptr;
};

}  // namespace simsock::sim
