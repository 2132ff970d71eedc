// The timestamp apps (seed 2.3, 2.4, 2.6) against raw-socket peers, in both directions:
// our servers answer raw clients, our clients talk to raw servers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <ctime>
#include <thread>

#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

// Seconds between the stamp at the start of `text` and the test's own local clock.
long stamp_skew_seconds(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "[%Y-%m-%d %H:%M:%S]", &tm)) return 1'000'000;
  time_t stamped_as_utc = timegm(&tm);
  time_t now = time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return std::labs(static_cast<long>(stamped_as_utc - (now + local.tm_gmtoff)));
}

TEST(TcpTsServer, StampsEachMessageForARawClientInLocalTime) {
  ChildProcess server(simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(c);
  ASSERT_TRUE(send_all(c, "hello"));
  auto reply = recv_until(c, "hello");
  EXPECT_TRUE(std::regex_match(reply, std::regex(kStamp + "hello"))) << reply;
  EXPECT_LE(stamp_skew_seconds(reply), 5) << reply;
  ASSERT_TRUE(send_all(c, "second"));
  reply = recv_until(c, "second");
  EXPECT_TRUE(std::regex_match(reply, std::regex(kStamp + "second"))) << reply;
}

TEST(TcpTsServer, AnswersEachReadOfAtMostBufsizeBytes) {
  ChildProcess server(simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:0", "--bufsize", "4"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(send_all(c, "abcdefghij"));
  auto reply = recv_until(c, "ij");
  EXPECT_TRUE(
      std::regex_match(reply, std::regex(kStamp + "abcd" + kStamp + "efgh" + kStamp + "ij")))
      << reply;
}

TEST(TcpTsServer, ServesIpv6Clients) {
  ChildProcess server(simsock_app("tcp-ts-server", {"--listen", "[::1]:0"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("::1", port);
  ASSERT_TRUE(c);
  ASSERT_TRUE(send_all(c, "six"));
  EXPECT_TRUE(std::regex_match(recv_until(c, "six"), std::regex(kStamp + "six")));
}

TEST(TcpTsClient, PrintsOneReadPerMessageFromARawServer) {
  Fd listener = tcp_listen("127.0.0.1");
  auto port = local_port(listener);
  ChildProcess client(
      simsock_app("tcp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(port), "--message",
                                    "one", "--message=two words"}));
  Fd s = tcp_accept(listener);
  ASSERT_TRUE(s);
  EXPECT_EQ(recv_some(s), "one");
  ASSERT_TRUE(send_all(s, "[x] one"));
  EXPECT_EQ(recv_some(s), "two words");
  ASSERT_TRUE(send_all(s, "[x] two words"));
  EXPECT_EQ(recv_until_close(s), "");
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[x] one\n[x] two words\n");
}

TEST(TcpTsClient, ReadsOnlyOncePerMessageSoASplitReplyIsPrintedPartially) {
  Fd listener = tcp_listen("127.0.0.1");
  ChildProcess client(simsock_app(
      "tcp-ts-client",
      {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)), "--message", "hello"}));
  Fd s = tcp_accept(listener);
  EXPECT_EQ(recv_some(s), "hello");
  ASSERT_TRUE(send_all(s, "[ts] hel"));
  // The rest is sent only after the client has exited: its single read got the first part.
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[ts] hel\n");
  send_all(s, "lo");
}

TEST(TcpTsClient, ReadsMessagesFromStdinUntilAnEmptyLine) {
  ChildProcess server(simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  ChildProcess client(
      simsock_app("tcp-ts-client", {"--connect", "localhost:" + std::to_string(port)}),
      "first\r\nsecond\n\nnot sent\n");
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_TRUE(std::regex_match(client.out(), std::regex(kStamp + "first\n" + kStamp + "second\n")))
      << client.out();
}

TEST(TcpTsClient, RefusedConnectionIsExitOneWithAMessage) {
  ChildProcess client(
      simsock_app("tcp-ts-client",
                  {"--connect", "127.0.0.1:" + std::to_string(free_port()), "--message", "x"}));
  EXPECT_EQ(client.wait(), 1);
  EXPECT_NE(client.err().find("Connection refused"), std::string::npos) << client.err();
  EXPECT_EQ(client.out(), "");
}

TEST(TcpTsClient, ServerClosingBeforeReplyingIsExitOne) {
  Fd listener = tcp_listen("127.0.0.1");
  ChildProcess client(simsock_app(
      "tcp-ts-client",
      {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)), "--message", "x"}));
  {
    Fd s = tcp_accept(listener);
    EXPECT_EQ(recv_some(s), "x");
  }
  EXPECT_EQ(client.wait(), 1);
  EXPECT_NE(client.err().find("closed"), std::string::npos) << client.err();
}

TEST(TcpTsClient, GivesUpConnectingToAServerWhoseBacklogIsFull) {
  Fd listener = tcp_listen("127.0.0.1");
  const auto port = local_port(listener);
  ASSERT_EQ(::listen(listener.get(), 0), 0);  // the kernel now drops SYNs beyond one or two
  std::vector<Fd> queued;
  for (int i = 0; i < 4; ++i) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to);
    queued.push_back(std::move(fd));
  }
  ChildProcess client(simsock_app(
      "tcp-ts-client",
      {"--connect", "127.0.0.1:" + std::to_string(port), "--message", "hi", "--timeout", "500ms"}));
  EXPECT_EQ(client.wait(), 1);
  EXPECT_EQ(client.err(),
            "timeout: no connection to 127.0.0.1:" + std::to_string(port) + " within 500ms\n");
}

TEST(TcpTsClient, ConnectsOverIpv6) {
  Fd listener = tcp_listen("::1");
  ChildProcess client(simsock_app(
      "tcp-ts-client",
      {"--connect", "[::1]:" + std::to_string(local_port(listener)), "--message", "v6"}));
  Fd s = tcp_accept(listener);
  EXPECT_EQ(recv_some(s), "v6");
  send_all(s, "[ts] v6");
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[ts] v6\n");
}

TEST(UdpTsServer, AnswersEachDatagramWithAStampedCopyToItsSender) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  Fd u = udp_bind("127.0.0.1");
  ASSERT_TRUE(udp_send(u, "127.0.0.1", port, "ping"));
  auto r = udp_recv(u, 10000);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::regex_match(r->data, std::regex(kStamp + "ping"))) << r->data;
  EXPECT_EQ(r->port, port);
}

TEST(UdpTsServer, TruncatesDatagramsLongerThanBufsize) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0", "--bufsize", "5"}));
  auto port = wait_for_port(server);
  Fd u = udp_bind("127.0.0.1");
  ASSERT_TRUE(udp_send(u, "127.0.0.1", port, "0123456789"));
  auto r = udp_recv(u, 10000);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::regex_match(r->data, std::regex(kStamp + "01234"))) << r->data;
}

TEST(UdpTsServer, ServesIpv6) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "[::1]:0"}));
  auto port = wait_for_port(server);
  Fd u = udp_bind("::1");
  ASSERT_TRUE(udp_send(u, "::1", port, "six"));
  auto r = udp_recv(u, 10000);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::regex_match(r->data, std::regex(kStamp + "six")));
}

TEST(UdpTsClient, PrintsTheRawServersReplies) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess client(
      simsock_app("udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)),
                                    "--message", "a", "--message", "b"}));
  for (std::string m : {"a", "b"}) {
    auto r = udp_recv(u, 10000);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->data, m);
    udp_send(u, r->ip, r->port, "[x] " + r->data);
  }
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[x] a\n[x] b\n");
}

TEST(UdpTsClient, ResendsUntilAnsweredWithinItsRetries) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess client(
      simsock_app("udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)),
                                    "--message", "hi", "--timeout", "200ms", "--retries", "2"}));
  // Ignore the first two sends; answer the third.
  for (int i = 0; i < 3; ++i) {
    auto r = udp_recv(u, 10000);
    ASSERT_TRUE(r) << "send " << i << " never came";
    EXPECT_EQ(r->data, "hi");
    if (i == 2) udp_send(u, r->ip, r->port, "[x] hi");
  }
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[x] hi\n");
}

TEST(UdpTsClient, UnansweredMessageIsReportedAndExitsOne) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess client(simsock_app(
      "udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--message",
                        "lost", "--message", "kept", "--timeout", "100ms", "--retries", "1"}));
  int lost_sends = 0;
  for (;;) {
    auto r = udp_recv(u, 10000);
    ASSERT_TRUE(r);
    if (r->data == "lost") {
      ++lost_sends;
      continue;
    }
    EXPECT_EQ(r->data, "kept");
    udp_send(u, r->ip, r->port, "[x] kept");
    break;
  }
  EXPECT_EQ(lost_sends, 2);  // the send and one retry
  EXPECT_EQ(client.wait(), 1);
  EXPECT_EQ(client.err(), "timeout: lost\n");
  EXPECT_EQ(client.out(), "[x] kept\n");
}

TEST(UdpTsClient, IgnoresALateReplyToAnEarlierMessage) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess client(simsock_app(
      "udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--message",
                        "first", "--message", "second", "--timeout", "300ms"}));
  auto r1 = udp_recv(u, 10000);
  ASSERT_TRUE(r1);
  auto r2 = udp_recv(u, 10000);  // the client gave up on "first"
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->data, "second");
  udp_send(u, r1->ip, r1->port, "[x] first");
  udp_send(u, r2->ip, r2->port, "[x] second");
  EXPECT_EQ(client.wait(), 1);
  EXPECT_EQ(client.out(), "[x] second\n");
  EXPECT_EQ(client.err(), "timeout: first\n");
}

TEST(LineTsServer, AnswersOneLineThenCloses) {
  ChildProcess server(simsock_app("line-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(send_all(c, "hello\r\n"));
  auto reply = recv_until_close(c);
  EXPECT_TRUE(std::regex_match(reply, std::regex(kStamp + "hello\r\n"))) << reply;
}

TEST(LineTsServer, AssemblesALineSentInPieces) {
  ChildProcess server(simsock_app("line-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(send_all(c, "hel"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(send_all(c, "lo\n"));
  EXPECT_TRUE(std::regex_match(recv_until_close(c), std::regex(kStamp + "hello\n")));
}

TEST(LineTsClient, SendsCrlfReadsUntilCloseAndStripsTheReply) {
  Fd listener = tcp_listen("127.0.0.1");
  ChildProcess client(simsock_app("line-ts-client",
                                  {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)),
                                   "--message", "m1", "--message", "m2"}));
  for (std::string m : {"m1", "m2"}) {
    Fd s = tcp_accept(listener);  // a new connection per message
    ASSERT_TRUE(s);
    EXPECT_EQ(recv_until(s, "\n"), m + "\r\n");
    send_all(s, " \t[x] ");
    std::this_thread::sleep_for(50ms);
    send_all(s, m + " \r\n\n");
  }
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_EQ(client.out(), "[x] m1\n[x] m2\n");
}

TEST(LineTsClient, TalksToOurLineServerOverIpv6) {
  ChildProcess server(simsock_app("line-ts-server", {"--listen", "[::1]:0"}));
  auto port = wait_for_port(server);
  ChildProcess client(simsock_app(
      "line-ts-client", {"--connect", "[::1]:" + std::to_string(port), "--message", "v6"}));
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_TRUE(std::regex_match(client.out(), std::regex(kStamp + "v6\n"))) << client.out();
}

}  // namespace
}  // namespace simsock::apps_test
