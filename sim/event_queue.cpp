#include <simsock/sim/event_queue.hpp>

namespace simsock::sim {

EventId EventQueue::push(std::int64_t t, Task task, const void* owner) {
  std::uint32_t i;
  if (free_head_ != UINT32_MAX) {
    i = free_head_;
    free_head_ = slots_[i].pos;
  } else {
    i = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[i];
  s.task = std::move(task);
  s.owner = owner;
  heap_.emplace_back();
  sift_up(heap_.size() - 1, Entry{t, tiebreak_ ? tiebreak_->next() : seq_++, i});
  ++live_;
  return EventId{i, s.gen};
}

void EventQueue::sift_up(std::size_t i, Entry e) {
  while (i > 0) {
    std::size_t parent = (i - 1) / arity;
    if (!e.before(heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, e);
}

void EventQueue::sift_down(std::size_t i, Entry e) {
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t first = i * arity + 1;
    if (first >= n) break;
    std::size_t best = first;
    std::size_t last = first + arity < n ? first + arity : n;
    for (std::size_t c = first + 1; c < last; ++c) {
      if (heap_[c].before(heap_[best])) best = c;
    }
    if (!heap_[best].before(e)) break;
    place(i, heap_[best]);
    i = best;
  }
  place(i, e);
}

void EventQueue::remove_at(std::size_t i) {
  Entry last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;
  if (i > 0 && last.before(heap_[(i - 1) / arity])) {
    sift_up(i, last);
  } else {
    sift_down(i, last);
  }
}

void EventQueue::free_slot(std::uint32_t i) {
  Slot& s = slots_[i];
  if (++s.gen == 0) s.gen = 1;
  s.owner = nullptr;
  s.pos = free_head_;
  free_head_ = i;
}

void EventQueue::cancel(EventId id) {
  if (!id || id.slot >= slots_.size()) return;
  Slot& s = slots_[id.slot];
  if (s.gen != id.gen) return;
  Task dead = std::move(s.task);
  remove_at(s.pos);
  free_slot(id.slot);
  --live_;
  dead.reset();  // may re-enter the queue; the queue is already consistent
}

void EventQueue::drop_empty_top() {
  while (!heap_.empty() && !slots_[heap_.front().slot].task) {  // emptied by take_owned
    std::uint32_t slot = heap_.front().slot;
    remove_at(0);
    free_slot(slot);
    --live_;
  }
}

std::int64_t EventQueue::next_time() {
  drop_empty_top();
  return heap_.empty() ? INT64_MAX : heap_.front().t;
}

bool EventQueue::pop(std::int64_t& t, Task& task) {
  drop_empty_top();
  if (heap_.empty()) return false;
  const Entry top = heap_.front();
  remove_at(0);
  t = top.t;
  task = std::move(slots_[top.slot].task);
  free_slot(top.slot);
  --live_;
  return true;
}

void EventQueue::take_all(std::vector<Task>& out) {
  for (const Entry& e : heap_) {
    if (slots_[e.slot].task) out.push_back(std::move(slots_[e.slot].task));
  }
}

}  // namespace simsock::sim
