// The UDP receive queue, charged as Linux charges it: skb truesize per datagram against
// SO_RCVBUF (212,992 B), admission while charged + truesize <= budget (or the queue is empty), and
// refunds that wait for a quarter of the budget or the end of the reader's batch. The figures are
// Linux 6.18's on loopback (an unread socket, 2,000 datagrams sent).
#include <gtest/gtest.h>

#include <string>

#include <simsock/sim/udp_model.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

// A world whose client sends datagrams to the server's port 7 (over a zero-latency link).
struct QueueWorld {
  World w{1};
  std::unique_ptr<net::UdpSocket> rx, tx;
  QueueWorld() {
    add_two_hosts(w);
    net::error_code ec;
    rx = w.host("server").network().bind_udp(ep("0.0.0.0:7"), ec);
    tx = w.host("client").network().bind_udp(ep("0.0.0.0:0"), ec);
  }
  // Sends `n` datagrams of `size` bytes, each starting with `tag`, and runs until they land.
  void send(int n, std::size_t size, char tag = 'a') {
    std::string payload(size, tag);
    for (int i = 0; i < n; ++i) {
      tx->async_send_to(asio::buffer(payload), ep("10.0.0.1:7"),
                        [](net::error_code, std::size_t) {});
    }
    w.run();
  }
  // Reads up to `n` queued datagrams (never waits); returns their first bytes.
  std::string read(int n) {
    std::string tags;
    std::vector<char> buf(70'000);
    for (int i = 0; i < n; ++i) {
      bool got = false;
      rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram d) {
        if (!e && d.bytes) tags += buf[0];
        got = !e;
      });
      w.run();
      if (!got) {
        rx->cancel();
        w.run();
        break;
      }
    }
    return tags;
  }
};

TEST(UdpQueue, TruesizeFollowsLinuxAllocationClasses) {
  EXPECT_EQ(udp_truesize(0), 832u);
  EXPECT_EQ(udp_truesize(1), 832u);
  EXPECT_EQ(udp_truesize(197), 832u);
  EXPECT_EQ(udp_truesize(198), 1280u);
  EXPECT_EQ(udp_truesize(645), 1280u);
  EXPECT_EQ(udp_truesize(646), 2304u);
  EXPECT_EQ(udp_truesize(1472), 2304u);
  EXPECT_EQ(udp_truesize(1670), 4352u);
  EXPECT_EQ(udp_truesize(3718), 8448u);
  EXPECT_EQ(udp_truesize(7814), 16640u);
  EXPECT_EQ(udp_truesize(16004), 16640u);
  EXPECT_EQ(udp_truesize(16005), 16837u);
  EXPECT_EQ(udp_truesize(32000), 32832u);
  EXPECT_EQ(udp_truesize(65507), 66339u);
}

struct Kept {
  std::size_t size;
  std::uint64_t kept;
};

class UdpQueueKeeps : public ::testing::TestWithParam<Kept> {};

TEST_P(UdpQueueKeeps, AsManyDatagramsAsLinuxKeepsUnread) {
  QueueWorld q;
  q.send(2'000, GetParam().size);
  EXPECT_EQ(q.w.stats().at("udp.delivered"), GetParam().kept) << "payload " << GetParam().size;
  EXPECT_EQ(q.w.stats().at("udp.dropped"), 2'000 - GetParam().kept);
  EXPECT_EQ(q.read(3'000).size(), GetParam().kept);
}

INSTANTIATE_TEST_SUITE_P(LinuxFigures, UdpQueueKeeps,
                         ::testing::Values(Kept{1, 256}, Kept{100, 256}, Kept{1000, 92},
                                           Kept{1472, 92}, Kept{8000, 12}, Kept{65507, 3}),
                         [](const auto& info) {
                           return "Payload" + std::to_string(info.param.size);
                         });

TEST(UdpQueue, NoDatagramIsAdmittedPastTheBudget) {
  QueueWorld q;
  q.send(1, 65507);  // 66,339 B charged of 212,992
  q.send(3, 65507);
  EXPECT_EQ(q.w.stats().at("udp.delivered"), 3u);
  EXPECT_EQ(q.w.stats().at("udp.dropped"), 1u);  // 4 x 66,339 > 212,992, and nothing goes past
}

TEST(UdpQueue, ReadingOneDatagramFromAFullQueueLeavesNoRoom) {
  QueueWorld q;
  q.send(300, 100);
  EXPECT_EQ(q.read(1), "a");
  q.send(300, 100, 'b');  // the refund waits: 832 B is under a quarter of the budget
  EXPECT_EQ(q.read(1'000), std::string(255, 'a'));
}

TEST(UdpQueue, RefundsArriveInQuartersOfTheBudget) {
  // Linux 6.18: after 63 reads nothing of the second burst is kept, after 64 (53,248 B = a
  // quarter) 64 datagrams are, after 200 (three quarters refunded) 192 are.
  for (auto [reads, kept] : {std::pair{63, 0}, {64, 64}, {65, 64}, {128, 128}, {200, 192}}) {
    QueueWorld q;
    q.send(300, 100);
    ASSERT_EQ(q.read(reads).size(), static_cast<std::size_t>(reads));
    q.send(300, 100, 'b');
    std::string rest = q.read(1'000);
    EXPECT_EQ(std::count(rest.begin(), rest.end(), 'b'), kept) << reads << " reads";
    EXPECT_EQ(std::count(rest.begin(), rest.end(), 'a'), 256 - reads) << reads << " reads";
  }
}

TEST(UdpQueue, EmptyingTheQueueRefundsEverything) {
  QueueWorld q;
  q.send(300, 100);
  EXPECT_EQ(q.read(256).size(), 256u);
  q.send(300, 100, 'b');
  EXPECT_EQ(q.read(1'000), std::string(256, 'b'));
}

}  // namespace
}  // namespace simsock::sim
