// The world's agenda: events ordered by (virtual time, insertion sequence), so two events at the
// same instant run in the order they were scheduled. A binary heap of 24-byte entries points into
// a pool of task slots that is reused, so the steady state schedules without allocating.
// Events can be cancelled by id; a cancelled event's task is destroyed at once.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/task.hpp"

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
  // Destroys the task of a pending event. No effect on stale ids.
  void cancel(EventId id);
  bool empty() const { return heap_.empty(); }
  // Time of the earliest pending event (queue must not be empty after skipping cancelled ones).
  std::int64_t next_time();
  // Removes the earliest live event; returns false when none is left.
  bool pop(std::int64_t& t, Task& task);
  std::size_t size() const { return live_; }

  // Moves out the tasks of every pending event whose owner satisfies `pred` (used when a host
  // crashes: the handlers it owned must die). The caller destroys them.
  template <typename Pred>
  void take_owned(Pred pred, std::vector<Task>& out) {
    for (std::uint32_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.task && s.owner && pred(s.owner)) out.push_back(std::move(s.task));
    }
  }
  // Moves out every pending task.
  void take_all(std::vector<Task>& out);

 private:
  struct Entry {
    std::int64_t t;
    std::uint64_t seq;
    std::uint32_t slot, gen;
    bool operator>(const Entry& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  struct Slot {
    Task task;
    const void* owner = nullptr;
    std::uint32_t gen = 1;
    std::uint32_t next_free = 0;
  };
  void skip_dead();
  void free_slot(std::uint32_t i);

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = UINT32_MAX;
  std::uint64_t seq_ = 0;
  std::size_t live_ = 0;
};

}  // namespace simsock::sim
