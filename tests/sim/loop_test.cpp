// The world's ready queue (sim::Loop) runs each handler in the slot it was queued in. A running
// handler's own state must survive whatever it does meanwhile: queue enough to grow the ring,
// queue until the ring's tail comes round to its slot (after a nested poll moved the head on),
// throw, or queue more from its destructor. The checks read the handler's captures after those
// steps (a slot reused or freed under it changes them; the sanitizer build reports the access).
#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <simsock/sim/loop.hpp>

namespace simsock::sim {
namespace {

// A capture on the heap (longer than the small-string buffer), so a freed or overwritten
// callable cannot still look intact.
const std::string k_canary(100, 'c');

// 0, 1, ..., n - 1: the order the handlers queued with those numbers must run in.
std::vector<int> first(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(Loop, AHandlerThatGrowsTheRingKeepsItsCapturesAndTheOrderIsKept) {
  Loop loop;
  std::vector<int> ran;
  std::string seen;
  loop.post(Task([&, mine = k_canary] {
    for (int i = 0; i < 1000; ++i) loop.post(Task([&ran, i] { ran.push_back(i); }));
    seen = mine;
  }));
  EXPECT_EQ(loop.poll(), 1001u);
  EXPECT_EQ(seen, k_canary);
  EXPECT_EQ(ran, first(1000));
}

TEST(Loop, AQueueThatWrapsOntoARunningHandlersSlotGrowsInstead) {
  Loop loop;
  std::vector<int> ran;
  std::string seen;
  // The first post makes a ring of 64 slots; this handler runs in slot 0.
  loop.post(Task([&, mine = k_canary] {
    // Ten handlers in slots 1-10, run by a nested poll: the head moves on to slot 11.
    for (int i = 0; i < 10; ++i) loop.post(Task([&ran, i] { ran.push_back(i); }));
    EXPECT_EQ(loop.poll(), 10u);
    // 63 more: slots 11-63, and the 54th would be slot 0, this handler's.
    for (int i = 10; i < 73; ++i) loop.post(Task([&ran, i] { ran.push_back(i); }));
    seen = mine;
  }));
  EXPECT_EQ(loop.poll(), 64u);
  EXPECT_EQ(seen, k_canary);
  EXPECT_EQ(ran, first(73));
}

TEST(Loop, AThrowingHandlerIsConsumedAndTheRestStayQueued) {
  Loop loop;
  std::vector<int> ran;
  loop.post(Task([&] {
    loop.post(Task([&ran] { ran.push_back(1); }));
    throw std::runtime_error("handler failed");
  }));
  loop.post(Task([&ran] { ran.push_back(0); }));
  EXPECT_THROW(loop.poll(), std::runtime_error);
  EXPECT_TRUE(ran.empty());
  EXPECT_FALSE(loop.running_in_this_thread());
  EXPECT_EQ(loop.poll(), 2u);
  EXPECT_EQ(ran, (std::vector<int>{0, 1}));
}

// Queues a handler when destroyed (as a coroutine frame that posts from its destructor does).
struct PostsWhenDestroyed {
  Loop* loop;
  std::vector<int>* ran;
  PostsWhenDestroyed(Loop& l, std::vector<int>& r) : loop(&l), ran(&r) {}
  PostsWhenDestroyed(PostsWhenDestroyed&& o) noexcept : loop(o.loop), ran(o.ran) {
    o.loop = nullptr;
  }
  PostsWhenDestroyed& operator=(PostsWhenDestroyed&&) = delete;
  ~PostsWhenDestroyed() {
    if (!loop) return;
    for (int i = 0; i < 100; ++i) loop->post(Task([r = ran, i] { r->push_back(i); }));
  }
};

TEST(Loop, HandlersQueuedByARunHandlersDestructorRunInTheSamePoll) {
  Loop loop;
  std::vector<int> ran;
  loop.post(Task([p = PostsWhenDestroyed(loop, ran)] {}));
  EXPECT_EQ(loop.poll(), 101u);
  EXPECT_EQ(ran, first(100));
}

TEST(Loop, PollStopsAfterMaxHandlersAndLeavesTheRestQueued) {
  Loop loop;
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i) loop.post(Task([&ran, i] { ran.push_back(i); }));
  EXPECT_EQ(loop.poll(3), 3u);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(loop.empty());
  EXPECT_EQ(loop.poll(), 2u);
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace simsock::sim
