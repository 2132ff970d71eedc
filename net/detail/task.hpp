// A move-only `void()` callable with inline storage: the unit of work a net::HandlerQueue and the
// simulator's event queue run.
// Small captures (a handler plus a few arguments) live inside the object, so scheduling an event
// does not allocate; larger ones fall back to the heap.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace simsock::net::detail {

class Task {
 public:
  // A queued completion (a QueueCompletion and its results, a datagram's included: 56 + 24 + 48
  // bytes) fits.
  static constexpr std::size_t inline_size = 128;

  // Whether a callable of type Fn is stored inside the Task (no allocation).
  template <typename Fn>
  static constexpr bool fits_inline =
      sizeof(Fn) <= inline_size &&
      alignof(Fn) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<Fn>;

  Task() = default;
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task>>>
  Task(F&& f) {  // NOLINT(google-explicit-constructor): lambdas convert implicitly
    construct<std::decay_t<F>>(std::forward<F>(f));
  }
  Task(Task&& o) noexcept : ops_(o.ops_) {
    if (ops_) ops_->move(o.buf_, buf_);
    o.ops_ = nullptr;
  }
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) ops_->move(o.buf_, buf_);
      o.ops_ = nullptr;
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  // Replaces the callable with an Fn built in place from `args` (not moved in afterwards: a
  // queue that stores Tasks builds a completion where it will run from).
  template <typename Fn, typename... A>
  void emplace(A&&... args) {
    reset();
    construct<Fn>(std::forward<A>(args)...);
  }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->call(buf_); }
  // Destroys the callable (and whatever it captured).
  void reset() {
    if (ops_) {
      auto* ops = ops_;
      ops_ = nullptr;
      ops->destroy(buf_);
    }
  }

 private:
  template <typename Fn, typename... A>
  void construct(A&&... args) {
    if constexpr (fits_inline<Fn>) {
      ::new (static_cast<void*>(buf_)) Fn(std::forward<A>(args)...);
      ops_ = &inline_ops<Fn>;
    } else {
      *reinterpret_cast<Fn**>(buf_) = new Fn(std::forward<A>(args)...);
      ops_ = &heap_ops<Fn>;
    }
  }
  struct Ops {
    void (*call)(void*);
    void (*move)(void* from, void* to);
    void (*destroy)(void*);
  };
  template <typename Fn>
  static constexpr Ops inline_ops = {[](void* p) { (*static_cast<Fn*>(p))(); },
                                     [](void* from, void* to) {
                                       ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
                                       static_cast<Fn*>(from)->~Fn();
                                     },
                                     [](void* p) { static_cast<Fn*>(p)->~Fn(); }};
  template <typename Fn>
  static constexpr Ops heap_ops = {
      [](void* p) { (**static_cast<Fn**>(p))(); },
      [](void* from, void* to) { *static_cast<Fn**>(to) = *static_cast<Fn**>(from); },
      [](void* p) { delete *static_cast<Fn**>(p); }};

  alignas(std::max_align_t) unsigned char buf_[inline_size];
  const Ops* ops_ = nullptr;
};

}  // namespace simsock::net::detail
