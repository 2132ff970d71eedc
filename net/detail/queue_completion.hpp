// net::detail::QueueCompletion<Sig>: a type-erased completion handler that runs on a
// net::HandlerQueue. The network interface hands it to a backend instead of an
// asio::any_completion_handler when the handler's associated executor is a QueueExecutor (a
// coroutine or callback on the simulator's loop): the queue is known without asking the handler,
// the cancellation slot is read once, and a small handler (every coroutine's) is stored inline, so
// starting and completing an operation allocates nothing and calls through one function pointer.
//
// It is itself an Asio completion handler (associated executor: the queue's; associated
// cancellation slot: the wrapped handler's), so a backend that does not take it directly converts
// it into an any_completion_handler.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include <simsock/net/handler_queue.hpp>

namespace simsock::net::detail {

template <typename Signature>
class QueueCompletion;

template <typename... Args>
class QueueCompletion<void(Args...)> {
 public:
  using executor_type = QueueExecutor<false>;
  using cancellation_slot_type = asio::cancellation_slot;
  // Handlers up to this size (and the alignment of a pointer) are stored without allocating.
  static constexpr std::size_t inline_size = 32;

  QueueCompletion() = default;

  // Wraps `h`, whose completion runs from `queue`; `slot` is h's associated cancellation slot.
  template <typename Handler>
  QueueCompletion(Handler&& h, HandlerQueue& queue, asio::cancellation_slot slot)
      : queue_(&queue), slot_(slot) {
    using Fn = std::decay_t<Handler>;
    if constexpr (fits<Fn>) {
      ::new (static_cast<void*>(buf_)) Fn(std::forward<Handler>(h));
      ops_ = &inline_ops<Fn>;
    } else {
      asio::recycling_allocator<Fn> alloc;
      Fn* p = alloc.allocate(1);
      ::new (static_cast<void*>(p)) Fn(std::forward<Handler>(h));
      *reinterpret_cast<Fn**>(buf_) = p;
      ops_ = &heap_ops<Fn>;
    }
  }

  QueueCompletion(QueueCompletion&& o) noexcept : ops_(o.ops_), queue_(o.queue_), slot_(o.slot_) {
    if (ops_) ops_->move(o.buf_, buf_);
    o.ops_ = nullptr;
  }
  QueueCompletion& operator=(QueueCompletion&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      queue_ = o.queue_;
      slot_ = o.slot_;
      if (ops_) ops_->move(o.buf_, buf_);
      o.ops_ = nullptr;
    }
    return *this;
  }
  QueueCompletion(const QueueCompletion&) = delete;
  QueueCompletion& operator=(const QueueCompletion&) = delete;
  // Destroys the handler without calling it (a coroutine waiting on it is destroyed with it).
  ~QueueCompletion() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  // The queue the handler runs from.
  HandlerQueue& queue() const noexcept { return *queue_; }
  executor_type get_executor() const noexcept { return executor_type(*queue_); }
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

  // Calls the handler once, with the calling code taking the queue's place: the caller runs it
  // from the queue (or through its executor). The handler is moved out of this object first, so
  // the object is empty, and may be given a new handler, while the call runs.
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
    asio::recycling_allocator<Fn>().deallocate(f, 1);
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
        asio::recycling_allocator<Fn>().deallocate(f, 1);
      }};

  alignas(void*) unsigned char buf_[inline_size];
  const Ops* ops_ = nullptr;
  HandlerQueue* queue_ = nullptr;
  asio::cancellation_slot slot_;
};

// True for QueueCompletion types.
template <typename T>
inline constexpr bool is_queue_completion = false;
template <typename Signature>
inline constexpr bool is_queue_completion<QueueCompletion<Signature>> = true;

}  // namespace simsock::net::detail
