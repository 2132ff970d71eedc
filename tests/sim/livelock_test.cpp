// The world's guards against runs that never end: no virtual-time progress (handlers that post
// themselves forever, zero-latency ping-pong) stops with Stalled; times past the end of the clock
// saturate instead of wrapping.
#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

TEST(Livelock, AHandlerThatPostsItselfForeverStopsTheRunWithStalled) {
  World w(1);
  w.add_host("a", "10.0.0.1");
  w.set_max_events_per_instant(10'000);
  auto ex = w.host("a").network().get_executor();
  std::uint64_t runs = 0;
  std::function<void()> again = [&] {
    ++runs;
    asio::post(ex, again);
  };
  asio::post(ex, again);
  try {
    w.run_for(1s);
    FAIL() << "the run should have stopped";
  } catch (const Stalled& e) {
    EXPECT_NE(std::string(e.what()).find("no virtual-time progress"), std::string::npos);
  }
  EXPECT_GT(runs, 10'000u);
  EXPECT_LT(runs, 20'010u);
  EXPECT_EQ(w.now(), Duration(0));
}

TEST(Livelock, ZeroLatencyTcpPingPongStopsWithStalled) {
  LinkConfig link;
  link.latency = Duration(0);
  World w(1);
  w.add_host("a", "10.0.0.1");
  w.set_default_link(link);
  w.set_max_events_per_instant(100'000);
  auto& net = w.host("a").network();
  launch(net, [&]() -> asio::awaitable<void> {
    net::error_code ec;
    auto l = net.listen(ep("127.0.0.1:7"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    char buf[64];
    for (;;) {
      auto n = co_await s->async_read_some(asio::buffer(buf), use_awaitable);
      co_await asio::async_write(*s, asio::buffer(buf, n), use_awaitable);
    }
  });
  launch(net, [&]() -> asio::awaitable<void> {
    auto s = co_await net.async_connect(ep("127.0.0.1:7"), use_awaitable);
    char buf[64] = "ping";
    for (;;) {
      co_await asio::async_write(*s, asio::buffer(buf, 4), use_awaitable);
      co_await s->async_read_some(asio::buffer(buf), use_awaitable);
    }
  });
  EXPECT_THROW(w.run_for(1s), Stalled);
  EXPECT_EQ(w.now(), Duration(0));
}

TEST(Livelock, ManyEventsThatAdvanceTheClockAreNotAStall) {
  World w(1);
  w.add_host("a", "10.0.0.1");
  w.set_max_events_per_instant(100);
  auto& net = w.host("a").network();
  int fired = 0;
  launch(net, [&]() -> asio::awaitable<void> {
    auto t = net.make_timer();
    for (int i = 0; i < 1000; ++i) {
      t->expires_after(1ms);
      co_await t->async_wait(use_awaitable);
      ++fired;
    }
  });
  EXPECT_NO_THROW(w.run());
  EXPECT_EQ(fired, 1000);
}

TEST(Livelock, ATimerSetPastTheEndOfTheClockNeverFiresInsteadOfWrapping) {
  World w(1);
  w.add_host("a", "10.0.0.1");
  auto& net = w.host("a").network();
  bool fired = false;
  auto t = net.make_timer();
  w.run_for(1s);
  t->expires_after(std::chrono::nanoseconds::max());
  t->async_wait([&](net::error_code) { fired = true; });
  w.run_for(std::chrono::hours(24 * 365));
  EXPECT_FALSE(fired);
  w.run_for(std::chrono::nanoseconds::max());  // saturates at the end of time
  EXPECT_EQ(w.now(), std::chrono::nanoseconds::max());
}

}  // namespace
}  // namespace simsock::sim
