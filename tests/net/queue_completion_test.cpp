// net::detail::QueueCompletion: the handler form the network interface hands to a backend for
// handlers that run on a HandlerQueue.
#include <gtest/gtest.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <deque>
#include <memory>
#include <string>

#include <simsock/net/detail/queue_completion.hpp>

namespace simsock::net::detail {
namespace {

// A queue that runs its handlers when told to.
class ManualQueue final : public HandlerQueue {
 public:
  void post(Task t) override { tasks_.push_back(std::move(t)); }
  bool running_in_this_thread() const noexcept override { return running_; }
  void run() {
    running_ = true;
    while (!tasks_.empty()) {
      Task t = std::move(tasks_.front());
      tasks_.pop_front();
      t();
    }
    running_ = false;
  }

 private:
  std::deque<Task> tasks_;
  bool running_ = false;
};

using Completion = QueueCompletion<void(int, std::string)>;

TEST(QueueCompletion, CallsTheHandlerOnceWithItsResultsAndIsEmptyWhileItRuns) {
  ManualQueue q;
  Completion* self = nullptr;
  bool empty_during_call = false;
  int got = 0;
  std::string text;
  Completion c(
      [&](int n, std::string s) {
        empty_during_call = !*self;
        got = n;
        text = std::move(s);
      },
      q, {});
  self = &c;
  ASSERT_TRUE(c);
  std::move(c)(7, "seven");
  EXPECT_EQ(got, 7);
  EXPECT_EQ(text, "seven");
  EXPECT_TRUE(empty_during_call);
  EXPECT_FALSE(c);
}

// A handler too large for the inline storage is kept on the side, moves with the object, and is
// destroyed uncalled when the object is.
TEST(QueueCompletion, ALargeHandlerMovesWithTheObjectAndDiesUncalledWithIt) {
  ManualQueue q;
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  struct Big {
    std::shared_ptr<int> keep;
    char pad[200] = {};
    int* calls;
    void operator()(int n, std::string) { *calls += n; }
  };
  int calls = 0;
  {
    Completion a(Big{std::move(alive), {}, &calls}, q, {});
    Completion b(std::move(a));
    EXPECT_FALSE(a);
    Completion c;
    c = std::move(b);
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(calls, 0);

  Completion d(Big{std::make_shared<int>(0), {}, &calls}, q, {});
  std::move(d)(3, "");
  EXPECT_EQ(calls, 3);
}

TEST(QueueCompletion, ReportsItsQueueAsExecutorAndTheHandlersCancellationSlot) {
  ManualQueue q;
  asio::cancellation_signal signal;
  Completion c([](int, std::string) {}, q, signal.slot());
  EXPECT_EQ(&c.queue(), &q);
  EXPECT_TRUE(asio::get_associated_executor(c) == QueueExecutor<false>(q));
  EXPECT_TRUE(asio::get_associated_cancellation_slot(c) == signal.slot());
}

// A backend that does not take the queued form converts it into an any_completion_handler, which
// still finds the queue and calls the handler.
TEST(QueueCompletion, ConvertsIntoAnAnyCompletionHandlerThatKeepsItsExecutor) {
  ManualQueue q;
  int got = 0;
  asio::any_completion_handler<void(int, std::string)> any(
      Completion([&](int n, std::string) { got = n; }, q, {}));
  auto ex = asio::get_associated_executor(any);
  ASSERT_TRUE(ex.target<QueueExecutor<false>>() != nullptr);
  EXPECT_EQ(&ex.target<QueueExecutor<false>>()->queue(), &q);
  std::move(any)(5, "");
  EXPECT_EQ(got, 5);
}

}  // namespace
}  // namespace simsock::net::detail
