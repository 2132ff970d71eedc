// The TCP proxy's link stages and memory bound on real loopback sockets: a clog holds bytes and
// releases them in order, latency delays each direction, tcp.loss delays a segment by the RTO
// without losing a byte, and however small the writes, what a direction holds stays under the
// documented bound (proxy.hpp's k_max_held, docs/proxy.md "Limits").
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <regex>
#include <thread>

#include <simsock/sim/world.hpp>
#include <simsock/tools/proxy/proxy.hpp>
#include <simsock/tools/proxy/test_proxy.hpp>
#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

using Clock = std::chrono::steady_clock;

test::ProxyOptions options(std::uint16_t port, std::string link) {
  test::ProxyOptions o;
  o.to = "127.0.0.1:" + std::to_string(port);
  o.link = std::move(link);
  return o;
}

struct Through {
  Fd client, server;
};
Through connect_through(std::uint16_t proxy_port, const Fd& listener) {
  Through t;
  t.client = tcp_connect("127.0.0.1", proxy_port);
  t.server = tcp_accept(listener);
  int one = 1;
  ::setsockopt(t.client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return t;
}

// Reads exactly `n` bytes (fewer only at EOF, an error or the hang limit).
std::string recv_exactly(const Fd& fd, std::size_t n) {
  std::string got;
  while (got.size() < n) {
    std::string part = recv_some(fd, n - got.size());
    if (part.empty()) break;
    got += part;
  }
  return got;
}

// `n` bytes of a pattern in which a reordered or repeated run would show.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

// A counter of the proxy's "stats" reply (-1 when it has none).
long stat(test::Proxy& proxy, const std::string& key) {
  std::string stats = proxy.command("stats");
  std::smatch m;
  if (!std::regex_search(stats, m, std::regex("(^| )" + key + "=(\\d+)"))) return -1;
  return std::stol(m[2]);
}

struct Counts : sim::TraceSink {
  std::mutex mutex;
  std::map<std::string, int> kinds;
  void on_event(const sim::TraceEvent& e) override {
    std::lock_guard lock(mutex);
    ++kinds[std::string(e.kind)];
  }
  int operator[](const std::string& kind) {
    std::lock_guard lock(mutex);
    return kinds[kind];
  }
};

TEST(ProxyTcp, ClogHoldsTheBytesAndReleaseDeliversThemInOrder) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(
      options(local_port(listener), "{latency: 0ms, tcp: {segment: {min: 1, max: 3}}}"));
  auto t = connect_through(proxy.port(), listener);
  ASSERT_TRUE(send_all(t.client, "before"));
  EXPECT_EQ(recv_exactly(t.server, 6), "before");
  proxy.clog();
  const std::string held = pattern(300);
  for (std::size_t at = 0; at < held.size(); at += 30)
    ASSERT_TRUE(send_all(t.client, held.substr(at, 30)));
  pollfd p{t.server.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 300), 0) << "bytes passed a clogged link";
  proxy.release();
  EXPECT_EQ(recv_exactly(t.server, held.size()), held);
}

TEST(ProxyTcp, LatencyDelaysARoundTripByAtLeastTwiceTheLinksLatency) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener), "{latency: 150ms}"));
  auto t = connect_through(proxy.port(), listener);
  for (int i = 0; i < 2; ++i) {
    const auto start = Clock::now();
    ASSERT_TRUE(send_all(t.client, "ping"));
    ASSERT_EQ(recv_exactly(t.server, 4), "ping");
    const auto one_way = Clock::now() - start;
    ASSERT_TRUE(send_all(t.server, "pong"));
    ASSERT_EQ(recv_exactly(t.client, 4), "pong");
    const auto round_trip = Clock::now() - start;
    EXPECT_GE(one_way, 150ms) << i;
    EXPECT_GE(round_trip, 300ms) << i;
  }
}

TEST(ProxyTcp, TcpLossDelaysLostSegmentsByTheRtoAndEveryByteArrivesInOrder) {
  Counts counts;
  Fd listener = tcp_listen("127.0.0.1");
  auto o = options(local_port(listener),
                   "{latency: 0ms, tcp: {loss: 30%, rto: 100ms, segment: {min: 50, max: 200}}}");
  o.seed = 4;
  o.trace = &counts;
  test::Proxy proxy(o);
  auto t = connect_through(proxy.port(), listener);
  const std::string data = pattern(20000);
  const auto start = Clock::now();
  ASSERT_TRUE(send_all(t.client, data));
  EXPECT_EQ(recv_exactly(t.server, data.size()), data);
  EXPECT_GE(Clock::now() - start, 100ms) << "a lost segment arrived before the RTO";
  EXPECT_GT(counts["tcp.drop"], 0);
  EXPECT_EQ(counts["tcp.retransmit"], counts["tcp.drop"]);
}

// Bulk data through segments of many sizes to a receiver that reads in small, uneven bites: the
// proxy's buffer fills, wraps and grows while writes are in progress, and every byte arrives
// once and in order.
TEST(ProxyTcp, BulkDataToAnUnevenReaderArrivesIntactThroughWrapsAndGrowth) {
  Fd listener = tcp_listen("127.0.0.1");
  // A small receive buffer (inherited by the accepted socket): the proxy's writes block soon.
  int small = 4096;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  test::Proxy proxy(
      options(local_port(listener), "{latency: 20ms, tcp: {segment: {min: 700, max: 9000}}}"));
  auto t = connect_through(proxy.port(), listener);
  const std::string data = pattern(2 * 1024 * 1024);
  std::thread writer([&] { EXPECT_TRUE(send_all(t.client, data)); });
  std::string got;
  for (std::size_t i = 0; got.size() < data.size(); ++i) {
    std::string part = recv_some(t.server, 1 + (i * 7919) % 20000);
    if (part.empty()) break;
    got += part;
    if (i % 16 == 0) std::this_thread::sleep_for(1ms);
  }
  writer.join();
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "the bytes differ from offset "
                           << std::mismatch(got.begin(), got.end(), data.begin()).first -
                                  got.begin();
  EXPECT_LE(stat(proxy, "held_peak"), static_cast<long>(proxy::k_max_held))
      << proxy.command("stats");
}

// 1-byte writes through a 3 s link: each read is one segment held for 3 s. The proxy holds what
// it read, not a read buffer per segment; and every byte still arrives, in order.
TEST(ProxyTcp, ThousandsOfOneByteWritesThroughASlowLinkHoldBoundedMemory) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener), "{latency: 3s}"));
  auto t = connect_through(proxy.port(), listener);
  const std::string data = pattern(3000);
  for (char c : data) {
    ASSERT_TRUE(send_all(t.client, std::string(1, c)));
    std::this_thread::sleep_for(200us);
  }
  // Writes 200 us apart mostly reach the proxy one by one (a busy machine coalesces some).
  for (int i = 0; i < 1000 && stat(proxy, "segments") < 300; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_GE(stat(proxy, "segments"), 300) << proxy.command("stats");
  const long held = stat(proxy, "held");
  EXPECT_GT(held, 0) << proxy.command("stats");
  EXPECT_LE(held, static_cast<long>(2 * proxy::k_max_held)) << proxy.command("stats");
  EXPECT_EQ(recv_exactly(t.server, data.size()), data);
  const long peak = stat(proxy, "held_peak");
  EXPECT_GE(peak, 3000) << proxy.command("stats");
  EXPECT_LE(peak, static_cast<long>(proxy::k_max_held)) << proxy.command("stats");
}

// 100-byte writes cut into 1-3 byte segments behind a long latency: far more segments than the
// bound allows. The proxy stops reading at the bound (the writer blocks) instead of growing. (The
// latency outlasts the test, so every segment cut is still waiting.)
TEST(ProxyTcp, SmallWritesCutIntoTinySegmentsStopAtTheBound) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(
      options(local_port(listener), "{latency: 60s, tcp: {segment: {min: 1, max: 3}}}"));
  auto t = connect_through(proxy.port(), listener);
  const std::string block(100, 'q');
  for (int i = 0; i < 3000; ++i) {
    ssize_t n = ::send(t.client.get(), block.data(), block.size(), MSG_DONTWAIT);
    if (n < 0) {
      ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << errno;
      break;
    }
    std::this_thread::sleep_for(100us);
  }
  const auto limit = Clock::now() + kHang;
  while (stat(proxy, "segments") < static_cast<long>(proxy::k_max_segments) &&
         Clock::now() < limit) {
    std::this_thread::sleep_for(5ms);
  }
  std::this_thread::sleep_for(100ms);  // it would go on reading now, if it did
  EXPECT_EQ(stat(proxy, "segments"), static_cast<long>(proxy::k_max_segments))
      << proxy.command("stats");
  const long peak = stat(proxy, "held_peak");
  EXPECT_GT(peak, static_cast<long>(proxy::k_max_segments * proxy::k_segment_record))
      << proxy.command("stats");
  EXPECT_LE(peak, static_cast<long>(proxy::k_max_held)) << proxy.command("stats");
}

// The same through the command line, measured where it matters: the proxy process's RSS.
TEST(ProxyTcp, TinyWritesThroughASlowLinkDoNotGrowTheProxyProcess) {
  for (const std::string link :
       {"{latency: 3s}", "{latency: 2s, tcp: {segment: {min: 1, max: 3}}}"}) {
    Fd listener = tcp_listen("127.0.0.1");
    ChildProcess proxy({SIMSOCK_BINARY, "proxy", "--listen", "127.0.0.1:0", "--to",
                        "127.0.0.1:" + std::to_string(local_port(listener)), "--link", link});
    auto port = wait_for_port(proxy);
    auto t = connect_through(port, listener);
    ASSERT_TRUE(send_all(t.client, "x"));
    std::this_thread::sleep_for(50ms);
    const long before = rss_kib(proxy.pid());
    ASSERT_GT(before, 0);
    const std::string small =
        link.find("segment") == std::string::npos ? "y" : std::string(100, 'y');
    for (int i = 0; i < 3000; ++i) {
      if (::send(t.client.get(), small.data(), small.size(), MSG_DONTWAIT) < 0) break;
      std::this_thread::sleep_for(200us);
    }
    std::this_thread::sleep_for(100ms);
    const long after = rss_kib(proxy.pid());
    EXPECT_LT(after - before, 16 * 1024)
        << link << ": RSS grew from " << before << " to " << after << " KiB";
  }
}

}  // namespace
}  // namespace simsock::apps_test
