// World::drop_nth: exactly the listed TCP segments or UDP datagrams on a path are dropped; TCP
// recovers them by retransmission, UDP loses them with trace reason "scripted".
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "tests/sim/sim_test_util.hpp"
#include "tests/testutil.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

struct DropRecorder : TraceSink {
  std::vector<std::string> reasons;
  void on_event(const TraceEvent& e) override {
    if (e.kind == "udp.drop") reasons.emplace_back(e.reason);
  }
};

TEST(ScriptedDrops, ExactlyTheListedDatagramsAreDropped) {
  World w(3);
  add_two_hosts(w);
  DropRecorder rec;
  w.add_trace_sink(&rec);
  w.drop_nth("client", "server", PacketRecord::Proto::udp, {4, 2});
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto rx = srv.bind_udp(ep("0.0.0.0:53"), ec);
  auto tx = cli.bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<int> got;
  char buf[16];
  std::function<void()> receive = [&] {
    rx->async_receive_from(asio::buffer(buf), [&](net::error_code e, net::Datagram) {
      if (e) return;
      got.push_back(buf[0]);
      receive();
    });
  };
  receive();
  std::vector<char> payload = {1, 2, 3, 4, 5, 6};
  for (char& c : payload) {
    tx->async_send_to(asio::buffer(&c, 1), ep("10.0.0.1:53"), [](net::error_code, std::size_t) {});
  }
  w.run_until(std::chrono::seconds(1));
  EXPECT_EQ(got, (std::vector<int>{1, 3, 5, 6}));
  EXPECT_EQ(w.stats().at("udp.dropped"), 2u);
  EXPECT_EQ(rec.reasons, (std::vector<std::string>{"scripted", "scripted"}));
}

TEST(ScriptedDrops, ADroppedSegmentIsRetransmittedAndNoByteIsLost) {
  World w(3);
  LinkConfig link;
  link.tcp.segment = {100, 100};
  add_two_hosts(w, link);
  w.drop_nth("client", "server", PacketRecord::Proto::tcp, {3});
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  const std::string data = testutil::pattern_bytes(1000, 7);
  std::string received;
  launch(srv, [&]() -> asio::awaitable<void> {
    net::error_code ec;
    auto l = srv.listen(ep("0.0.0.0:5000"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    received.resize(data.size());
    co_await asio::async_read(*s, asio::buffer(received), use_awaitable);
  });
  launch(cli, [&]() -> asio::awaitable<void> {
    auto s = co_await cli.async_connect(ep("10.0.0.1:5000"), use_awaitable);
    co_await asio::async_write(*s, asio::buffer(data), use_awaitable);
    char c;
    co_await s->async_read_some(asio::buffer(&c, 1), asio::as_tuple(use_awaitable));
  });
  w.run_until(std::chrono::seconds(5));
  EXPECT_EQ(received, data);
  EXPECT_EQ(w.stats().at("tcp.segments_lost"), 1u);
  EXPECT_GE(w.stats().at("tcp.retransmits"), 1u);
}

TEST(ScriptedDrops, UnknownHostIsRejected) {
  World w(1);
  add_two_hosts(w);
  EXPECT_THROW(w.drop_nth("client", "nowhere", PacketRecord::Proto::udp, {1}), std::out_of_range);
}

}  // namespace
}  // namespace simsock::sim
