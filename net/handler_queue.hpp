// net::HandlerQueue and net::QueueExecutor: an executor over any single-threaded queue of ready
// handlers. The network interface knows this executor type (besides io_context's) so that it can
// hand handlers to backends bound to a concrete executor (network.hpp, with_concrete_executor);
// which queue sits behind it (the simulator's loop is one) is none of its business.
//
// QueueExecutor<Never> is a standard (P0443-style) executor, so asio::any_io_executor, co_spawn,
// awaitables, strands, post/dispatch/defer and bind_executor all work unchanged:
//   - execute(f) on the blocking.possibly executor (the default) runs f at once when called from
//     a handler the queue is running (as io_context's executor does from inside run()), and
//     queues it otherwise;
//   - execute(f) on the blocking.never executor (what asio::post requires) always queues.
#pragma once

#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <utility>

#include <simsock/net/detail/task.hpp>

namespace simsock::net {

namespace asio = boost::asio;

// A single-threaded FIFO of ready handlers that some loop drains. Implementations decide when
// handlers run; post() must not run `t` before it returns.
class HandlerQueue : public asio::execution_context {
 public:
  // Queues `t` to run after everything already queued.
  virtual void post(detail::Task t) = 0;
  // True while the calling code runs inside a handler this queue is running.
  virtual bool running_in_this_thread() const noexcept = 0;

 protected:
  ~HandlerQueue() = default;
};

template <bool Never>
class QueueExecutor {
 public:
  explicit QueueExecutor(HandlerQueue& q) noexcept : q_(&q) {}

  HandlerQueue& queue() const noexcept { return *q_; }

  asio::execution_context& query(asio::execution::context_t) const noexcept { return *q_; }
  static constexpr asio::execution::blocking_t query(asio::execution::blocking_t) noexcept {
    return Never ? asio::execution::blocking_t(asio::execution::blocking.never)
                 : asio::execution::blocking_t(asio::execution::blocking.possibly);
  }
  static constexpr asio::execution::relationship_t query(asio::execution::relationship_t) noexcept {
    return asio::execution::relationship.fork;
  }
  static constexpr asio::execution::outstanding_work_t query(
      asio::execution::outstanding_work_t) noexcept {
    return asio::execution::outstanding_work.untracked;
  }
  QueueExecutor<true> require(asio::execution::blocking_t::never_t) const noexcept {
    return QueueExecutor<true>(*q_);
  }
  QueueExecutor<false> require(asio::execution::blocking_t::possibly_t) const noexcept {
    return QueueExecutor<false>(*q_);
  }

  template <typename F>
  void execute(F&& f) const {
    if constexpr (!Never) {
      if (q_->running_in_this_thread()) {
        std::forward<F>(f)();
        return;
      }
    }
    q_->post(detail::Task(std::forward<F>(f)));
  }

  friend bool operator==(const QueueExecutor& a, const QueueExecutor& b) noexcept {
    return a.q_ == b.q_;
  }
  friend bool operator!=(const QueueExecutor& a, const QueueExecutor& b) noexcept {
    return a.q_ != b.q_;
  }

 private:
  HandlerQueue* q_;
};

}  // namespace simsock::net
