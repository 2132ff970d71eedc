// sim::LinkModel: the link decisions the simulator's paths and the real-socket proxy share. The
// same seed and stream name give the same decisions; the stages keep their bounds.
#include <gtest/gtest.h>

#include <set>
#include <tuple>
#include <vector>

#include <simsock/sim/link_model.hpp>

namespace simsock::sim {
namespace {

using namespace std::chrono_literals;

LinkConfig lossy_link() {
  LinkConfig c;
  c.latency = 5ms;
  c.jitter = 2ms;
  c.udp.loss = 0.2;
  c.udp.duplicate = 0.1;
  c.udp.reorder = 0.1;
  c.tcp.segment = {1, 3};
  return c;
}

std::vector<std::tuple<int, std::int64_t, bool, bool>> decisions(LinkModel& m, int n) {
  std::vector<std::tuple<int, std::int64_t, bool, bool>> out;
  for (int i = 0; i < n; ++i) {
    auto v = m.decide(i * 1000, PacketRecord::Proto::udp, true, 1, 100);
    out.emplace_back(static_cast<int>(v.verdict), v.arrival, v.reordered, v.duplicate.has_value());
  }
  return out;
}

TEST(LinkModel, TheSameSeedAndStreamNameGiveTheSameDecisions) {
  LinkModel a(7, "path:client->server", lossy_link()), b(7, "path:client->server", lossy_link());
  EXPECT_EQ(decisions(a, 500), decisions(b, 500));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.segment_size(), b.segment_size());
}

TEST(LinkModel, AnotherSeedOrStreamNameGivesOtherDecisions) {
  LinkModel a(7, "path:client->server", lossy_link());
  LinkModel b(8, "path:client->server", lossy_link());
  LinkModel c(7, "path:server->client", lossy_link());
  auto da = decisions(a, 200);
  EXPECT_NE(da, decisions(b, 200));
  EXPECT_NE(da, decisions(c, 200));
}

TEST(LinkModel, SegmentSizesStayWithinTheLinksBoundsAndCoverThem) {
  LinkModel m(1, "s", lossy_link());
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 300; ++i) {
    auto size = m.segment_size();
    EXPECT_GE(size, 1u);
    EXPECT_LE(size, 3u);
    seen.insert(size);
  }
  EXPECT_EQ(seen, (std::set<std::uint32_t>{1, 2, 3}));
}

TEST(LinkModel, AFixedSegmentSizeDrawsNothing) {
  LinkConfig c;
  c.tcp.segment = {1460, 1460};
  LinkModel m(3, "s", c);
  Rng fresh(3, "s");
  EXPECT_EQ(m.segment_size(), 1460u);
  EXPECT_EQ(m.rng().next(), fresh.next());
}

TEST(LinkModel, LossDropsAboutItsShareAndDelaysStayWithinLatencyPlusJitter) {
  LinkModel m(11, "s", lossy_link());
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) {
    auto v = m.decide(0, PacketRecord::Proto::udp, true, 1, 100);
    if (v.verdict == Passage::Verdict::dropped) {
      EXPECT_EQ(v.reason, "loss");
      ++dropped;
      continue;
    }
    std::int64_t extra = v.reordered ? std::int64_t{10'000'000} : 0;
    EXPECT_GE(v.arrival, 5'000'000 + extra);
    EXPECT_LE(v.arrival, 7'000'000 + extra);
  }
  EXPECT_GT(dropped, 1700);
  EXPECT_LT(dropped, 2300);
}

TEST(LinkModel, AFullBandwidthQueueDrops) {
  LinkConfig c;
  c.latency = 0ms;
  c.bandwidth_bps = 8000;  // 1000 bytes per second
  c.queue_bytes = 3000;
  LinkModel m(1, "s", c);
  for (int i = 0; i < 3; ++i) {
    auto v = m.decide(0, PacketRecord::Proto::udp, true, 1, 1000);
    ASSERT_EQ(v.verdict, Passage::Verdict::arrive) << i;
    EXPECT_EQ(v.arrival, (i + 1) * 1'000'000'000LL);
  }
  auto v = m.decide(0, PacketRecord::Proto::udp, true, 1, 1000);
  EXPECT_EQ(v.verdict, Passage::Verdict::dropped);
  EXPECT_EQ(v.reason, "queue_full");
}

TEST(LinkModel, FragmentCountFollowsTheMtu) {
  EXPECT_EQ(udp_fragments(1472, 1500), 1u);
  EXPECT_EQ(udp_fragments(1473, 1500), 2u);
  EXPECT_EQ(udp_fragments(9000, 1500), 7u);
}

}  // namespace
}  // namespace simsock::sim
