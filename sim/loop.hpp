// sim::Loop: the world's single-threaded FIFO of ready handlers (a net::HandlerQueue, so its
// executor is net::QueueExecutor). The world runs every handler and coroutine on one
// (sim/world.cpp), draining it between agenda events.
//
// Asio needs an execution context to run completion handlers and coroutines on. A general-purpose
// asio::io_context works, but it pays for thread safety and OS integration the simulator never
// uses: a mutex per post, atomic outstanding-work counts, a scheduler operation per handler. A
// Loop is the minimum the world needs: a FIFO of ready handlers, drained by the world loop
// between agenda events, single-threaded, with no locks and no atomics. Queued handlers run in the
// order they were queued (unless a picker perturbs it).
//
// Asio recycles the memory of coroutine frames and type-erased handlers through a per-thread
// cache that exists only while a thread is "inside" an execution context (io_context::run does
// this). Loop::Scope does the same for the world loop, so awaitables and
// any_completion_handler reuse their blocks instead of calling the allocator for each operation.
#pragma once

#include <boost/asio/detail/call_stack.hpp>
#include <boost/asio/detail/thread_context.hpp>
#include <boost/asio/detail/thread_info_base.hpp>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <simsock/net/handler_queue.hpp>
#include <simsock/sim/task.hpp>

namespace simsock::sim {

namespace asio = boost::asio;

// The executor handlers and coroutines of a simulated world run on.
template <bool Never>
using LoopExecutor = net::QueueExecutor<Never>;

class Loop final : public net::HandlerQueue, private asio::detail::thread_context {
 public:
  // While a Scope lives, this thread counts as running the scheduler for Asio's per-thread
  // memory recycling (not for running_in_this_thread()). Scopes nest.
  class Scope {
   public:
    explicit Scope(Loop& s) : ctx_(static_cast<asio::detail::thread_context*>(&s), s.info_) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    asio::detail::call_stack<asio::detail::thread_context, asio::detail::thread_info_base>::context
        ctx_;
  };

  Loop() = default;
  ~Loop() { clear(); }

  LoopExecutor<false> get_executor() noexcept { return LoopExecutor<false>(*this); }

  // Queues `t` to run after everything already queued.
  void post(Task t) override {
    ring_[tail_slot()] = std::move(t);
    ++size_;
  }

  // The same for an Fn built from `args` in the slot it will run from (no Task is moved).
  template <typename Fn, typename... A>
  void emplace(A&&... args) {
    ring_[tail_slot()].template emplace<Fn>(std::forward<A>(args)...);
    ++size_;
  }

  // If a handler throws, it is consumed and the exception propagates; the rest stay queued.
  // Runs queued handlers, those they queue included, until none is left or `max` have run.
  // Returns how many ran.
  // With a picker (set_picker), each handler to run is the one the picker chooses among those
  // queued, not the oldest.
  std::uint64_t poll(std::uint64_t max = UINT64_MAX) {
    if (running_) return poll_nested(max);
    std::uint64_t n = 0;
    running_ = true;
    struct Reset {
      bool& flag;
      ~Reset() { flag = false; }
    } reset{running_};
    while (size_ != 0 && n < max) {
      if (pick_) pick_to_front();
      ++n;
      run_front_in_place();
    }
    return n;
  }

  // Schedule perturbation: `pick(ctx, n)` returns which of the n queued handlers (0 = the
  // oldest) runs next; it must return a value below n. Null restores FIFO order.
  using Picker = std::uint64_t (*)(void* ctx, std::uint64_t n);
  void set_picker(Picker pick, void* ctx) noexcept {
    pick_ = pick;
    pick_ctx_ = ctx;
  }

  bool running_in_this_thread() const noexcept override { return running_; }
  bool empty() const noexcept { return size_ == 0; }

  // Destroys every queued handler (and the coroutine frames they own) without running it.
  void clear() {
    while (size_ != 0) {
      Task t = take_front();
      t.reset();  // may queue more; the loop takes those too
    }
  }

 private:
  // The queue is a ring of Task slots (a power of two of them) that grows by doubling and never
  // shrinks: in steady state queuing a handler allocates nothing.
  //
  // The outermost poll runs each handler where it was queued rather than moving it out first (a
  // Task move is an indirect call per handler). The slot leaves the queue before the handler runs
  // and stays reserved (running_slot_) while it does: a push whose slot it would be grows the ring
  // instead, and a ring replaced meanwhile is kept (retired_) until the handler is destroyed.
  void run_front_in_place() {
    running_slot_ = head_;
    Task& t = ring_[head_];
    head_ = (head_ + 1) & (ring_.size() - 1);
    --size_;
    struct Done {
      Loop& loop;
      Task& t;
      ~Done() {
        t.reset();  // may queue more: the slot is still reserved
        loop.running_slot_ = k_none;
        loop.retired_.clear();
      }
    } done{*this, t};
    t();
  }
  // The slot the next queued handler goes into (the ring grown if it is full or the slot is the
  // running handler's).
  std::size_t tail_slot() {
    if (size_ == ring_.size()) grow();
    std::size_t i = (head_ + size_) & (ring_.size() - 1);
    if (i == running_slot_) {
      grow();
      i = (head_ + size_) & (ring_.size() - 1);
    }
    return i;
  }
  // A poll from inside a handler (the outer one's slot stays reserved): handlers moved out.
  std::uint64_t poll_nested(std::uint64_t max) {
    std::uint64_t n = 0;
    while (size_ != 0 && n < max) {
      if (pick_) pick_to_front();
      Task t = take_front();
      ++n;
      t();
    }
    return n;
  }
  Task take_front() {
    Task t = std::move(ring_[head_]);
    head_ = (head_ + 1) & (ring_.size() - 1);
    --size_;
    return t;
  }
  // Moves the handler the picker chooses to the front; the oldest takes its place.
  void pick_to_front() {
    if (size_ > 1) {
      std::uint64_t k = pick_(pick_ctx_, size_);
      if (k != 0 && k < size_) std::swap(ring_[head_], ring_[(head_ + k) & (ring_.size() - 1)]);
    }
  }
  void grow() {
    std::vector<Task> bigger(ring_.empty() ? 64 : ring_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) {
      bigger[i] = std::move(ring_[(head_ + i) & (ring_.size() - 1)]);
    }
    ring_.swap(bigger);
    head_ = 0;
    // A handler running in place in the old ring: the old ring lives until it is destroyed, and
    // no slot of the new one is reserved.
    if (running_slot_ != k_none) {
      retired_.push_back(std::move(bigger));
      running_slot_ = k_none;
    }
  }

  asio::detail::thread_info_base info_;  // declared before ring_: outlives the tasks' memory
  std::vector<Task> ring_;
  std::size_t head_ = 0, size_ = 0;
  bool running_ = false;
  static constexpr std::size_t k_none = SIZE_MAX;
  std::size_t running_slot_ = k_none;       // the slot of ring_ a handler is running in, or k_none
  std::vector<std::vector<Task>> retired_;  // rings replaced while a handler ran in one
  Picker pick_ = nullptr;
  void* pick_ctx_ = nullptr;
};

}  // namespace simsock::sim
