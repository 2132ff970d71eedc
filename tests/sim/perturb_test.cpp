// Schedule perturbation (sim/perturb.hpp): off, same-instant events and ready handlers keep
// FIFO order on every seed; on, the seed picks their order, reproducibly, which exposes code that
// only works because of the order things were started in. Seeds are fixed and in the messages.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <simsock/sim/world.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace std::chrono_literals;

PerturbOptions order_on() {
  PerturbOptions on;
  on.order = true;
  return on;
}

// Two timers set for the same instant, "config" first and "request" second. The request handler
// has an ordering bug: it reads a setting the config handler writes, which is there only when
// the config handler happened to run first. Returns whether the bug showed.
bool request_saw_missing_config(std::uint64_t seed, const PerturbOptions& perturb) {
  World w(seed);
  w.set_perturb(perturb);
  auto& net = w.add_host("a", "10.0.0.1").network();
  bool configured = false, bug = false;
  auto config = net.make_timer();
  auto request = net.make_timer();
  config->expires_after(1s);
  request->expires_after(1s);
  config->async_wait([&](net::error_code) { configured = true; });
  request->async_wait([&](net::error_code) { bug = !configured; });
  w.run();
  return bug;
}

TEST(Perturb, FifoNeverShowsTheOrderingBug) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    EXPECT_FALSE(request_saw_missing_config(seed, {})) << "seed " << seed;
  }
}

TEST(Perturb, SeededOrderFindsTheOrderingBugFifoNeverShows) {
  PerturbOptions on;
  on.order = true;
  int found = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) found += request_saw_missing_config(seed, on);
  // Two same-instant events: each order is about as likely as the other.
  EXPECT_GT(found, 60) << "of 200 seeds";
  EXPECT_LT(found, 140) << "of 200 seeds";
}

// The order `n` handlers posted together ran in.
std::vector<int> ready_order(std::uint64_t seed, const PerturbOptions& perturb, int n = 8) {
  World w(seed);
  w.set_perturb(perturb);
  auto& net = w.add_host("a", "10.0.0.1").network();
  std::vector<int> order;
  auto t = net.make_timer();
  t->expires_after(1ms);
  t->async_wait([&](net::error_code) {
    for (int i = 0; i < n; ++i) asio::post(net.get_executor(), [&order, i] { order.push_back(i); });
  });
  w.run();
  return order;
}

TEST(Perturb, ReadyHandlersRunFifoWhenOff) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(ready_order(seed, {}), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "seed " << seed;
  }
}

TEST(Perturb, ReadyHandlersRunInASeededReproducibleOrder) {
  PerturbOptions on;
  on.order = true;
  std::set<std::vector<int>> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto order = ready_order(seed, on);
    EXPECT_EQ(order, ready_order(seed, on)) << "seed " << seed << " is not reproducible";
    auto sorted = order;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7})) << "seed " << seed;
    seen.insert(order);
  }
  EXPECT_GE(seen.size(), 15u) << "20 seeds should give (nearly) 20 of the 40320 orders";
}

TEST(Perturb, DelayedCompletionsRunWithinTheBound) {
  PerturbOptions delayed;
  delayed.max_delay = 5ms;
  std::set<std::int64_t> delays;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    World w(seed);
    w.set_perturb(delayed);
    auto& net = w.add_host("a", "10.0.0.1").network();
    auto t = net.make_timer();
    t->expires_after(1s);
    std::int64_t ran_at = -1;
    t->async_wait([&](net::error_code) { ran_at = net.now().count(); });
    w.run();
    ASSERT_GE(ran_at, 1'000'000'000) << "seed " << seed;
    ASSERT_LE(ran_at, 1'005'000'000) << "seed " << seed;
    delays.insert(ran_at - 1'000'000'000);
  }
  EXPECT_GE(delays.size(), 40u) << "the delay is drawn per seed";
}

// Eight timers due at one instant, each sending a datagram of its own length (so the trace, and
// its digest, record the order they ran in), then a crash at that instant. `call` says whether
// set_perturb is called, and with what.
struct OrderedRun {
  std::vector<int> order;
  std::string digest;
};
OrderedRun same_instant_sends(std::uint64_t seed, const std::optional<PerturbOptions>& call) {
  World w(seed);
  if (call) w.set_perturb(*call);
  auto& a = w.add_host("a", "10.0.0.1").network();
  w.add_host("b", "10.0.0.2");
  net::error_code ec;
  auto tx = a.bind_udp(testing::ep("0.0.0.0:0"), ec);
  std::vector<std::unique_ptr<net::Timer>> timers;
  OrderedRun out;
  static const char payload[8] = {};
  for (int i = 0; i < 8; ++i) {
    timers.push_back(a.make_timer());
    timers.back()->expires_after(1s);
    timers.back()->async_wait([&, i](net::error_code) {
      out.order.push_back(i);
      tx->async_send_to(asio::buffer(payload, static_cast<std::size_t>(i + 1)),
                        testing::ep("10.0.0.2:9"), [](net::error_code, std::size_t) {});
    });
  }
  w.schedule({1s, Crash{"b"}});
  w.run();
  out.digest = w.digest_hex();
  return out;
}

TEST(Perturb, OffLeavesTheOrderAndTheDigestOfARunAsFifoHasThem) {
  const std::vector<int> fifo = {0, 1, 2, 3, 4, 5, 6, 7};
  std::set<std::string> perturbed_digests;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    auto never = same_instant_sends(seed, std::nullopt);
    auto off = same_instant_sends(seed, PerturbOptions{});
    auto on = same_instant_sends(seed, order_on());
    // Not calling set_perturb is FIFO (perturbation is off by default), and so is calling it
    // with perturbation off: the same order, and the same digest.
    EXPECT_EQ(never.order, fifo) << "seed " << seed;
    EXPECT_EQ(off.order, fifo) << "seed " << seed;
    EXPECT_EQ(off.digest, never.digest) << "seed " << seed;
    // The digest does see the order: a perturbed run that ran the timers in another order has
    // another digest.
    if (on.order != fifo) {
      EXPECT_NE(on.digest, never.digest) << "seed " << seed;
      perturbed_digests.insert(on.digest);
    }
  }
  EXPECT_GE(perturbed_digests.size(), 8u) << "perturbation on reorders most seeds";
}

TEST(Perturb, ACrashRunsTheHandlersStillDelayedFirst) {
  PerturbOptions delayed;
  delayed.max_delay = 1s;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    World w(seed);
    w.set_perturb(delayed);
    auto& net = w.add_host("a", "10.0.0.1").network();
    auto t = net.make_timer();
    t->expires_after(1s);
    std::int64_t ran_at = -1;
    t->async_wait([&](net::error_code) { ran_at = net.now().count(); });
    w.schedule({1s + 1ns, Crash{"a"}});
    w.run();
    // Either before the crash by its own delay, or at the crash, never after.
    EXPECT_GE(ran_at, 1'000'000'000) << "seed " << seed;
    EXPECT_LE(ran_at, 1'000'000'001) << "seed " << seed;
  }
}

// ---- what perturbation keeps in order: the arrivals the model itself orders

struct Transfer {
  std::size_t received = 0;
  bool intact = true;
  std::uint64_t retransmits = 0, lost = 0;
};

// The client writes `bytes` numbered bytes over a lossless 20 ms link in one write; the server
// reads them all.
Transfer lossless_transfer(std::uint64_t seed, const PerturbOptions& perturb, std::size_t bytes) {
  World w(seed);
  w.set_perturb(perturb);
  LinkConfig link;
  link.latency = 20ms;
  testing::add_two_hosts(w, link);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  Transfer out;
  testing::launch(srv, [&]() -> asio::awaitable<void> {
    net::error_code ec;
    auto l = srv.listen(testing::ep("0.0.0.0:9"), ec);
    auto s = co_await l->async_accept(testing::use_awaitable);
    std::vector<unsigned char> buf(4096);
    for (;;) {
      auto [e, n] =
          co_await s->async_read_some(asio::buffer(buf), asio::as_tuple(testing::use_awaitable));
      if (e) break;
      for (std::size_t k = 0; k < n; ++k) {
        out.intact &= buf[k] == static_cast<unsigned char>((out.received + k) % 251);
      }
      out.received += n;
    }
  });
  testing::launch(cli, [&]() -> asio::awaitable<void> {
    std::vector<unsigned char> data(bytes);
    for (std::size_t k = 0; k < bytes; ++k) data[k] = static_cast<unsigned char>(k % 251);
    auto s = co_await cli.async_connect(testing::ep("10.0.0.1:9"), testing::use_awaitable);
    co_await asio::async_write(*s, asio::buffer(data), testing::use_awaitable);
    s->shutdown(net::Shutdown::send);
  });
  w.run_for(60s);
  out.retransmits = w.stats().at("tcp.retransmits");
  out.lost = w.stats().at("tcp.segments_lost");
  return out;
}

TEST(Perturb, ALosslessTcpTransferNeedsNoRetransmissionUnderAPerturbedOrder) {
  constexpr std::size_t bytes = 1 << 20;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Transfer t = lossless_transfer(seed, order_on(), bytes);
    EXPECT_EQ(t.received, bytes) << "seed " << seed;
    EXPECT_TRUE(t.intact) << "seed " << seed;
    EXPECT_EQ(t.lost, 0u) << "seed " << seed;
    EXPECT_EQ(t.retransmits, 0u) << "seed " << seed << ": segments of one connection overtook "
                                 << "each other at one instant";
  }
}

// `n` datagrams sent back to back from each of the clients (one path each) land at one instant;
// returns the receiver's arrival order as (client, number) pairs.
std::vector<std::pair<int, int>> burst_order(std::uint64_t seed, int clients, int n) {
  World w(seed);
  w.set_perturb(order_on());
  LinkConfig link;
  link.latency = 5ms;
  w.set_default_link(link);
  auto& srv = w.add_host("server", "10.0.0.1").network();
  std::vector<std::unique_ptr<net::UdpSocket>> senders;
  for (int c = 0; c < clients; ++c) {
    auto& net = w.add_host("c" + std::to_string(c), "10.0.1." + std::to_string(c + 1)).network();
    net::error_code ec;
    senders.push_back(net.bind_udp(testing::ep("0.0.0.0:0"), ec));
  }
  net::error_code ec;
  auto rx = srv.bind_udp(testing::ep("0.0.0.0:53"), ec);
  std::vector<std::pair<int, int>> order;
  char buf[8];
  std::function<void()> receive = [&] {
    rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram) {
      if (e) return;
      order.emplace_back(buf[0], buf[1]);
      receive();
    });
  };
  receive();
  std::vector<std::array<char, 2>> payloads;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < clients; ++c)
      payloads.push_back({static_cast<char>(c), static_cast<char>(i)});
  }
  for (const auto& p : payloads) {
    senders[static_cast<std::size_t>(p[0])]->async_send_to(
        asio::buffer(p), testing::ep("10.0.0.1:53"), [](net::error_code, std::size_t) {});
  }
  w.run();
  return order;
}

TEST(Perturb, DatagramsOverOnePathKeepTheirSendOrderUnderAPerturbedOrder) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto order = burst_order(seed, 1, 16);
    ASSERT_EQ(order.size(), 16u) << "seed " << seed;
    for (int i = 0; i < 16; ++i) EXPECT_EQ(order[i].second, i) << "seed " << seed;
  }
}

TEST(Perturb, DatagramsOfDifferentPathsAtOneInstantStillRunInASeededOrder) {
  std::set<std::vector<std::pair<int, int>>> seen;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto order = burst_order(seed, 3, 4);
    ASSERT_EQ(order.size(), 12u) << "seed " << seed;
    int next[3] = {0, 0, 0};
    for (auto [c, i] : order) EXPECT_EQ(i, next[c]++) << "seed " << seed << " client " << c;
    seen.insert(order);
  }
  // 12! / (4!)^3 = 34650 interleavings of three in-order streams.
  EXPECT_GE(seen.size(), 15u) << "the paths' streams interleave in a seeded order";
}

}  // namespace
}  // namespace simsock::sim
