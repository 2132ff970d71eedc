// The TCP model against Linux's figures where only the simulator can show them within a test's
// time (virtual minutes): RTO from the measured RTT, the retries2 give-up, TIME_WAIT, peer death by
// kill and by power-off, bytes on the wire outliving their sender, the accept queue. The source of
// each figure is in docs/fidelity.md.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <simsock/sim/tcp_end.hpp>
#include "tests/sim/sim_test_util.hpp"
#include "tests/testutil.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

struct Pair {
  std::unique_ptr<net::TcpListener> l;
  std::unique_ptr<net::TcpStream> server, client;
};

Pair connect_pair(World& w, const std::string& port = "9") {
  Pair p;
  net::error_code ec;
  p.l = w.host("server").network().listen(ep("0.0.0.0:" + port), ec);
  p.l->async_accept(
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { p.server = std::move(s); });
  w.host("client").network().async_connect(
      ep("10.0.0.1:" + port),
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { p.client = std::move(s); });
  w.run();
  return p;
}

struct Outcome {
  bool done = false;
  net::error_code ec;
  std::size_t n = 0;
  std::int64_t at = -1;
};

auto record(Outcome& o, net::Network& net) {
  return [&o, &net](net::error_code e, std::size_t n) {
    o.done = true;
    o.ec = e;
    o.n = n;
    o.at = net.now().count();
  };
}

TEST(TcpLinuxTiming, ModelTimeoutMatchesLinuxForSynAndDataRetries) {
  // tcp_model_timeout(): 6 SYN retries from a 1 s RTO, 15 data retries from TCP_RTO_MIN.
  EXPECT_EQ(tcp_model_timeout(6, 1'000'000'000), 127'000'000'000);
  EXPECT_EQ(tcp_model_timeout(15, 200'000'000), 924'600'000'000);
  EXPECT_EQ(tcp_model_timeout(8, 200'000'000), 102'200'000'000);
}

// The SYN schedule, from the SYNs a capture sees: Linux 6.x's linear timeouts by default, and the
// classic doubling of older kernels (Debian 12's 6.1) with syn_linear_timeouts 0.
std::vector<std::int64_t> syn_times(std::uint32_t linear, std::int64_t& timed_out_at) {
  struct Syns final : PacketSink {
    std::vector<std::int64_t> t;
    void on_packet(const PacketRecord& p) override {
      if (p.syn && !p.ack_flag) t.push_back(p.t);
    }
  } syns;
  LinkConfig link;
  link.tcp.syn_linear_timeouts = linear;
  World w(1);
  add_two_hosts(w, link);
  w.add_packet_sink(&syns);
  w.schedule(Fault{0s, Partition{{"client", "server", true}}});
  auto& cli = w.host("client").network();
  cli.async_connect(ep("10.0.0.1:80"), [&](net::error_code e, std::unique_ptr<net::TcpStream>) {
    EXPECT_EQ(e, net::error::timed_out);
    timed_out_at = cli.now().count();
  });
  w.run();
  return syns.t;
}

TEST(TcpLinuxTiming, SynsFollowLinuxsLinearThenExponentialSchedule) {
  std::int64_t at = -1;
  auto t = syn_times(4, at);
  std::vector<std::int64_t> s = {0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67};
  for (auto& v : s) v *= 1'000'000'000;
  EXPECT_EQ(t, s);
  EXPECT_EQ(at, 131'000'000'000);
}

TEST(TcpLinuxTiming, WithoutLinearTimeoutsSynsDoubleAndConnectTimesOutAt127s) {
  std::int64_t at = -1;
  auto t = syn_times(0, at);
  std::vector<std::int64_t> s = {0, 1, 3, 7, 15, 31, 63};
  for (auto& v : s) v *= 1'000'000'000;
  EXPECT_EQ(t, s);
  EXPECT_EQ(at, 127'000'000'000);
}

TEST(TcpLinuxTiming, TheFirstRetransmissionWaitsTheRtoComputedFromTheHandshakeRtt) {
  LinkConfig link;
  link.latency = 150ms;  // RTT 300 ms: SRTT 300, RTTVAR 150 -> RTO = 300 + max(600, 200) = 900 ms
  TraceRecorder rec;     // outlives the world: the streams trace their FINs when they go
  World w(1);
  add_two_hosts(w, link);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  w.add_trace_sink(&rec);
  w.drop_nth("client", "server", PacketRecord::Proto::tcp, {1});
  p.client->async_write_some(asio::buffer("hello", 5), [](net::error_code, std::size_t) {});
  w.run_for(5s);
  auto sent = rec.of("tcp.segment");
  auto again = rec.of("tcp.retransmit");
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].t - sent[0].t, 900'000'000);
}

TEST(TcpLinuxTiming, NoSpuriousRetransmissionAtA300msRoundTrip) {
  LinkConfig link;
  link.latency = 150ms;
  link.tcp.segment = {100, 1460};
  World w(3);
  add_two_hosts(w, link);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  const std::string data = testutil::pattern_bytes(400'000, 3);
  std::string got;
  std::vector<char> buf(4096);
  std::function<void()> read_more = [&] {
    p.server->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t n) {
      if (e) return;
      got.append(buf.data(), n);
      read_more();
    });
  };
  read_more();
  asio::async_write(*p.client, asio::buffer(data),
                    [&](net::error_code, std::size_t) { p.client->shutdown(net::Shutdown::send); });
  w.run_for(120s);
  EXPECT_EQ(got.size(), data.size());
  EXPECT_GT(w.stats().at("tcp.segments"), 283u);
  EXPECT_EQ(w.stats().at("tcp.retransmits"), 0u);
  EXPECT_EQ(w.stats().at("tcp.resets"), 0u);
}

TEST(TcpLinuxTiming, UnacknowledgedDataTimesOutAfterTheRetries2Budget) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  auto& cli = w.host("client").network();
  Outcome read, write2;
  char buf[8];
  p.client->async_read_some(asio::buffer(buf), record(read, cli));
  std::int64_t start = w.now().count();
  w.schedule(Fault{w.now(), Partition{{"client", "server", true}}});
  p.client->async_write_some(asio::buffer("x", 1), [](net::error_code, std::size_t) {});
  w.run_until(w.now() + 2000s);
  ASSERT_TRUE(read.done);
  EXPECT_EQ(read.ec, net::error::timed_out);
  // RTT 2 ms: RTO 202 ms doubling to the 120 s cap; the first expiry at or past Linux's budget of
  // 924.6 s (tcp_retries2 = 15) is the 16th, 926.646 s after the write. Linux measured 924-939 s.
  EXPECT_EQ(read.at - start, 926'646'000'000);
  EXPECT_GE(read.at - start, 924'600'000'000);
  EXPECT_EQ(w.stats().at("tcp.retransmits"), 15u);
  p.client->async_write_some(asio::buffer("y", 1), record(write2, cli));
  w.run_for(1s);
  EXPECT_EQ(write2.ec, net::error::broken_pipe) << "the error is reported once";
}

TEST(TcpLinuxClose, TimeWaitAcknowledgesARetransmittedFinInsteadOfResetting) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  // The client closes first (active close), the server reads eof and closes. The client's last ACK
  // is lost in a brief one-way partition; the server retransmits its FIN, which TIME_WAIT answers.
  p.client->close();
  w.run_for(10ms);
  w.schedule(Fault{w.now(), Partition{{"client", "server", false}}});
  w.schedule(Fault{w.now() + 100ms, Heal{{"client", "server", false}}});
  p.server->close();
  w.run_for(5s);
  EXPECT_EQ(w.stats().at("tcp.resets"), 0u);
}

TEST(TcpLinuxClose, WriteAfterThePeerClosedGetsBrokenPipeOnceItsRstArrivesAndReadsStayEof) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  auto& cli = w.host("client").network();
  p.server->close();
  w.run_for(10ms);
  Outcome w1, w2, r;
  p.client->async_write_some(asio::buffer("a", 1), record(w1, cli));
  w.run_for(10ms);  // the server's stack answers the data with RST
  p.client->async_write_some(asio::buffer("b", 1), record(w2, cli));
  w.run_for(10ms);
  char buf[4];
  p.client->async_read_some(asio::buffer(buf), record(r, cli));
  w.run_for(10ms);
  EXPECT_FALSE(w1.ec);
  EXPECT_EQ(w2.ec, net::error::broken_pipe);
  EXPECT_EQ(r.ec, net::error::eof);
}

TEST(TcpLinuxClose, ShutdownReceiveKeepsQueuedAndLaterDataReadable) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  auto& srv = w.host("server").network();
  asio::async_write(*p.client, asio::buffer("before", 6), [](net::error_code, std::size_t) {});
  w.run_for(10ms);
  EXPECT_FALSE(p.server->shutdown(net::Shutdown::receive));
  asio::async_write(*p.client, asio::buffer("after", 5), [](net::error_code, std::size_t) {});
  w.run_for(10ms);
  Outcome r1, r2;
  char buf[64];
  p.server->async_read_some(asio::buffer(buf), record(r1, srv));
  w.run_for(1ms);
  EXPECT_FALSE(r1.ec);
  EXPECT_EQ(std::string(buf, r1.n), "beforeafter");
  p.server->async_read_some(asio::buffer(buf), record(r2, srv));
  w.run_for(1ms);
  EXPECT_EQ(r2.ec, net::error::eof) << "an empty buffer after shutdown(receive) reads eof";
}

// The client connects to server port 7 at 10 ms (after the spawned server listens); the stream,
// or null, 100 ms later.
std::unique_ptr<net::TcpStream> connect_at_10ms(World& w, net::Network& cli) {
  std::unique_ptr<net::TcpStream> s;
  w.at(10ms, [&] {
    cli.async_connect(ep("10.0.0.1:7"), [&](net::error_code, std::unique_ptr<net::TcpStream> c) {
      s = std::move(c);
    });
  });
  w.run_for(100ms);
  return s;
}

TEST(TcpLinuxPeerDeath, AKilledProcessClosesItsSocketsWithFin) {
  World w(1);
  add_two_hosts(w);
  w.spawn("srv", "server", "test", [](net::Network& net, ProcessIo&) -> asio::awaitable<int> {
    net::error_code ec;
    auto l = net.listen(ep("0.0.0.0:7"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    char c;
    co_await s->async_read_some(asio::buffer(&c, 1), use_awaitable);  // never returns: killed
    co_return 0;
  });
  auto& cli = w.host("client").network();
  std::unique_ptr<net::TcpStream> s = connect_at_10ms(w, cli);
  ASSERT_TRUE(s);
  Outcome r, w1, w2;
  char buf[4];
  s->async_read_some(asio::buffer(buf), record(r, cli));
  w.schedule(Fault{w.now() + 1s, Kill{"srv"}});
  w.run_for(2s);
  EXPECT_EQ(r.ec, net::error::eof);
  EXPECT_EQ(w.processes()[0].state, ProcessState::killed);
  s->async_write_some(asio::buffer("a", 1), record(w1, cli));
  w.run_for(10ms);
  s->async_write_some(asio::buffer("b", 1), record(w2, cli));
  w.run_for(10ms);
  EXPECT_FALSE(w1.ec);
  EXPECT_EQ(w2.ec, net::error::broken_pipe);
  EXPECT_EQ(w.stats().at("tcp.resets"), 1u);
}

TEST(TcpLinuxPeerDeath, AKilledProcessWithUnreadDataResetsItsConnection) {
  World w(1);
  add_two_hosts(w);
  w.spawn("srv", "server", "test", [](net::Network& net, ProcessIo&) -> asio::awaitable<int> {
    net::error_code ec;
    auto l = net.listen(ep("0.0.0.0:7"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    auto t = net.make_timer();
    t->expires_after(std::chrono::hours(1));
    co_await t->async_wait(use_awaitable);  // never reads
    co_return 0;
  });
  auto& cli = w.host("client").network();
  std::unique_ptr<net::TcpStream> s = connect_at_10ms(w, cli);
  ASSERT_TRUE(s);
  s->async_write_some(asio::buffer("unread", 6), [](net::error_code, std::size_t) {});
  Outcome r;
  char buf[4];
  s->async_read_some(asio::buffer(buf), record(r, cli));
  w.schedule(Fault{w.now() + 1s, Kill{"srv"}});
  w.run_for(2s);
  EXPECT_EQ(r.ec, net::error::connection_reset);
}

TEST(TcpLinuxPeerDeath, BytesOnTheWireArriveAfterTheirSenderAborts) {
  LinkConfig link;
  link.latency = 50ms;
  World w(1);
  add_two_hosts(w, link);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  const std::string data = testutil::pattern_bytes(20'000, 9);
  asio::async_write(*p.client, asio::buffer(data), [](net::error_code, std::size_t) {});
  w.run_for(1ms);  // the segments are on the wire, none has arrived
  p.client->abort();
  std::string got;
  net::error_code end;
  std::vector<char> buf(4096);
  std::function<void()> read_more = [&] {
    p.server->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t n) {
      if (e) {
        end = e;
        return;
      }
      got.append(buf.data(), n);
      read_more();
    });
  };
  read_more();
  w.run_for(1s);
  EXPECT_EQ(got, data);
  EXPECT_EQ(end, net::error::connection_reset);
}

TEST(TcpLinuxPeerDeath, BytesOnTheWireArriveAfterTheirSendersHostLosesPower) {
  LinkConfig link;
  link.latency = 50ms;
  World w(1);
  add_two_hosts(w, link);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  const std::string data = testutil::pattern_bytes(20'000, 5);
  asio::async_write(*p.client, asio::buffer(data), [](net::error_code, std::size_t) {});
  w.run_for(1ms);
  w.host("client").crash();
  std::string got;
  std::vector<char> buf(4096);
  std::function<void()> read_more = [&] {
    p.server->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t n) {
      if (e) return;
      got.append(buf.data(), n);
      read_more();
    });
  };
  read_more();
  w.run_for(1s);
  EXPECT_EQ(got, data);
  EXPECT_EQ(w.stats().at("tcp.resets"), 0u);
}

TEST(TcpLinuxCapacity, ABurstOfAThousandConnectsToABacklogOf128AllConnect) {
  World w(1);
  add_two_hosts(w);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto l = srv.listen(ep("0.0.0.0:80"), ec, 128);
  ASSERT_FALSE(ec);
  std::vector<std::unique_ptr<net::TcpStream>> accepted, connected;
  int failed = 0;
  for (int i = 0; i < 1000; ++i) {
    cli.async_connect(ep("10.0.0.1:80"), [&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
      if (e)
        ++failed;
      else
        connected.push_back(std::move(s));
    });
  }
  // The server starts accepting only after every SYN has arrived.
  std::function<void()> accept_more = [&] {
    l->async_accept([&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
      if (e) return;
      accepted.push_back(std::move(s));
      accept_more();
    });
  };
  w.at(w.now() + 100ms, [&] { accept_more(); });
  w.run_for(30s);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(connected.size(), 1000u);
  EXPECT_EQ(accepted.size(), 1000u);
}

TEST(TcpLinuxCapacity, AFullAcceptQueueDropsSynsSoConnectsRetryAndTimeOut) {
  World w(1);
  add_two_hosts(w);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto l = srv.listen(ep("0.0.0.0:80"), ec, 1);  // never accepts: the queue holds 2
  std::vector<std::unique_ptr<net::TcpStream>> connected;
  std::vector<net::error_code> errors;
  for (int i = 0; i < 3; ++i) {
    w.at(w.now() + std::chrono::milliseconds(10 * (i + 1)), [&] {
      cli.async_connect(ep("10.0.0.1:80"),
                        [&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
                          if (e)
                            errors.push_back(e);
                          else
                            connected.push_back(std::move(s));
                        });
    });
  }
  w.run_for(200s);
  EXPECT_EQ(connected.size(), 2u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], net::error::timed_out);
}

TEST(TcpWire, DroppedTcpPacketsAreTracedAndCountedWithTheReasonsDatagramsGet) {
  TraceRecorder rec;  // outlives the world: the streams trace their FINs when they go
  World w(1);
  add_two_hosts(w);
  Pair p = connect_pair(w);
  ASSERT_TRUE(p.client && p.server);
  w.add_trace_sink(&rec);
  w.schedule(Fault{w.now(), Partition{{"client", "server", false}}});
  p.client->async_write_some(asio::buffer("abc", 3), [](net::error_code, std::size_t) {});
  w.run_for(100ms);
  auto drops = rec.of("tcp.drop");
  ASSERT_FALSE(drops.empty());
  EXPECT_EQ(drops[0].reason, "partition");
  EXPECT_EQ(drops[0].len, 3);
  EXPECT_EQ(drops[0].seq, 0);
  EXPECT_EQ(w.stats().at("tcp.dropped"), drops.size());
  w.schedule(Fault{w.now(), Heal{{"client", "server", false}}});
  w.drop_nth("client", "server", PacketRecord::Proto::tcp, {1});
  w.run_for(10s);
  auto all = rec.of("tcp.drop");
  EXPECT_EQ(all.back().reason, "scripted");
  w.host("server").crash();
  p.client->async_write_some(asio::buffer("d", 1), [](net::error_code, std::size_t) {});
  w.run_for(1s);
  EXPECT_EQ(rec.of("tcp.drop").back().reason, "host_down");
}

}  // namespace
}  // namespace simsock::sim
