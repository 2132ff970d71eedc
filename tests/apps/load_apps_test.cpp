// The load generators: udp-ping against echo servers, tcp-bulk and tcp-sink against each other and
// against raw-socket peers.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <csignal>

#include <thread>

#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

const std::regex kPingSummary(
    R"(sent=(\d+) received=(\d+) lost=(\d+) dup=(\d+) rtt_min_us=(\d+) rtt_avg_us=(\d+) rtt_max_us=(\d+)\n)");

TEST(UdpPing, AllRepliesFromOurTimestampServerAreCounted) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  ChildProcess ping(simsock_app("udp-ping", {"--connect", "127.0.0.1:" + std::to_string(port),
                                             "--count", "5", "--size", "100"}));
  EXPECT_EQ(ping.wait(), 0) << ping.err();
  std::smatch m;
  auto out = ping.out();
  ASSERT_TRUE(std::regex_match(out, m, kPingSummary)) << out;
  EXPECT_EQ(m[1], "5");
  EXPECT_EQ(m[2], "5");
  EXPECT_EQ(m[3], "0");
  EXPECT_EQ(m[4], "0");
  EXPECT_LE(std::stol(m[5]), std::stol(m[6]));
  EXPECT_LE(std::stol(m[6]), std::stol(m[7]));
}

TEST(UdpPing, CountsLossAndDuplicatesFromARawEchoServer) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess ping(
      simsock_app("udp-ping", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--count",
                               "4", "--size", "32", "--timeout", "300ms"}));
  std::vector<std::string> payloads;
  for (int i = 0; i < 4; ++i) {
    auto r = udp_recv(u, 10000);
    ASSERT_TRUE(r);
    payloads.push_back(r->data);
    if (i == 1) continue;                                         // lose number 1
    udp_send(u, r->ip, r->port, r->data);                         // plain echo
    if (i == 2) udp_send(u, r->ip, r->port, "[dup] " + r->data);  // and duplicate number 2
  }
  EXPECT_EQ(ping.wait(), 0) << ping.err();
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_EQ(payloads[i].size(), 32u);
    EXPECT_EQ(payloads[i].rfind("ping " + std::to_string(i) + " ", 0), 0u) << payloads[i];
  }
  std::smatch m;
  auto out = ping.out();
  ASSERT_TRUE(std::regex_match(out, m, kPingSummary)) << out;
  EXPECT_EQ(m[1], "4");
  EXPECT_EQ(m[2], "3");
  EXPECT_EQ(m[3], "1");
  EXPECT_EQ(m[4], "1");
}

TEST(UdpPing, NoReplyAtAllIsExitOne) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess ping(
      simsock_app("udp-ping", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--count",
                               "2", "--interval", "10ms", "--timeout", "100ms"}));
  EXPECT_EQ(ping.wait(), 1);
  EXPECT_EQ(ping.out().rfind("sent=2 received=0 lost=2 dup=0 ", 0), 0u) << ping.out();
}

TEST(UdpPing, MemoryDoesNotGrowWithCount) {
  // 20 million datagrams: 320 MB if anything were kept per datagram up front.
  Fd u = udp_bind("127.0.0.1");
  ChildProcess ping(
      simsock_app("udp-ping", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--count",
                               "20000000", "--interval", "1ms"}));
  ASSERT_TRUE(udp_recv(u, 10000)) << ping.err();  // it is sending: its state is set up
  const long rss = rss_kib(ping.pid());
  EXPECT_GT(rss, 0);
#if defined(__SANITIZE_ADDRESS__)
  const long limit_kib = 200 * 1024;  // AddressSanitizer's shadow memory and quarantine
#else
  const long limit_kib = 64 * 1024;
#endif
  EXPECT_LT(rss, limit_kib) << "udp-ping uses " << rss << " KiB for --count 20000000";
  ping.send_signal(SIGTERM);
  EXPECT_EQ(ping.wait(), 130) << ping.err();
}

TEST(TcpBulk, SendsEveryByteToOurSinkAndReportsThroughput) {
  ChildProcess sink(simsock_app("tcp-sink", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(sink);
  ChildProcess bulk(simsock_app("tcp-bulk", {"--connect", "127.0.0.1:" + std::to_string(port),
                                             "--bytes", "3000000", "--chunk", "10000"}));
  EXPECT_EQ(bulk.wait(), 0) << bulk.err();
  EXPECT_TRUE(std::regex_match(
      bulk.out(), std::regex(R"(bytes=3000000 seconds=\d+\.\d{6} mbit_per_s=\d+\.\d{3}\n)")))
      << bulk.out();
}

TEST(TcpSink, AnswersTheByteCountOfARawClientAfterItsHalfClose) {
  ChildProcess sink(simsock_app("tcp-sink", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(sink);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(send_all(c, std::string(123457, 'z')));
  shutdown(c.get(), SHUT_WR);
  EXPECT_EQ(recv_until_close(c), "123457");
}

// A raw sink that counts what tcp-bulk sends and answers `answer(count)`.
void raw_sink(const Fd& listener, std::size_t* counted, std::string (*answer)(std::size_t)) {
  Fd s = tcp_accept(listener);
  *counted = recv_until_close(s).size();
  send_all(s, answer(*counted));
}

TEST(TcpBulk, ARawSinkReceivesExactlyTheBytesAsked) {
  Fd listener = tcp_listen("127.0.0.1");
  std::size_t counted = 0;
  std::thread sink(raw_sink, std::cref(listener), &counted,
                   [](std::size_t n) { return std::to_string(n); });
  ChildProcess bulk(simsock_app(
      "tcp-bulk",
      {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)), "--bytes", "100001"}));
  EXPECT_EQ(bulk.wait(), 0) << bulk.err();
  sink.join();
  EXPECT_EQ(counted, 100001u);
}

TEST(TcpBulk, AWrongCountFromTheSinkIsExitOne) {
  Fd listener = tcp_listen("127.0.0.1");
  std::size_t counted = 0;
  std::thread sink(raw_sink, std::cref(listener), &counted,
                   [](std::size_t n) { return std::to_string(n - 1); });
  ChildProcess bulk(simsock_app(
      "tcp-bulk",
      {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)), "--bytes", "5000"}));
  EXPECT_EQ(bulk.wait(), 1);
  sink.join();
  EXPECT_NE(bulk.err().find("4999"), std::string::npos) << bulk.err();
}

}  // namespace
}  // namespace simsock::apps_test
