// net::detail::InlineHandler<Sig>: a move-only, call-once, type-erased completion handler that
// stores a small handler (every coroutine's, every callback of a few pointers) inside the object
// and a larger one in Asio's per-thread recycling allocator. It is the storage QueueCompletion and
// IoCompletion share; they add what a backend needs beside it (the handler's queue or executor
// and its cancellation slot).
#pragma once

#include <boost/asio/recycling_allocator.hpp>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace simsock::net::detail {

template <typename Signature>
class InlineHandler;

template <typename... Args>
class InlineHandler<void(Args...)> {
 public:
  // Handlers up to this size (and the alignment of a pointer) are stored without allocating.
  static constexpr std::size_t inline_size = 32;

  // Whether a handler of type Fn is stored inline (no allocation).
  template <typename Fn>
  static constexpr bool fits_inline =
      sizeof(Fn) <= inline_size &&
      alignof(Fn) <= alignof(void*) && std::is_nothrow_move_constructible_v<Fn>;

  InlineHandler() = default;

  // Takes `h` (moved or copied in).
  template <typename Handler>
  requires(!std::is_same_v<std::decay_t<Handler>, InlineHandler>) explicit InlineHandler(
      Handler&& h) {
    using Fn = std::decay_t<Handler>;
    if constexpr (fits_inline<Fn>) {
      ::new (static_cast<void*>(buf_)) Fn(std::forward<Handler>(h));
      ops_ = &inline_ops<Fn>;
    } else {
      boost::asio::recycling_allocator<Fn> alloc;
      Fn* p = alloc.allocate(1);
      ::new (static_cast<void*>(p)) Fn(std::forward<Handler>(h));
      *reinterpret_cast<Fn**>(buf_) = p;
      ops_ = &heap_ops<Fn>;
    }
  }

  InlineHandler(InlineHandler&& o) noexcept : ops_(o.ops_) {
    if (ops_) ops_->move(o.buf_, buf_);
    o.ops_ = nullptr;
  }
  InlineHandler& operator=(InlineHandler&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) ops_->move(o.buf_, buf_);
      o.ops_ = nullptr;
    }
    return *this;
  }
  InlineHandler(const InlineHandler&) = delete;
  InlineHandler& operator=(const InlineHandler&) = delete;
  // Destroys the handler without calling it (a coroutine waiting on it is destroyed with it).
  ~InlineHandler() { reset(); }

  // Whether a handler is held (false when default-made, moved from, called or reset).
  explicit operator bool() const noexcept { return ops_ != nullptr; }

  // Calls the handler once; it must be held. The handler is moved out of this object (and its
  // memory freed) before the call, so the object is empty, and may be destroyed or given a new
  // handler, while the call runs.
  void operator()(Args... args) && {
    auto* ops = ops_;
    ops_ = nullptr;
    ops->call(buf_, std::move(args)...);
  }

  // Destroys the handler, if any, without calling it.
  void reset() noexcept {
    if (ops_) {
      auto* ops = ops_;
      ops_ = nullptr;
      ops->destroy(buf_);
    }
  }

 private:
  struct Ops {
    void (*call)(void*, Args&&...);
    void (*move)(void* from, void* to) noexcept;
    void (*destroy)(void*) noexcept;
  };
  template <typename Fn>
  static void call_inline(void* p, Args&&... args) {
    Fn* f = static_cast<Fn*>(p);
    Fn local(std::move(*f));
    f->~Fn();
    std::move(local)(std::move(args)...);
  }
  template <typename Fn>
  static void call_heap(void* p, Args&&... args) {
    Fn* f = *static_cast<Fn**>(p);
    Fn local(std::move(*f));
    f->~Fn();
    boost::asio::recycling_allocator<Fn>().deallocate(f, 1);
    std::move(local)(std::move(args)...);
  }
  template <typename Fn>
  static constexpr Ops inline_ops = {&call_inline<Fn>,
                                     [](void* from, void* to) noexcept {
                                       ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
                                       static_cast<Fn*>(from)->~Fn();
                                     },
                                     [](void* p) noexcept { static_cast<Fn*>(p)->~Fn(); }};
  template <typename Fn>
  static constexpr Ops heap_ops = {
      &call_heap<Fn>,
      [](void* from, void* to) noexcept { *static_cast<Fn**>(to) = *static_cast<Fn**>(from); },
      [](void* p) noexcept {
        Fn* f = *static_cast<Fn**>(p);
        f->~Fn();
        boost::asio::recycling_allocator<Fn>().deallocate(f, 1);
      }};

  alignas(void*) unsigned char buf_[inline_size];
  const Ops* ops_ = nullptr;
};

}  // namespace simsock::net::detail
