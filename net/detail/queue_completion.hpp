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
#include <cstddef>
#include <utility>

#include <simsock/net/detail/inline_handler.hpp>
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
  static constexpr std::size_t inline_size = InlineHandler<void(Args...)>::inline_size;

  QueueCompletion() = default;

  // Wraps `h`, whose completion runs from `queue`; `slot` is h's associated cancellation slot.
  template <typename Handler>
  QueueCompletion(Handler&& h, HandlerQueue& queue, asio::cancellation_slot slot)
      : fn_(std::forward<Handler>(h)), queue_(&queue), slot_(slot) {}

  QueueCompletion(QueueCompletion&&) noexcept = default;
  QueueCompletion& operator=(QueueCompletion&&) noexcept = default;
  QueueCompletion(const QueueCompletion&) = delete;
  QueueCompletion& operator=(const QueueCompletion&) = delete;
  // Destroys the handler without calling it (a coroutine waiting on it is destroyed with it).
  ~QueueCompletion() = default;

  explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
  // The queue the handler runs from.
  HandlerQueue& queue() const noexcept { return *queue_; }
  executor_type get_executor() const noexcept { return executor_type(*queue_); }
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

  // Calls the handler once, with the calling code taking the queue's place: the caller runs it
  // from the queue (or through its executor). The handler is moved out of this object first, so
  // the object is empty, and may be given a new handler, while the call runs.
  void operator()(Args... args) && { std::move(fn_)(std::move(args)...); }

  // Destroys the handler, if any, without calling it.
  void reset() noexcept { fn_.reset(); }

 private:
  InlineHandler<void(Args...)> fn_;
  HandlerQueue* queue_ = nullptr;
  asio::cancellation_slot slot_;
};

// True for QueueCompletion types.
template <typename T>
inline constexpr bool is_queue_completion = false;
template <typename Signature>
inline constexpr bool is_queue_completion<QueueCompletion<Signature>> = true;

}  // namespace simsock::net::detail
