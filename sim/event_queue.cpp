#include <simsock/sim/event_queue.hpp>

namespace simsock::sim {

// A perturbed event's place within its instant: a 63-bit draw (so that a chained event placed just
// after its predecessor never wraps around), or just after the chain's last event of the instant.
std::uint64_t EventQueue::perturbed_seq(std::int64_t t, EventChain* chain) {
  std::uint64_t seq = tiebreak_->next() >> 1;
  if (!chain) return seq;
  EventChain::Mark* mark = &chain->marks[0];  // the instant's, else the oldest one's to reuse
  for (EventChain::Mark& m : chain->marks) {
    if (m.t == t) {
      mark = &m;
      break;
    }
    if (m.t < mark->t) mark = &m;
  }
  if (mark->t == t && seq <= mark->seq) seq = mark->seq + 1;
  mark->t = t;
  mark->seq = seq;
  return seq;
}

EventId EventQueue::push(std::int64_t t, Task&& task, const void* owner, EventChain* chain) {
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
  const Entry e{t, tiebreak_ ? perturbed_seq(t, chain) : seq_++, i, s.gen};
  ++live_;
  // The earliest event stays the earliest unless e comes before it.
  if (selection_valid_ &&
      (selected_ == none || e.before(selected_ >= 0 ? lanes_[selected_].front() : heap_.front()))) {
    selection_valid_ = false;
  }
  // The lane whose last entry is the latest one not after e keeps the lanes tight (an empty lane
  // takes e only when no lane fits); none fits: the heap.
  Lane* fit = nullptr;
  Lane* spare = nullptr;
  for (Lane& lane : lanes_) {
    if (lane.empty()) {
      if (!spare) spare = &lane;
    } else if (!e.before(lane.back()) && (!fit || fit->back().before(lane.back()))) {
      fit = &lane;
    }
  }
  if (!fit) fit = spare;
  if (fit) {
    fit->push_back(e);
    s.pos = in_lane;
  } else {
    heap_.emplace_back();
    sift_up(heap_.size() - 1, e);
  }
  return EventId{i, s.gen};
}

void EventQueue::Lane::push_back(const Entry& e) {
  if (count == ring.size()) {
    std::vector<Entry> bigger(ring.empty() ? 64 : ring.size() * 2);
    for (std::size_t k = 0; k < count; ++k) bigger[k] = at(k);
    ring.swap(bigger);
    head = 0;
  }
  ring[(head + count) & (ring.size() - 1)] = e;
  ++count;
  last = e;
}

int EventQueue::select() {
  if (selection_valid_) return selected_;
  for (;;) {
    drop_empty_top();
    int best = heap_.empty() ? none : from_heap;
    const Entry* least = heap_.empty() ? nullptr : &heap_.front();
    for (int k = 0; k < lane_count; ++k) {
      const Lane& lane = lanes_[k];
      if (!lane.empty() && (!least || lane.front().before(*least))) {
        least = &lane.front();
        best = k;
      }
    }
    if (best >= 0) {
      // Only the chosen front has to be live: a stale entry elsewhere is not returned.
      Lane& lane = lanes_[best];
      const Entry e = lane.front();
      Slot& s = slots_[e.slot];
      if (s.gen != e.gen) {  // cancelled; its slot is already free (maybe reused)
        --lane_stale_;
        lane.pop_front();
        continue;
      }
      if (!s.task) {  // taken by take_owned: the event is dropped here
        lane.pop_front();
        free_slot(e.slot);
        --live_;
        continue;
      }
    }
    selected_ = best;
    selection_valid_ = true;
    return best;
  }
}

void EventQueue::compact_lanes() {
  for (Lane& lane : lanes_) {
    std::size_t kept = 0;
    for (std::size_t k = 0; k < lane.count; ++k) {
      const Entry e = lane.at(k);
      if (slots_[e.slot].gen == e.gen) lane.ring[(lane.head + kept++) & (lane.ring.size() - 1)] = e;
    }
    lane.count = kept;
  }
  lane_stale_ = 0;
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
  selection_valid_ = false;
  if (s.pos == in_lane) {
    // The entry stays in its lane, stale once the slot's generation moves on; compacting when
    // stale entries outnumber the live ones keeps the lanes' memory proportional to the events.
    ++lane_stale_;
  } else {
    remove_at(s.pos);
  }
  free_slot(id.slot);
  --live_;
  if (lane_stale_ > 64 && lane_stale_ > live_) compact_lanes();
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
  const int k = select();
  if (k >= 0) return lanes_[k].front().t;
  return k == from_heap ? heap_.front().t : INT64_MAX;
}

bool EventQueue::pop(std::int64_t& t, Task& task) {
  const int k = select();
  if (k == none) return false;
  selection_valid_ = false;
  Entry top;
  if (k >= 0) {
    top = lanes_[k].front();
    lanes_[k].pop_front();
  } else {
    top = heap_.front();
    remove_at(0);
  }
  t = top.t;
  task = std::move(slots_[top.slot].task);
  free_slot(top.slot);
  --live_;
  return true;
}

void EventQueue::take_all(std::vector<Task>& out) {
  selection_valid_ = false;
  for (const Entry& e : heap_) {
    if (slots_[e.slot].task) out.push_back(std::move(slots_[e.slot].task));
  }
  for (const Lane& lane : lanes_) {
    for (std::size_t k = 0; k < lane.count; ++k) {
      const Entry& e = lane.at(k);
      if (lane_entry_live(e)) out.push_back(std::move(slots_[e.slot].task));
    }
  }
}

}  // namespace simsock::sim
