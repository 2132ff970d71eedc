// The world: virtual time, the event loop, Asio integration (callbacks and coroutines).
#include <gtest/gtest.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

TEST(World, TimersFireInVirtualTimeOrder) {
  World w(1);
  auto& h = w.add_host("a", "10.0.0.1");
  auto& net = h.network();
  std::vector<std::pair<int, std::int64_t>> fired;
  auto t1 = net.make_timer();
  auto t2 = net.make_timer();
  t1->expires_after(2s);
  t2->expires_after(1s);
  t1->async_wait([&](net::error_code ec) {
    EXPECT_FALSE(ec);
    fired.push_back({1, net.now().count()});
  });
  t2->async_wait([&](net::error_code ec) {
    EXPECT_FALSE(ec);
    fired.push_back({2, net.now().count()});
  });
  w.run();
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_EQ(fired[0], std::make_pair(2, std::int64_t{1'000'000'000}));
  EXPECT_EQ(fired[1], std::make_pair(1, std::int64_t{2'000'000'000}));
  EXPECT_EQ(w.now(), 2s);
}

TEST(World, HandlersAreNeverInvokedInsideTheInitiatingCall) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  auto t = net.make_timer();
  t->expires_after(0s);
  bool ran = false;
  t->async_wait([&](net::error_code) { ran = true; });
  EXPECT_FALSE(ran);
  w.run();
  EXPECT_TRUE(ran);
}

// A handler bound to another execution context runs there, not on the world's loop: the world
// only hands it over (asio::dispatch to its executor).
TEST(World, HandlersBoundToAnotherContextRunThere) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  asio::io_context user;
  auto t = net.make_timer();
  t->expires_after(1s);
  bool ran = false, on_user_context = false;
  t->async_wait(asio::bind_executor(user, [&](net::error_code ec) {
    EXPECT_FALSE(ec);
    ran = true;
    on_user_context = user.get_executor().running_in_this_thread();
  }));
  w.run();
  EXPECT_FALSE(ran);  // queued on the user's context, which nobody has run yet
  user.run();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(on_user_context);
}

// A handler on another world's loop (a queue executor, but not this world's) runs from that loop:
// the network hands it over in queued form, and the world passes it on instead of running it.
TEST(World, HandlersBoundToAnotherWorldsLoopRunFromThatLoop) {
  World w(1), other(2);
  auto& net = w.add_host("a", "10.0.0.1").network();
  auto other_ex = other.add_host("b", "10.0.0.2").network().get_executor();
  auto t = net.make_timer();
  t->expires_after(1s);
  bool ran = false;
  t->async_wait(asio::bind_executor(other_ex, [&](net::error_code ec) {
    EXPECT_FALSE(ec);
    ran = true;
  }));
  w.run();
  EXPECT_FALSE(ran);  // queued on the other world's loop
  other.run();
  EXPECT_TRUE(ran);
}

// The world's executor: queued handlers run in order, a post from a handler runs after every
// handler queued before it, dispatch from inside a handler runs at once; executors of the same
// world compare equal, of different worlds not, and blocking.never can be required.
TEST(World, TheWorldsExecutorRunsHandlersInPostOrder) {
  World w(1), other(2);
  auto& net = w.add_host("a", "10.0.0.1").network();
  auto ex = net.get_executor();
  std::vector<int> order;
  asio::post(ex, [&] {
    order.push_back(1);
    asio::post(ex, [&] { order.push_back(4); });
    asio::dispatch(ex, [&] { order.push_back(2); });  // inside a handler: runs inline
  });
  asio::post(ex, [&] { order.push_back(3); });
  EXPECT_TRUE(order.empty());  // nothing runs inside post
  w.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(ex, net.get_executor());
  EXPECT_EQ(
      asio::query(asio::require(ex, asio::execution::blocking.never), asio::execution::blocking),
      asio::execution::blocking.never);
  EXPECT_NE(ex, other.add_host("b", "10.0.0.2").network().get_executor());
}

TEST(World, CoroutinesAwaitTimersAndCancelledWaitsReportAborted) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  std::vector<std::string> log;
  launch(net, [&]() -> asio::awaitable<void> {
    auto t = net.make_timer();
    t->expires_after(500ms);
    co_await t->async_wait(use_awaitable);
    log.push_back("woke at " + std::to_string(net.now().count()));
    auto t2 = net.make_timer();
    t2->expires_after(10s);
    auto canceller = net.make_timer();
    canceller->expires_after(1s);
    canceller->async_wait([&](net::error_code) { t2->cancel(); });
    auto [ec] = co_await t2->async_wait(asio::as_tuple(use_awaitable));
    log.push_back(ec == net::error::operation_aborted ? "aborted" : "not aborted");
    log.push_back(std::to_string(net.now().count()));
  });
  w.run();
  EXPECT_EQ(log, (std::vector<std::string>{"woke at 500000000", "aborted", "1500000000"}));
}

TEST(World, RunUntilStopsAtTheGivenTimeAndTheClockReadsIt) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  int fired = 0;
  auto t = net.make_timer();
  t->expires_after(5s);
  t->async_wait([&](net::error_code) { ++fired; });
  w.run_until(3s);
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(w.now(), 3s);
  w.run_for(2s);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(w.now(), 5s);
  EXPECT_FALSE(w.step());
}

TEST(World, WorldsAreIndependent) {
  World a(1), b(2);
  auto& na = a.add_host("x", "10.0.0.1").network();
  auto& nb = b.add_host("x", "10.0.0.1").network();
  auto ta = na.make_timer();
  ta->expires_after(1s);
  bool fired = false;
  ta->async_wait([&](net::error_code) { fired = true; });
  b.run();
  EXPECT_FALSE(fired);
  EXPECT_EQ(nb.now().count(), 0);
  a.run();
  EXPECT_TRUE(fired);
}

TEST(World, WallClockStartsAtTheConfiguredStartTime) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  EXPECT_EQ(net.wall_now().time_since_epoch(),
            std::chrono::sys_days(std::chrono::year(2000) / 1 / 1).time_since_epoch());
  w.set_start_time(std::chrono::sys_days(std::chrono::year(2030) / 5 / 17));
  w.run_until(2s);
  EXPECT_EQ(net.wall_now(), std::chrono::sys_days(std::chrono::year(2030) / 5 / 17) + 2s);
}

TEST(World, DestroyingTheWorldDestroysSuspendedCoroutines) {
  struct Flag {
    bool* destroyed;
    ~Flag() { *destroyed = true; }
  };
  bool destroyed = false;
  {
    World w(1);
    auto& net = w.add_host("a", "10.0.0.1").network();
    launch(net, [&]() -> asio::awaitable<void> {
      Flag f{&destroyed};
      auto t = net.make_timer();
      t->expires_after(1h);
      co_await t->async_wait(use_awaitable);
    });
    w.run_until(1s);
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(destroyed);
}

}  // namespace
}  // namespace simsock::sim
