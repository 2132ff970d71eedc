// test::Proxy (tools/proxy/test_proxy.hpp) in front of raw POSIX peers: faults (reset, partition,
// clog, release), live link changes, the control protocol, and backpressure with bounded
// buffers.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include <simsock/sim/world.hpp>
#include <simsock/tools/proxy/proxy.hpp>
#include <simsock/tools/proxy/test_proxy.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

std::string to(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

// A proxy to 127.0.0.1:`port` with `link` ("" forwards as read).
test::ProxyOptions options(std::uint16_t port, std::string link = "", bool udp = false) {
  test::ProxyOptions o;
  o.to = to(port);
  o.link = std::move(link);
  o.udp = udp;
  return o;
}

// A connection through `proxy` to `listener`, and the server's end of it.
struct Through {
  Fd client, server;
};
Through connect_through(const test::Proxy& proxy, const Fd& listener) {
  Through t;
  t.client = tcp_connect("127.0.0.1", proxy.port());
  t.server = tcp_accept(listener);
  return t;
}

// recv's errno after the peer's next event: ECONNRESET for a reset, 0 for data or EOF.
int recv_errno(const Fd& fd) {
  char c;
  pollfd p{fd.get(), POLLIN, 0};
  ::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kHang).count()));
  return ::recv(fd.get(), &c, 1, MSG_DONTWAIT) < 0 ? errno : 0;
}

TEST(TestProxy, ForwardsBytesBothWaysAsSent) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener)));
  auto t = connect_through(proxy, listener);
  ASSERT_TRUE(send_all(t.client, "ping\n"));
  EXPECT_EQ(recv_until(t.server, "\n"), "ping\n");
  ASSERT_TRUE(send_all(t.server, "pong\n"));
  EXPECT_EQ(recv_until(t.client, "\n"), "pong\n");
}

TEST(TestProxy, CutsWritesIntoSegmentsOfTheLinksSizes) {
  struct Sizes : sim::TraceSink {
    std::vector<std::int64_t> lens;
    void on_event(const sim::TraceEvent& e) override {
      if (e.kind == "tcp.segment") lens.push_back(e.len);
    }
  } sizes;
  Fd listener = tcp_listen("127.0.0.1");
  {
    auto o = options(local_port(listener), "{latency: 0ms, tcp: {segment: {min: 2, max: 4}}}");
    o.seed = 5;
    o.trace = &sizes;
    test::Proxy proxy(o);
    auto t = connect_through(proxy, listener);
    std::string data(100, 'x');
    ASSERT_TRUE(send_all(t.client, data));
    EXPECT_EQ(recv_until(t.server, std::string(100, 'x')), data);
  }
  ASSERT_FALSE(sizes.lens.empty());
  std::int64_t total = 0;
  for (auto len : sizes.lens) {
    EXPECT_GE(len, 1);
    EXPECT_LE(len, 4);
    total += len;
  }
  EXPECT_EQ(total, 100);
  EXPECT_GE(sizes.lens.size(), 25u);
}

TEST(TestProxy, ResetSendsRstToBothSides) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener)));
  auto t = connect_through(proxy, listener);
  ASSERT_TRUE(send_all(t.client, "x"));
  EXPECT_EQ(recv_some(t.server, 1), "x");
  proxy.reset();
  EXPECT_EQ(recv_errno(t.client), ECONNRESET);
  EXPECT_EQ(recv_errno(t.server), ECONNRESET);
}

TEST(TestProxy, APeersCloseReachesTheOtherSideAfterItsData) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener), "{latency: 5ms}"));
  auto t = connect_through(proxy, listener);
  ASSERT_TRUE(send_all(t.client, "last words"));
  ::shutdown(t.client.get(), SHUT_WR);
  EXPECT_EQ(recv_until_close(t.server), "last words");
  // Half-closed: the other direction still works.
  ASSERT_TRUE(send_all(t.server, "reply"));
  t.server = Fd();
  EXPECT_EQ(recv_until_close(t.client), "reply");
}

TEST(TestProxy, ClogHoldsDatagramsAndReleaseSendsThemInOrder) {
  Fd server = udp_bind("127.0.0.1");
  Fd client = udp_bind("127.0.0.1");
  test::Proxy proxy(options(local_port(server), "", true));
  proxy.clog();
  for (int i = 0; i < 5; ++i) udp_send(client, "127.0.0.1", proxy.port(), "d" + std::to_string(i));
  // Every datagram reached the proxy before the release: the stats count them.
  for (int i = 0; i < 1000 && proxy.command("stats").find("datagrams=5") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_FALSE(udp_recv(server, 200).has_value());
  proxy.release();
  for (int i = 0; i < 5; ++i) {
    auto d = udp_recv(server, static_cast<int>(std::chrono::milliseconds(kHang).count()));
    ASSERT_TRUE(d) << i;
    EXPECT_EQ(d->data, "d" + std::to_string(i));
  }
}

TEST(TestProxy, PartitionDropsDatagramsUntilHeal) {
  Fd server = udp_bind("127.0.0.1");
  Fd client = udp_bind("127.0.0.1");
  test::Proxy proxy(options(local_port(server), "", true));
  proxy.partition();
  udp_send(client, "127.0.0.1", proxy.port(), "lost");
  for (int i = 0; i < 1000 && proxy.command("stats").find("dropped=1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_NE(proxy.command("stats").find("dropped=1"), std::string::npos);
  proxy.heal();
  udp_send(client, "127.0.0.1", proxy.port(), "kept");
  auto d = udp_recv(server, static_cast<int>(std::chrono::milliseconds(kHang).count()));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->data, "kept");
}

TEST(TestProxy, PartitionStallsTcpAndHealResumesIt) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener)));
  auto t = connect_through(proxy, listener);
  proxy.partition();
  ASSERT_TRUE(send_all(t.client, "held"));
  pollfd p{t.server.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 200), 0);
  proxy.heal();
  EXPECT_EQ(recv_until(t.server, "held"), "held");
}

TEST(TestProxy, DatagramBoundariesAreKept) {
  Fd server = udp_bind("127.0.0.1");
  Fd client = udp_bind("127.0.0.1");
  test::Proxy proxy(options(local_port(server), "{latency: 1ms, jitter: 1ms}", true));
  const std::vector<std::string> sent{"a", std::string(1400, 'b'), "", std::string(9000, 'c')};
  for (const auto& s : sent) udp_send(client, "127.0.0.1", proxy.port(), s);
  std::multiset<std::size_t> got;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    auto d = udp_recv(server, static_cast<int>(std::chrono::milliseconds(kHang).count()));
    ASSERT_TRUE(d);
    got.insert(d->data.size());
  }
  EXPECT_EQ(got, (std::multiset<std::size_t>{0, 1, 1400, 9000}));
}

TEST(TestProxy, SetLinkChangesALiveSession) {
  Fd server = udp_bind("127.0.0.1");
  Fd client = udp_bind("127.0.0.1");
  test::Proxy proxy(options(local_port(server), "", true));
  udp_send(client, "127.0.0.1", proxy.port(), "first");
  ASSERT_TRUE(udp_recv(server, static_cast<int>(std::chrono::milliseconds(kHang).count())));
  proxy.set_link("{udp: {loss: 100%}}");
  udp_send(client, "127.0.0.1", proxy.port(), "second");
  for (int i = 0; i < 1000 && proxy.command("stats").find("dropped=1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_NE(proxy.command("stats").find("dropped=1"), std::string::npos) << proxy.command("stats");
  EXPECT_THROW(proxy.set_link("{udp: {loss: 2}}"), scenario::ScenarioError);
}

TEST(TestProxy, ControlCommandsAnswerOkOrSayWhatIsWrong) {
  Fd listener = tcp_listen("127.0.0.1");
  auto o = options(local_port(listener));
  o.name = "web";
  test::Proxy proxy(o);
  EXPECT_EQ(proxy.command("partition"), "ok");
  EXPECT_EQ(proxy.command("heal web"), "ok");
  EXPECT_EQ(proxy.command("clog\n"), "ok");
  EXPECT_EQ(proxy.command("release"), "ok");
  EXPECT_EQ(proxy.command("link web {latency: 20ms}"), "ok");
  EXPECT_EQ(proxy.command("port"), "ok " + std::to_string(proxy.port()));
  EXPECT_EQ(proxy.command("list"), "ok web tcp " + std::to_string(proxy.port()));
  EXPECT_EQ(proxy.command("reset"), "ok");
  EXPECT_EQ(proxy.command("explode"),
            "error: unknown command 'explode' (commands: partition, heal, clog, release, reset, "
            "link, port, stats, list)");
  EXPECT_EQ(proxy.command("heal api"), "error: unknown proxy 'api' (proxies: web)");
  EXPECT_EQ(proxy.command("heal web now"), "error: unexpected 'now' after heal");
  EXPECT_EQ(proxy.command("link {latency: -1ms}").rfind("link:1:", 0), 0u)
      << proxy.command("link {latency: -1ms}");
  EXPECT_EQ(proxy.command("link"), "error: link needs a link, e.g. link {latency: 20ms}");
}

// A counter of the proxy's "stats" reply (-1 when it has none).
long stat(test::Proxy& proxy, const std::string& key) {
  std::string stats = proxy.command("stats");
  std::smatch m;
  if (!std::regex_search(stats, m, std::regex("(^| )" + key + "=(\\d+)"))) return -1;
  return std::stol(m[2]);
}

// A reader that does not read stops the writer: the proxy buffers a bounded amount (the bound
// of proxy.hpp, counted in what it allocated), then stops reading, the kernel buffers fill and
// the writer's sends block. Nothing is lost or reordered once it reads.
TEST(TestProxy, ASlowReaderSlowsTheWriterWithBoundedBuffers) {
  Fd listener = tcp_listen("127.0.0.1");
  test::Proxy proxy(options(local_port(listener)));
  auto t = connect_through(proxy, listener);
  constexpr std::size_t k_cap = 64 * 1024 * 1024;
  // 64 KiB of a 251-byte cycle: a lost, repeated or reordered run shows at the receiver.
  std::string block(64 * 1024, '\0');
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(i % 251);
  std::size_t written = 0;
  while (written < k_cap) {
    const std::size_t at = written % 251;
    ssize_t n = ::send(t.client.get(), block.data() + at, block.size() - at, MSG_DONTWAIT);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
      continue;
    }
    ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << errno;
    pollfd p{t.client.get(), POLLOUT, 0};
    if (::poll(&p, 1, 500) == 0) break;  // blocked: nobody drains the path
  }
  EXPECT_LT(written, k_cap) << "the proxy kept reading without bound";
  // Blocked with the proxy's buffers full: it holds what the bound allows, and no more.
  const long held = stat(proxy, "held");
  EXPECT_GE(held, static_cast<long>(proxy::k_max_buffered)) << proxy.command("stats");
  EXPECT_LE(held, static_cast<long>(2 * proxy::k_max_held)) << proxy.command("stats");
  std::size_t received = 0;
  while (received < written) {
    std::string got = recv_some(t.server, 1 << 20);
    ASSERT_FALSE(got.empty()) << received << " of " << written;
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], static_cast<char>((received + i) % 251)) << "at byte " << received + i;
    }
    received += got.size();
  }
  EXPECT_EQ(received, written);
  EXPECT_LE(stat(proxy, "held_peak"), static_cast<long>(proxy::k_max_held))
      << proxy.command("stats");
}

}  // namespace
}  // namespace simsock::apps_test
