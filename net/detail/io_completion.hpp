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
#include <cstddef>
#include <utility>

#include <simsock/net/detail/inline_handler.hpp>

namespace simsock::net::detail {

template <typename Signature>
class IoCompletion;

template <typename... Args>
class IoCompletion<void(Args...)> {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using cancellation_slot_type = boost::asio::cancellation_slot;
  // Handlers up to this size (and the alignment of a pointer) are stored without allocating.
  static constexpr std::size_t inline_size = InlineHandler<void(Args...)>::inline_size;

  // Wraps `h`, whose associated executor is `ex`; `slot` is h's associated cancellation slot.
  template <typename Handler>
  IoCompletion(Handler&& h, const executor_type& ex, boost::asio::cancellation_slot slot)
      : fn_(std::forward<Handler>(h)), ex_(ex), slot_(slot) {}

  IoCompletion(IoCompletion&&) noexcept = default;
  IoCompletion& operator=(IoCompletion&&) = delete;
  IoCompletion(const IoCompletion&) = delete;
  IoCompletion& operator=(const IoCompletion&) = delete;
  // Destroys the handler without calling it (a coroutine waiting on it is destroyed with it).
  ~IoCompletion() = default;

  executor_type get_executor() const noexcept { return ex_; }
  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }

  // Calls the handler once, in the calling thread: the caller must be running on the handler's
  // executor (a completion of an operation of that io_context). The handler is moved out of this
  // object first, so destroying the object while the call runs is safe.
  void operator()(Args... args) && { std::move(fn_)(std::move(args)...); }

  // The wrapped handler alone, for a backend that has read the executor and the slot and keeps
  // the handler itself until the operation completes. This object is empty afterwards.
  InlineHandler<void(Args...)> take_handler() && noexcept { return std::move(fn_); }

 private:
  InlineHandler<void(Args...)> fn_;
  executor_type ex_;
  boost::asio::cancellation_slot slot_;
};

}  // namespace simsock::net::detail
