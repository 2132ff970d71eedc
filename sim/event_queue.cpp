#include "sim/event_queue.hpp"

#include <algorithm>
#include <functional>

namespace simsock::sim {

EventId EventQueue::push(std::int64_t t, Task task, const void* owner) {
  std::uint32_t i;
  if (free_head_ != UINT32_MAX) {
    i = free_head_;
    free_head_ = slots_[i].next_free;
  } else {
    i = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[i];
  s.task = std::move(task);
  s.owner = owner;
  heap_.push_back(Entry{t, seq_++, i, s.gen});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  ++live_;
  return EventId{i, s.gen};
}

void EventQueue::free_slot(std::uint32_t i) {
  Slot& s = slots_[i];
  if (++s.gen == 0) s.gen = 1;
  s.owner = nullptr;
  s.next_free = free_head_;
  free_head_ = i;
}

void EventQueue::cancel(EventId id) {
  if (!id || id.slot >= slots_.size()) return;
  Slot& s = slots_[id.slot];
  if (s.gen != id.gen) return;
  Task dead = std::move(s.task);
  free_slot(id.slot);
  --live_;
  dead.reset();  // may re-enter the queue; the slot is already consistent
}

void EventQueue::skip_dead() {
  while (!heap_.empty()) {
    const Entry& top = heap_.front();
    const Slot& s = slots_[top.slot];
    if (s.gen == top.gen && s.task) return;
    if (s.gen == top.gen) {  // task taken by take_owned: free the slot now
      free_slot(top.slot);
      --live_;
    }
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    heap_.pop_back();
  }
}

std::int64_t EventQueue::next_time() {
  skip_dead();
  return heap_.empty() ? INT64_MAX : heap_.front().t;
}

bool EventQueue::pop(std::int64_t& t, Task& task) {
  skip_dead();
  if (heap_.empty()) return false;
  Entry top = heap_.front();
  std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
  heap_.pop_back();
  t = top.t;
  task = std::move(slots_[top.slot].task);
  free_slot(top.slot);
  --live_;
  return true;
}

void EventQueue::take_all(std::vector<Task>& out) {
  for (auto& s : slots_) {
    if (s.task) out.push_back(std::move(s.task));
  }
}

}  // namespace simsock::sim
