// net::detail::IoCompletion<Sig>: a type-erased completion handler whose associated executor is an
// io_context's own executor. The network interface hands it to a backend instead of an
// asio::any_completion_handler in that case (coroutines and callbacks on the io_context a real
// network runs on): the executor and the cancellation slot are read once, when the operation
// starts, and a small handler (every coroutine's) is stored inline, so the operation allocates
// nothing for the handler and completes through one function pointer instead of
// any_completion_handler's allocation, executor lookups and indirect calls.
//
// It is itself an Asio completion handler (associated executor: the io_context's; associated
// cancellation slot: the wrapped handler's), so a backend that does not take it directly converts
// it into an any_completion_handler. The real-socket counterpart of QueueCompletion.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace simsock::net::detail {

template <typename Signature>
class IoCompletion;

template <typename... Args>
class IoCompletion<void(Args...)> {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using cancellation_slot_type = boost::asio::cancellation_slot;
  // Handlers up to this size (and the alignment of a pointer) are stored without allocating.
  static constexpr std::size_t inline_size = 32;

  // Wraps `h`, whose associated executor is `ex`; `slot` is h's associated cancellation slot.
  template <typename Handler>
  IoCompletion(Handler&& h, const executor_type& ex, boost::asio::cancellation_slot slot)
      : ex_(ex), slot_(slot) {
    using Fn = std::decay_t<Handler>;
    if constexpr (fits<Fn>) {
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

  IoCompletion(IoCompletion&& o) noexcept : ops_(o.ops_), ex_(o.ex_), slot_(o.slot_) {
    if (ops_) ops_->move(o.buf_, buf_);
    o.ops_ = nullptr;
  }
  IoCompletion& operator=(IoCompletion&&) = delete;
  IoCompletion(const IoCompletion&) = delete;
  IoCompletion& operator=(const IoCompletion&) = delete;
  // Destroys the handler without calling it (a coroutine waiting on it is destroyed with it).
  ~IoCompletion() {
    if (ops_) ops_->destroy(buf_);
  }

  executor_type get_executor() const noexcept { return ex_; }
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

  // Calls the handler once, in the calling thread: the caller must be running on the handler's
  // executor (a completion of an operation of that io_context). The handler is moved out of this
  // object first, so destroying the object while the call runs is safe.
  void operator()(Args... args) && {
    auto* ops = ops_;
    ops_ = nullptr;
    ops->call(buf_, std::move(args)...);
  }

 private:
  template <typename Fn>
  static constexpr bool fits =
      sizeof(Fn) <= inline_size &&
      alignof(Fn) <= alignof(void*) && std::is_nothrow_move_constructible_v<Fn>;

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
  executor_type ex_;
  boost::asio::cancellation_slot slot_;
};

}  // namespace simsock::net::detail
