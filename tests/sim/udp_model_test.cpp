// The UDP model: loss, duplication and reordering at the configured rates; boundaries kept;
// truncation; MTU fragmentation; unbound ports; message_size; queue overflow.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>

#include <simsock/sim/host.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

struct Flood {
  std::vector<std::uint32_t> order;  // sequence numbers in arrival order
  Stats stats;
};

// The client sends `n` numbered datagrams of `size` bytes, 1 ms apart; the server records them.
Flood flood(std::uint64_t seed, const LinkConfig& link, int n, std::size_t size = 8,
            std::size_t rbuf = 65536) {
  World w(seed);
  add_two_hosts(w, link);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  Flood out;
  net::error_code ec;
  auto rx = srv.bind_udp(ep("0.0.0.0:53"), ec);
  auto tx = cli.bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<char> buf(rbuf);
  std::function<void()> receive = [&] {
    rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram d) {
      if (e) return;
      EXPECT_EQ(d.full_size, size);
      EXPECT_EQ(d.sender.address, asio::ip::make_address("10.0.0.2"));
      std::uint32_t seq;
      std::memcpy(&seq, buf.data(), 4);
      out.order.push_back(seq);
      receive();
    });
  };
  receive();
  std::vector<char> payload(size, 'x');
  auto timer = cli.make_timer();
  int i = 0;
  std::function<void()> send = [&] {
    std::uint32_t seq = static_cast<std::uint32_t>(i);
    std::memcpy(payload.data(), &seq, 4);
    tx->async_send_to(asio::buffer(payload), ep("10.0.0.1:53"),
                      [](net::error_code e, std::size_t) { EXPECT_FALSE(e); });
    if (++i < n) {
      timer->expires_after(1ms);
      timer->async_wait([&](net::error_code) { send(); });
    }
  };
  send();
  w.run();
  out.stats = w.stats();
  return out;
}

void expect_rate(double observed_count, int n, double p, const char* what) {
  double sigma = std::sqrt(n * p * (1 - p));
  EXPECT_NEAR(observed_count, n * p, 4 * sigma + 1e-9) << what;
}

TEST(UdpModel, LossDuplicationAndReorderingMatchTheConfiguredProbabilities) {
  LinkConfig link;
  link.latency = 5ms;
  link.udp.loss = 0.2;
  link.udp.duplicate = 0.05;
  link.udp.reorder = 0.1;
  link.udp.reorder_delay = 20ms;
  const int n = 10'000;
  Flood f = flood(11, link, n);
  std::uint64_t delivered_once = 0;
  std::set<std::uint32_t> seen;
  for (auto s : f.order) seen.insert(s);
  delivered_once = seen.size();
  expect_rate(static_cast<double>(n - delivered_once), n, 0.2, "lost datagrams");
  expect_rate(static_cast<double>(f.stats.at("udp.duplicated")), static_cast<int>(delivered_once),
              0.05, "duplicates");
  expect_rate(static_cast<double>(f.stats.at("udp.reordered")), static_cast<int>(delivered_once),
              0.1, "reordered");
  // Reordering is visible at the receiver: some arrive after a later one.
  int inversions = 0;
  for (std::size_t i = 1; i < f.order.size(); ++i) inversions += f.order[i] < f.order[i - 1];
  EXPECT_GT(inversions, 100);
  EXPECT_EQ(f.stats.at("udp.sent") + f.stats.at("udp.duplicated"),
            f.stats.at("udp.delivered") + f.stats.at("udp.dropped"));
}

TEST(UdpModel, BurstLossFollowsTheGilbertElliottStationaryRate) {
  LinkConfig link;
  link.udp.burst = GilbertElliott{0.05, 0.25, 0.0, 1.0};  // stationary bad share 1/6
  const int n = 10'000;
  Flood f = flood(3, link, n);
  double lost = n - static_cast<double>(f.order.size());
  EXPECT_NEAR(lost / n, 1.0 / 6, 0.04);
}

TEST(UdpModel, WithoutImpairmentsEveryDatagramArrivesOnceInOrder) {
  Flood f = flood(1, LinkConfig{}, 1000);
  ASSERT_EQ(f.order.size(), 1000u);
  for (std::uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(f.order[i], i);
  EXPECT_EQ(f.stats.at("udp.dropped"), 0u);
}

TEST(UdpModel, BoundariesNeverMergeOrSplitAndShortBuffersTruncate) {
  World w(1);
  add_two_hosts(w);
  net::error_code ec;
  auto rx = w.host("server").network().bind_udp(ep("0.0.0.0:7"), ec);
  auto tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  for (std::string m : {"a", "bb", "ccc", "a much longer datagram"}) {
    tx->async_send_to(asio::buffer(m), ep("10.0.0.1:7"), [](net::error_code, std::size_t) {});
  }
  w.run();
  std::vector<std::pair<std::string, net::Datagram>> got;
  char buf[8];
  for (int i = 0; i < 4; ++i) {
    rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram d) {
      EXPECT_FALSE(e);
      got.push_back({std::string(buf, d.bytes), d});
    });
    w.run();
  }
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].first, "a");
  EXPECT_EQ(got[1].first, "bb");
  EXPECT_EQ(got[2].first, "ccc");
  EXPECT_EQ(got[3].first, "a much l");
  EXPECT_TRUE(got[3].second.truncated());
  EXPECT_EQ(got[3].second.full_size, 22u);
  EXPECT_FALSE(got[2].second.truncated());
  EXPECT_EQ(w.stats().at("udp.truncated"), 1u);
}

TEST(UdpModel, DatagramsAboveTheMtuAreFragmentedAndLostIfAnyFragmentIs) {
  LinkConfig link;
  link.udp.loss = 0.1;
  link.udp.mtu = 1500;
  const int n = 4000;
  // 4000 bytes -> ceil(4008 / 1480) = 3 fragments: delivered with probability 0.9^3.
  Flood f = flood(5, link, n, 4000);
  EXPECT_EQ(f.stats.at("udp.fragments"), 3u * n);
  double p_lost = 1 - std::pow(0.9, 3);
  expect_rate(n - static_cast<double>(f.order.size()), n, p_lost, "fragmented loss");
  // 1472 bytes + 28 = 1500 fits in one packet.
  Flood g = flood(5, link, n, 1472);
  EXPECT_EQ(g.stats.at("udp.fragments"), 0u);
  expect_rate(n - static_cast<double>(g.order.size()), n, 0.1, "unfragmented loss");
}

TEST(UdpModel, ADatagramToAPortNobodyBoundIsDroppedAndCounted) {
  World w(1);
  add_two_hosts(w);
  TraceRecorder rec;
  w.add_trace_sink(&rec);
  net::error_code ec, send_ec = net::error::timed_out;
  auto tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  tx->async_send_to(asio::buffer("hi", 2), ep("10.0.0.1:9999"),
                    [&](net::error_code e, std::size_t) { send_ec = e; });
  w.run();
  EXPECT_FALSE(send_ec);
  EXPECT_EQ(w.stats().at("udp.sent"), 1u);
  EXPECT_EQ(w.stats().at("udp.dropped"), 1u);
  auto drops = rec.of("udp.drop");
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].reason, "no_listener");
  EXPECT_EQ(drops[0].dst, "10.0.0.1:9999");
}

TEST(UdpModel, OversizedDatagramsFailWithMessageSize) {
  World w(1);
  add_two_hosts(w);
  net::error_code ec, got;
  auto tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<char> big(65508);
  tx->async_send_to(asio::buffer(big), ep("10.0.0.1:1"),
                    [&](net::error_code e, std::size_t) { got = e; });
  w.run();
  EXPECT_EQ(got, net::error::message_size);
  EXPECT_EQ(w.stats().at("udp.sent"), 0u);
}

TEST(UdpModel, AFullReceiveQueueDropsWithOverflow) {
  World w(1);
  add_two_hosts(w);
  net::error_code ec;
  auto rx = w.host("server").network().bind_udp(ep("0.0.0.0:7"), ec);
  auto tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<char> payload(10'000);
  for (int i = 0; i < 30; ++i) {
    tx->async_send_to(asio::buffer(payload), ep("10.0.0.1:7"), [](net::error_code, std::size_t) {});
  }
  w.run();
  // Linux keeps 12: each 10,000-byte datagram is charged 16,640 B of 212,992 (udp_truesize).
  EXPECT_EQ(w.stats().at("udp.delivered"), 12u);
  EXPECT_EQ(w.stats().at("udp.dropped"), 18u);
}

TEST(UdpModel, BindChecksAddressAndPort) {
  World w(1);
  add_two_hosts(w);
  auto& net = w.host("server").network();
  net::error_code ec;
  auto a = net.bind_udp(ep("10.0.0.1:7"), ec);
  EXPECT_FALSE(ec);
  auto b = net.bind_udp(ep("0.0.0.0:7"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto c = net.bind_udp(ep("10.0.0.2:8"), ec);
  EXPECT_EQ(ec, net::error::address_not_available);
  auto d = net.bind_udp(ep("0.0.0.0:0"), ec);
  EXPECT_FALSE(ec);
  EXPECT_GE(d->local_endpoint().port, k_ephemeral_first);
  EXPECT_LE(d->local_endpoint().port, k_ephemeral_last);
}

}  // namespace
}  // namespace simsock::sim
