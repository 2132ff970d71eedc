// The TCP model over many seeds: exact in-order delivery under segmentation, jitter and loss;
// segment sizes within policy; backpressure; retransmission; refusal and timeouts; RST; half-close.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tests/sim/sim_test_util.hpp"
#include "tests/testutil.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

struct Transfer {
  std::string received;
  net::error_code end;  // how the reader's stream ended
  Stats stats;
  std::string digest;
};

// The client writes `data` in chunks of `chunk` bytes, then half-closes; the server reads with a
// 1000-byte buffer until eof.
Transfer transfer(std::uint64_t seed, const LinkConfig& link, const std::string& data,
                  std::size_t chunk = 4096, TraceSink* sink = nullptr) {
  World w(seed);
  add_two_hosts(w, link);
  if (sink) w.add_trace_sink(sink);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  Transfer out;
  launch(srv, [&]() -> asio::awaitable<void> {
    net::error_code ec;
    auto l = srv.listen(ep("0.0.0.0:5000"), ec);
    auto s = co_await l->async_accept(use_awaitable);
    char buf[1000];
    for (;;) {
      auto [e, n] = co_await s->async_read_some(asio::buffer(buf), asio::as_tuple(use_awaitable));
      if (e) {
        out.end = e;
        break;
      }
      out.received.append(buf, n);
    }
  });
  launch(cli, [&]() -> asio::awaitable<void> {
    auto s = co_await cli.async_connect(ep("10.0.0.1:5000"), use_awaitable);
    for (std::size_t off = 0; off < data.size(); off += chunk) {
      co_await asio::async_write(
          *s, asio::buffer(data.data() + off, std::min(chunk, data.size() - off)), use_awaitable);
    }
    s->shutdown(net::Shutdown::send);
    char c;
    co_await s->async_read_some(asio::buffer(&c, 1), asio::as_tuple(use_awaitable));
  });
  w.run_until(600s);
  out.stats = w.stats();
  out.digest = w.digest_hex();
  return out;
}

TEST(TcpModel, DeliversExactlyTheBytesWrittenInOrderUnderSegmentationJitterAndLoss) {
  const std::string data = testutil::pattern_bytes(200'000, 5);
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    LinkConfig link;
    link.latency = 3ms;
    link.jitter = 2ms;
    link.tcp.segment = {1, 3000};
    link.tcp.loss = 0.05;
    link.tcp.rto = 50ms;
    Transfer t = transfer(seed, link, data, 1 + seed * 997 % 9000);
    ASSERT_EQ(t.received.size(), data.size()) << "seed " << seed;
    ASSERT_TRUE(t.received == data) << "bytes changed or reordered, seed " << seed;
    EXPECT_EQ(t.end, net::error::eof) << "seed " << seed;
    EXPECT_EQ(t.stats.at("tcp.bytes"), data.size()) << "seed " << seed;
    EXPECT_GT(t.stats.at("tcp.retransmits"), 0u) << "seed " << seed;
  }
}

TEST(TcpModel, SegmentSizesStayWithinThePathPolicy) {
  LinkConfig link;
  link.tcp.segment = {3, 17};
  TraceRecorder rec;
  const std::string data = testutil::pattern_bytes(20'000, 2);
  Transfer t = transfer(9, link, data, 20'000, &rec);
  ASSERT_EQ(t.received, data);
  auto segments = rec.of("tcp.segment");
  ASSERT_GT(segments.size(), 20'000u / 17);
  std::map<std::int64_t, int> sizes;
  std::int64_t expected_seq = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    if (s.src.rfind("10.0.0.2:", 0) != 0) continue;  // the client's segments only
    EXPECT_EQ(s.seq, expected_seq);
    expected_seq += s.len;
    ++sizes[s.len];
    bool last = expected_seq == static_cast<std::int64_t>(data.size());
    if (!last) {
      EXPECT_GE(s.len, 3);
    }
    EXPECT_LE(s.len, 17);
  }
  EXPECT_EQ(expected_seq, static_cast<std::int64_t>(data.size()));
  EXPECT_GE(sizes.size(), 10u) << "sizes should vary across the whole range";
}

TEST(TcpModel, DefaultSegmentsAreMssSized) {
  TraceRecorder rec;
  const std::string data = testutil::pattern_bytes(14'600, 3);
  Transfer t = transfer(1, LinkConfig{}, data, 14'600, &rec);
  ASSERT_EQ(t.received, data);
  auto segments = rec.of("tcp.segment");
  ASSERT_EQ(segments.size(), 10u);
  for (const auto& s : segments) EXPECT_EQ(s.len, 1460);
}

TEST(TcpModel, ReadsCoalesceSegmentsThatHaveArrived) {
  World w(1);
  LinkConfig link;
  link.tcp.segment = {1, 2};
  add_two_hosts(w, link);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto l = srv.listen(ep("0.0.0.0:1"), ec);
  std::unique_ptr<net::TcpStream> a, b;
  l->async_accept([&](net::error_code, std::unique_ptr<net::TcpStream> s) { a = std::move(s); });
  cli.async_connect(ep("10.0.0.1:1"),
                    [&](net::error_code, std::unique_ptr<net::TcpStream> s) { b = std::move(s); });
  w.run();
  asio::async_write(*b, asio::buffer(std::string("0123456789")),
                    [](net::error_code, std::size_t) {});
  w.run();
  EXPECT_GT(w.stats().at("tcp.segments"), 5u);
  char buf[64];
  std::size_t got = 0;
  a->async_read_some(asio::buffer(buf), [&](net::error_code, std::size_t n) { got = n; });
  w.run();
  EXPECT_EQ(std::string(buf, got), "0123456789");
}

TEST(TcpModel, AWriterWhosePeerNeverReadsBlocksAndResumesWhenThePeerReads) {
  World w(4);
  add_two_hosts(w);
  auto& srv = w.host("server").network();
  auto& cli = w.host("client").network();
  net::error_code ec;
  auto l = srv.listen(ep("0.0.0.0:1"), ec);
  std::unique_ptr<net::TcpStream> a, b;
  l->async_accept([&](net::error_code, std::unique_ptr<net::TcpStream> s) { a = std::move(s); });
  cli.async_connect(ep("10.0.0.1:1"),
                    [&](net::error_code, std::unique_ptr<net::TcpStream> s) { b = std::move(s); });
  w.run();
  ASSERT_TRUE(a && b);
  const std::string data = testutil::pattern_bytes(8 << 20, 4);
  bool wrote = false;
  std::size_t written = 0;
  asio::async_write(*b, asio::buffer(data), [&](net::error_code e, std::size_t n) {
    EXPECT_FALSE(e);
    wrote = true;
    written = n;
  });
  w.run_for(10s);
  EXPECT_FALSE(wrote) << "an 8 MiB write cannot fit in the buffers of a peer that never reads";
  EXPECT_EQ(w.stats().at("tcp.bytes"), 128u * 1024) << "the 128 KiB receive buffer fills up";
  std::string got;
  std::vector<char> buf(10000);
  std::function<void()> read_more = [&] {
    a->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t n) {
      if (e) return;
      got.append(buf.data(), n);
      if (got.size() < data.size()) read_more();
    });
  };
  read_more();
  w.run_for(60s);
  EXPECT_TRUE(wrote);
  EXPECT_EQ(written, data.size());
  EXPECT_TRUE(got == data);
}

TEST(TcpModel, ConnectUnderAPartitionRetriesSynThenTimesOut) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{0s, Partition{{"client", "server", true}}});
  auto& cli = w.host("client").network();
  TraceRecorder rec;
  w.add_trace_sink(&rec);
  net::error_code got;
  std::int64_t at = -1;
  cli.async_connect(ep("10.0.0.1:80"), [&](net::error_code e, std::unique_ptr<net::TcpStream>) {
    got = e;
    at = cli.now().count();
  });
  w.run();
  EXPECT_EQ(got, net::error::timed_out);
  // Linux 6.x (tcp_syn_retries = 6, tcp_syn_linear_timeouts = 4, initial RTO 1 s): SYNs at 0, 1,
  // 2, 3, 4, 5, 7, 11, 19, 35 and 67 s; the expiry after the tenth retransmission, at 131 s,
  // gives up (measured: 133.6 and 134.6 s on a loaded machine).
  EXPECT_EQ(at, 131'000'000'000);
  EXPECT_EQ(w.stats().at("tcp.timeouts"), 1u);
}

TEST(TcpModel, ConnectSucceedsWhenThePartitionHealsDuringSynRetries) {
  World w(1);
  add_two_hosts(w);
  w.schedule(Fault{0s, Partition{{"client", "server", true}}});
  w.schedule(Fault{2s, Heal{{"client", "server", true}}});
  auto& srv = w.host("server").network();
  net::error_code ec;
  auto l = srv.listen(ep("0.0.0.0:80"), ec);
  l->async_accept([](net::error_code, std::unique_ptr<net::TcpStream>) {});
  auto& cli = w.host("client").network();
  net::error_code got = net::error::timed_out;
  std::int64_t at = -1;
  cli.async_connect(ep("10.0.0.1:80"), [&](net::error_code e, std::unique_ptr<net::TcpStream>) {
    got = e;
    at = cli.now().count();
  });
  w.run();
  EXPECT_FALSE(got);
  EXPECT_EQ(at, 2'002'000'000);  // third SYN at 2 s (linear timeouts), one round trip of 2 ms
}

struct Pair {
  std::unique_ptr<net::TcpListener> l;
  std::unique_ptr<net::TcpStream> server, client;
};

Pair connect(World& w) {
  Pair p;
  net::error_code ec;
  p.l = w.host("server").network().listen(ep("0.0.0.0:9"), ec);
  p.l->async_accept(
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { p.server = std::move(s); });
  w.host("client").network().async_connect(
      ep("10.0.0.1:9"),
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { p.client = std::move(s); });
  w.run();
  return p;
}

TEST(TcpModel, AbortSendsRstAndThePeersPendingReadFailsWithConnectionReset) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect(w);
  ASSERT_TRUE(p.server && p.client);
  char buf[8];
  net::error_code got;
  p.client->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t) { got = e; });
  p.server->abort();
  w.run();
  EXPECT_EQ(got, net::error::connection_reset);
  EXPECT_EQ(w.stats().at("tcp.resets"), 1u);
  net::error_code write_error;
  p.client->async_write_some(asio::buffer("x", 1),
                             [&](net::error_code e, std::size_t) { write_error = e; });
  w.run();
  EXPECT_EQ(write_error, net::error::broken_pipe);
}

TEST(TcpModel, APoweredOffHostIsSilentAndAfterRestartAnswersOldConnectionsWithRst) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect(w);
  ASSERT_TRUE(p.server && p.client);
  char buf[8];
  net::error_code got;
  bool done = false;
  p.client->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t) {
    got = e;
    done = true;
  });
  auto crash_at = w.now() + 1s;
  w.schedule(Fault{crash_at, Crash{"server"}});
  w.run_until(crash_at + 30s);
  EXPECT_FALSE(done) << "a host that lost power sends nothing: the peer's read keeps waiting";
  EXPECT_EQ(w.stats().at("tcp.resets"), 0u);
  // The client writes; its segment is retransmitted into the silence until the host is back,
  // whose stack has no such connection and answers RST.
  p.client->async_write_some(asio::buffer("x", 1), [](net::error_code, std::size_t) {});
  w.schedule(Fault{crash_at + 40s, Restart{"server"}});
  w.run_until(crash_at + 200s);
  EXPECT_TRUE(done);
  EXPECT_EQ(got, net::error::connection_reset);
  EXPECT_GE(w.stats().at("tcp.retransmits"), 1u);
  // The crashed host's objects are gone: using them fails.
  net::error_code after;
  p.server->async_read_some(asio::buffer(buf), [&](net::error_code e, std::size_t) { after = e; });
  w.run();
  EXPECT_EQ(after, net::error::bad_descriptor);
}

TEST(TcpModel, HalfCloseDeliversEofWhileThePeerCanStillReply) {
  World w(1);
  add_two_hosts(w);
  Pair p = connect(w);
  ASSERT_TRUE(p.server && p.client);
  asio::async_write(*p.client, asio::buffer(std::string("question")),
                    [](net::error_code, std::size_t) {});
  EXPECT_FALSE(p.client->shutdown(net::Shutdown::send));
  std::string q(8, '\0');
  net::error_code e1, e2;
  asio::async_read(*p.server, asio::buffer(q), [&](net::error_code e, std::size_t) { e1 = e; });
  w.run();
  EXPECT_FALSE(e1);
  EXPECT_EQ(q, "question");
  char c;
  p.server->async_read_some(asio::buffer(&c, 1), [&](net::error_code e, std::size_t) { e2 = e; });
  w.run();
  EXPECT_EQ(e2, net::error::eof);
  asio::async_write(*p.server, asio::buffer(std::string("answer")),
                    [](net::error_code, std::size_t) {});
  p.server->close();
  std::string a(6, '\0');
  asio::async_read(*p.client, asio::buffer(a), [&](net::error_code e, std::size_t) { e1 = e; });
  w.run();
  EXPECT_FALSE(e1);
  EXPECT_EQ(a, "answer");
  p.client->async_read_some(asio::buffer(&c, 1), [&](net::error_code e, std::size_t) { e2 = e; });
  w.run();
  EXPECT_EQ(e2, net::error::eof);
}

TEST(TcpModel, LoopbackConnectionsWorkWithinOneHost) {
  World w(1);
  auto& net = w.add_host("solo", "10.0.0.9").network();
  net::error_code ec;
  auto l = net.listen(ep("127.0.0.1:80"), ec);
  ASSERT_FALSE(ec);
  std::unique_ptr<net::TcpStream> a, b;
  l->async_accept([&](net::error_code, std::unique_ptr<net::TcpStream> s) { a = std::move(s); });
  net.async_connect(ep("127.0.0.1:80"),
                    [&](net::error_code, std::unique_ptr<net::TcpStream> s) { b = std::move(s); });
  w.run();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->local_endpoint().address, asio::ip::make_address("127.0.0.1"));
  // Not reachable from the host's own address: it listens on loopback only.
  net::error_code refused;
  net.async_connect(ep("10.0.0.9:80"),
                    [&](net::error_code e, std::unique_ptr<net::TcpStream>) { refused = e; });
  w.run();
  EXPECT_EQ(refused, net::error::connection_refused);
}

}  // namespace
}  // namespace simsock::sim
