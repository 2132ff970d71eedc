// The agenda against a reference model: random pushes (many at equal times), cancellations of
// live and stale ids, pops, and crash-style take_owned, checked step by step. The order must be
// (time, insertion order) exactly, cancelled events must never run, and a cancelled task must be
// destroyed at cancel time.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <tuple>
#include <vector>

#include <simsock/sim/event_queue.hpp>
#include <simsock/sim/rng.hpp>

namespace simsock::sim {
namespace {

struct Ref {
  std::int64_t t;
  std::uint64_t order;
  int id;
  const void* owner;
};

TEST(EventQueue, MatchesAReferenceModelUnderRandomOperations) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed, "event-queue-test");
    EventQueue q;
    std::vector<Ref> ref;  // live events
    std::vector<std::pair<EventId, int>> ids;
    std::uint64_t order = 0;
    int next_id = 0, ran = -1;
    int owners[3];
    std::int64_t now = 0;
    for (int step = 0; step < 4000; ++step) {
      auto op = rng.below(10);
      if (op < 5) {  // push, often at an already used time
        std::int64_t t = now + static_cast<std::int64_t>(rng.below(8)) * 10;
        int id = next_id++;
        const void* owner = &owners[rng.below(3)];
        EventId e = q.push(t, Task([&ran, id] { ran = id; }), owner);
        ref.push_back({t, order++, id, owner});
        ids.emplace_back(e, id);
      } else if (op < 7 && !ids.empty()) {  // cancel (maybe a stale id)
        auto k = rng.below(ids.size());
        auto [e, id] = ids[k];
        q.cancel(e);
        ref.erase(
            std::remove_if(ref.begin(), ref.end(), [id = id](const Ref& r) { return r.id == id; }),
            ref.end());
      } else if (op < 9) {  // pop
        std::int64_t t;
        Task task;
        bool got = q.pop(t, task);
        ASSERT_EQ(got, !ref.empty()) << "seed " << seed << " step " << step;
        if (!got) continue;
        auto it = std::min_element(ref.begin(), ref.end(), [](const Ref& a, const Ref& b) {
          return std::tie(a.t, a.order) < std::tie(b.t, b.order);
        });
        task();
        ASSERT_EQ(ran, it->id) << "seed " << seed << " step " << step;
        ASSERT_EQ(t, it->t);
        now = t;
        ref.erase(it);
      } else if (rng.below(20) == 0) {  // a host crash: its owner's events die
        const void* dead = &owners[rng.below(3)];
        std::vector<Task> grave;
        q.take_owned([dead](const void* o) { return o == dead; }, grave);
        std::size_t expected =
            std::count_if(ref.begin(), ref.end(), [dead](const Ref& r) { return r.owner == dead; });
        ASSERT_EQ(grave.size(), expected);
        ref.erase(std::remove_if(ref.begin(), ref.end(),
                                 [dead](const Ref& r) { return r.owner == dead; }),
                  ref.end());
      }
      std::int64_t expected_next = INT64_MAX;
      for (const auto& r : ref) expected_next = std::min(expected_next, r.t);
      ASSERT_EQ(q.next_time(), expected_next) << "seed " << seed << " step " << step;
    }
  }
}

TEST(EventQueue, CancelDestroysTheTaskAtOnceAndStaleIdsAreHarmless) {
  EventQueue q;
  auto token = std::make_shared<int>(1);
  std::weak_ptr<int> watch = token;
  EventId a = q.push(10, Task([t = std::move(token)] {}));
  EventId b = q.push(5, Task([] {}));
  q.cancel(a);
  EXPECT_TRUE(watch.expired());
  q.cancel(a);  // stale
  EXPECT_EQ(q.size(), 1u);
  std::int64_t t;
  Task task;
  ASSERT_TRUE(q.pop(t, task));
  EXPECT_EQ(t, 5);
  q.cancel(b);                         // already ran
  EventId c = q.push(7, Task([] {}));  // reuses a slot: the old ids must not reach it
  q.cancel(a);
  q.cancel(b);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.next_time(), 7);
  q.cancel(c);
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.pop(t, task));
}

// The shape of a busy simulation: completions due now, arrivals a fixed latency later, pacing
// timers a little later, and timeouts far ahead that are mostly cancelled. These go to the lanes
// (each in order) rather than the heap; the order must still be exact, a cancelled timeout must
// die at once, and the stale entries cancellations leave must not pile up.
TEST(EventQueue, InOrderStreamsAndCancelledTimeoutsRunInExactOrder) {
  EventQueue q;
  std::vector<Ref> ref;
  struct Timeout {
    EventId e;
    int id;
    std::weak_ptr<int> alive;
  };
  std::vector<Timeout> timeouts;
  std::uint64_t order = 0;
  int next_id = 0, ran = -1;
  std::int64_t now = 0;
  Rng rng(7, "event-queue-streams");
  auto push = [&](std::int64_t t, std::shared_ptr<int> token = nullptr) {
    int id = next_id++;
    EventId e = q.push(t, Task([&ran, id, token = std::move(token)] { ran = id; }));
    ref.push_back({t, order++, id, nullptr});
    return std::pair{e, id};
  };
  for (int step = 0; step < 50000; ++step) {
    switch (rng.below(8)) {
      case 0:
        push(now);
        break;
      case 1:
        push(now + 1000);
        break;
      case 2:
        push(now + 5);
        break;
      case 3: {
        auto token = std::make_shared<int>(0);
        std::weak_ptr<int> alive = token;
        auto [e, id] = push(now + 100000, std::move(token));
        timeouts.push_back({e, id, alive});
        break;
      }
      case 4:
        if (!timeouts.empty()) {
          Timeout victim = timeouts.back();
          timeouts.pop_back();
          q.cancel(victim.e);
          ASSERT_TRUE(victim.alive.expired()) << "step " << step;
          ref.erase(std::remove_if(ref.begin(), ref.end(),
                                   [id = victim.id](const Ref& r) { return r.id == id; }),
                    ref.end());
        }
        break;
      default: {
        std::int64_t t;
        Task task;
        ASSERT_EQ(q.pop(t, task), !ref.empty());
        if (ref.empty()) break;
        auto it = std::min_element(ref.begin(), ref.end(), [](const Ref& a, const Ref& b) {
          return std::tie(a.t, a.order) < std::tie(b.t, b.order);
        });
        task();
        ASSERT_EQ(ran, it->id) << "step " << step;
        ASSERT_EQ(t, it->t);
        now = t;
        ref.erase(it);
        timeouts.erase(std::remove_if(timeouts.begin(), timeouts.end(),
                                      [id = ran](const Timeout& x) { return x.id == id; }),
                       timeouts.end());
      }
    }
    ASSERT_EQ(q.size(), ref.size());
    // Cancelled entries left in the lanes are compacted away: what the queue holds stays
    // proportional to the events pending.
    ASSERT_LE(q.held_entries(), 2 * q.size() + 65) << "step " << step;
  }
}

// With a tiebreak stream, same-instant events run in a drawn order, except that events pushed on
// one chain for one instant run in the order they were pushed (even pushed between others, and
// after an event of the chain at a later instant).
TEST(EventQueue, ATiebreakShufflesAnInstantButKeepsEachChainsPushOrder) {
  std::set<std::vector<int>> orders;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Rng draws(seed, "tiebreak"), pick(seed, "pick");
    EventQueue q;
    q.set_tiebreak(&draws);
    EventChain chains[3];
    std::vector<std::pair<std::int64_t, int>> ran;        // (time, id)
    std::vector<std::pair<std::int64_t, int>> pushed[4];  // per chain (3: none), in push order
    for (int id = 0; id < 200; ++id) {
      std::int64_t t = 10 * static_cast<std::int64_t>(pick.below(3));
      auto c = pick.below(4);
      q.push(t, Task([&ran, t, id] { ran.emplace_back(t, id); }), nullptr,
             c < 3 ? &chains[c] : nullptr);
      pushed[c].emplace_back(t, id);
    }
    std::int64_t t;
    Task task;
    while (q.pop(t, task)) task();
    ASSERT_EQ(ran.size(), 200u);
    EXPECT_TRUE(
        std::is_sorted(ran.begin(), ran.end(), [](auto& a, auto& b) { return a.first < b.first; }));
    std::vector<int> position(200);
    for (std::size_t k = 0; k < ran.size(); ++k) position[ran[k].second] = static_cast<int>(k);
    for (int c = 0; c < 3; ++c) {
      for (std::size_t a = 0; a < pushed[c].size(); ++a) {
        for (std::size_t b = a + 1; b < pushed[c].size(); ++b) {
          if (pushed[c][a].first != pushed[c][b].first) continue;
          EXPECT_LT(position[pushed[c][a].second], position[pushed[c][b].second])
              << "seed " << seed << " chain " << c;
        }
      }
    }
    std::vector<int> ids;
    for (auto [at, id] : ran) ids.push_back(id);
    orders.insert(ids);
  }
  EXPECT_EQ(orders.size(), 30u) << "each seed draws its own order";
}

// Without a tiebreak a chain changes nothing: the order is (time, insertion order).
TEST(EventQueue, ChainsLeaveTheInsertionOrderAloneWithoutATiebreak) {
  Rng pick(5, "pick");
  EventQueue q;
  EventChain chain;
  std::vector<std::pair<std::int64_t, int>> ran, expected;
  for (int id = 0; id < 100; ++id) {
    std::int64_t t = 10 * static_cast<std::int64_t>(pick.below(3));
    q.push(t, Task([&ran, t, id] { ran.emplace_back(t, id); }), nullptr,
           pick.below(2) ? &chain : nullptr);
    expected.emplace_back(t, id);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  std::int64_t t;
  Task task;
  while (q.pop(t, task)) task();
  EXPECT_EQ(ran, expected);
}

}  // namespace
}  // namespace simsock::sim
