// Hosts with several addresses, IPv4 and IPv6: binding per address, dual-stack [::] sockets,
// routing by either family, name lookups, traces, and IPv6's header sizes where the models use
// them (fragments, receive-queue charges).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include <simsock/sim/udp_model.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;
using Addresses = std::vector<std::string>;

// Connects `from` to `to` and returns (accepted local, accepted remote, connect's local), or
// nothing when the connection failed.
struct Accepted {
  net::Endpoint local, remote, client_local;
};
std::optional<Accepted> connect_once(World& w, net::TcpListener& l, net::Network& from,
                                     const std::string& to, net::error_code* failed = nullptr) {
  std::optional<Accepted> got;
  std::unique_ptr<net::TcpStream> client, server;
  net::error_code cec;
  l.async_accept(
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { server = std::move(s); });
  from.async_connect(ep(to), [&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
    cec = e;
    client = std::move(s);
  });
  w.run();
  l.cancel();
  w.run();
  if (failed) *failed = cec;
  if (server && client) {
    got = Accepted{server->local_endpoint(), server->remote_endpoint(), client->local_endpoint()};
  }
  return got;
}

TEST(HostAddresses, EachAddressOfAHostHasItsOwnBindingsOfOnePort) {
  World w(1);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "10.0.0.5", "fd00::1"}).network();
  auto& b = w.add_host("b", Addresses{"10.0.0.2", "fd00::2"}).network();
  net::error_code ec;
  auto first = a.listen(ep("10.0.0.1:80"), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto second = a.listen(ep("10.0.0.5:80"), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto six = a.listen(ep("[fd00::1]:80"), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto got = connect_once(w, *second, b, "10.0.0.5:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("10.0.0.5:80"));
  EXPECT_EQ(got->remote.address, asio::ip::make_address("10.0.0.2"));
  got = connect_once(w, *six, b, "[fd00::1]:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("[fd00::1]:80"));
  EXPECT_EQ(got->remote, got->client_local);
  EXPECT_EQ(got->remote.address, asio::ip::make_address("fd00::2"));
  got = connect_once(w, *first, b, "10.0.0.1:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("10.0.0.1:80"));
  // An address no listener is bound to refuses.
  auto other = a.listen(ep("10.0.0.1:81"), ec);
  ASSERT_FALSE(ec);
  net::error_code refused;
  EXPECT_FALSE(connect_once(w, *other, b, "[fd00::1]:81", &refused));
  EXPECT_EQ(refused, net::error::connection_refused);
}

TEST(HostAddresses, AnIpv6WildcardBindTakesItsPortOnEveryAddressOfBothFamilies) {
  World w(1);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
  net::error_code ec;
  auto dual = a.listen(ep("[::]:80"), ec);
  ASSERT_FALSE(ec);
  for (const char* taken :
       {"10.0.0.1:80", "0.0.0.0:80", "127.0.0.1:80", "[fd00::1]:80", "[::1]:80", "[::]:80"}) {
    a.listen(ep(taken), ec);
    EXPECT_EQ(ec, net::error::address_in_use) << taken;
  }
  // And the other way round: any IPv4 binding of a port keeps [::] off it, an IPv6 one too.
  auto v4 = a.listen(ep("10.0.0.1:81"), ec);
  ASSERT_FALSE(ec);
  a.listen(ep("[::]:81"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto v6 = a.bind_udp(ep("[fd00::1]:82"), ec);
  ASSERT_FALSE(ec);
  a.bind_udp(ep("[::]:82"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  // Specific addresses of different families, and 0.0.0.0 next to an IPv6 address, coexist.
  auto any4 = a.bind_udp(ep("0.0.0.0:82"), ec);
  EXPECT_FALSE(ec) << ec.message();
  auto six = a.listen(ep("[fd00::1]:81"), ec);
  EXPECT_FALSE(ec) << ec.message();
  // An IPv4-mapped address binds the IPv4 address, and reports it as such.
  auto mapped = a.bind_udp(ep("[::ffff:10.0.0.1]:83"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(mapped->local_endpoint(), ep("10.0.0.1:83"));
  a.bind_udp(ep("10.0.0.1:83"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
}

TEST(HostAddresses, ADualStackListenerAcceptsPeersOfBothFamiliesFromAnotherHost) {
  World w(1);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
  auto& b = w.add_host("b", Addresses{"10.0.0.2", "fd00::2"}).network();
  net::error_code ec;
  auto dual = a.listen(ep("[::]:80"), ec);
  ASSERT_FALSE(ec);
  auto got = connect_once(w, *dual, b, "10.0.0.1:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("10.0.0.1:80"));
  EXPECT_EQ(got->remote, got->client_local);
  EXPECT_EQ(got->remote.address, asio::ip::make_address("10.0.0.2"));
  got = connect_once(w, *dual, b, "[fd00::1]:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("[fd00::1]:80"));
  EXPECT_EQ(got->remote.address, asio::ip::make_address("fd00::2"));
  // An IPv4-mapped destination is the IPv4 address.
  got = connect_once(w, *dual, b, "[::ffff:10.0.0.1]:80");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->local, ep("10.0.0.1:80"));
}

TEST(HostAddresses, AnIpv4OnlyHostCannotReachIpv6Addresses) {
  World w(1);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
  auto& b = w.add_host("b", "10.0.0.2").network();
  net::error_code ec;
  auto l = a.listen(ep("[::]:80"), ec);
  ASSERT_FALSE(ec);
  net::error_code failed;
  EXPECT_FALSE(connect_once(w, *l, b, "[fd00::1]:80", &failed));
  EXPECT_EQ(failed, net::error::host_unreachable);
  EXPECT_TRUE(connect_once(w, *l, b, "10.0.0.1:80"));
  auto s = b.bind_udp(ep("[::]:0"), ec);
  ASSERT_FALSE(ec);
  net::error_code sent;
  s->async_send_to(asio::buffer("x", 1), ep("[fd00::1]:80"),
                   [&](net::error_code e, std::size_t) { sent = e; });
  w.run();
  EXPECT_EQ(sent, net::error::host_unreachable);
  // An address no host has is unreachable as well.
  s->async_send_to(asio::buffer("x", 1), ep("[fd00::9]:80"),
                   [&](net::error_code e, std::size_t) { sent = e; });
  w.run();
  EXPECT_EQ(sent, net::error::host_unreachable);
}

TEST(HostAddresses, AHostNameResolvesToEveryAddressInTheOrderTheHostWasGivenThem) {
  World w(1);
  w.add_host("a", Addresses{"fd00::1", "10.0.0.1", "10.0.0.7"});
  auto& b = w.add_host("b", "10.0.0.2").network();
  std::vector<net::Endpoint> got;
  b.async_resolve("a", 7, [&](net::error_code, std::vector<net::Endpoint> eps) { got = eps; });
  w.run();
  EXPECT_EQ(got,
            (std::vector<net::Endpoint>{ep("[fd00::1]:7"), ep("10.0.0.1:7"), ep("10.0.0.7:7")}));
  EXPECT_EQ(w.host("a").address(), asio::ip::make_address("fd00::1"));
}

TEST(HostAddresses, Ipv6TrafficIsTracedWithBracketedAddresses) {
  World w(1);
  TraceRecorder rec;
  w.add_trace_sink(&rec);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
  auto& b = w.add_host("b", Addresses{"10.0.0.2", "fd00::2"}).network();
  net::error_code ec;
  auto r = a.bind_udp(ep("[::]:9"), ec);
  ASSERT_FALSE(ec);
  auto s = b.bind_udp(ep("[::]:4000"), ec);
  ASSERT_FALSE(ec);
  s->async_send_to(asio::buffer("hello", 5), ep("[fd00::1]:9"),
                   [](net::error_code, std::size_t) {});
  s->async_send_to(asio::buffer("four", 4), ep("10.0.0.1:9"), [](net::error_code, std::size_t) {});
  auto l = a.listen(ep("[fd00::1]:80"), ec);
  ASSERT_FALSE(ec);
  ASSERT_TRUE(connect_once(w, *l, b, "[fd00::1]:80"));
  auto sends = rec.of("udp.send");
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].src, "[fd00::2]:4000");
  EXPECT_EQ(sends[0].dst, "[fd00::1]:9");
  EXPECT_EQ(sends[1].src, "10.0.0.2:4000");  // the dual-stack socket sends IPv4 to IPv4
  EXPECT_EQ(sends[1].dst, "10.0.0.1:9");
  ASSERT_EQ(rec.of("udp.deliver").size(), 2u);
  auto connects = rec.of("tcp.connect");
  ASSERT_EQ(connects.size(), 1u);
  EXPECT_EQ(connects[0].src.rfind("[fd00::2]:", 0), 0u) << connects[0].src;
  EXPECT_EQ(connects[0].dst, "[fd00::1]:80");
}

TEST(HostAddresses, Ipv6DatagramsFragmentAfterFortyEightBytesOfHeaders) {
  // MTU 1500: IPv4 carries 1472 payload bytes in one packet, IPv6 1452 (40 + 8 bytes of headers).
  World w(1);
  LinkConfig link;
  link.udp.mtu = 1500;
  w.set_default_link(link);
  auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
  auto& b = w.add_host("b", Addresses{"10.0.0.2", "fd00::2"}).network();
  net::error_code ec;
  auto r = a.bind_udp(ep("[::]:9"), ec);
  ASSERT_FALSE(ec);
  auto s = b.bind_udp(ep("[::]:0"), ec);
  ASSERT_FALSE(ec);
  const std::string payload(1453, 'x');
  auto send = [&](std::size_t n, const char* to) {
    s->async_send_to(asio::buffer(payload.data(), n), ep(to), [](net::error_code, std::size_t) {});
    w.run();
    return w.stats().at("udp.fragments");
  };
  EXPECT_EQ(send(1453, "10.0.0.1:9"), 0u);
  EXPECT_EQ(send(1452, "[fd00::1]:9"), 0u);
  EXPECT_EQ(send(1453, "[fd00::1]:9"), 2u);  // 1448 + 5 payload bytes
}

TEST(HostAddresses, Ipv6PacketsTakeTheirLongerHeadersThroughTheBandwidthLimit) {
  // 8,000 bit/s: one byte per millisecond on the wire. A 100-byte datagram is 128 bytes over IPv4
  // (IP 20 + UDP 8) and 148 over IPv6 (40 + 8); a handshake's SYN and SYN-ACK are 40 bytes each
  // over IPv4 (IP 20 + TCP 20) and 60 over IPv6.
  for (bool v6 : {false, true}) {
    World w(1);
    LinkConfig link;
    link.bandwidth_bps = 8000;
    link.latency = std::chrono::milliseconds(1);
    w.set_default_link(link);
    auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
    auto& b = w.add_host("b", Addresses{"10.0.0.2", "fd00::2"}).network();
    net::error_code ec;
    auto r = a.bind_udp(ep("[::]:9"), ec);
    ASSERT_FALSE(ec);
    auto s = b.bind_udp(ep("[::]:0"), ec);
    ASSERT_FALSE(ec);
    std::string buf(200, '\0');
    std::int64_t received_at = -1, connected_at = -1;
    r->async_receive_from(asio::buffer(buf),
                          [&](net::error_code, net::Datagram) { received_at = w.now().count(); });
    const std::string payload(100, 'x');
    s->async_send_to(asio::buffer(payload), ep(v6 ? "[fd00::1]:9" : "10.0.0.1:9"),
                     [](net::error_code, std::size_t) {});
    w.run();
    EXPECT_EQ(received_at, (v6 ? 148 + 1 : 128 + 1) * 1'000'000) << (v6 ? "IPv6" : "IPv4");
    auto l = a.listen(ep("[::]:80"), ec);
    ASSERT_FALSE(ec);
    std::unique_ptr<net::TcpStream> client;
    const std::int64_t start = w.now().count();
    b.async_connect(ep(v6 ? "[fd00::1]:80" : "10.0.0.1:80"),
                    [&](net::error_code e, std::unique_ptr<net::TcpStream> st) {
                      EXPECT_FALSE(e) << e.message();
                      connected_at = w.now().count() - start;
                      client = std::move(st);
                    });
    w.run_for(std::chrono::seconds(1));
    EXPECT_EQ(connected_at, (v6 ? 2 * 60 + 2 : 2 * 40 + 2) * 1'000'000) << (v6 ? "IPv6" : "IPv4");
  }
}

TEST(HostAddresses, Ipv6DatagramsAreChargedTheirLargerHeadInTheReceiveQueue) {
  // Measured on this machine's loopback: 2,000 unread datagrams of 190 bytes keep 256 over
  // 127.0.0.1 (832 B each of 212,992) and 166 over ::1 (1,280 B each).
  EXPECT_EQ(udp_truesize(184, true), 832u);
  EXPECT_EQ(udp_truesize(185, true), 1280u);
  EXPECT_EQ(udp_truesize(632, true), 1280u);
  EXPECT_EQ(udp_truesize(633, true), 2304u);
  EXPECT_EQ(udp_truesize(7800, true), 8448u);
  for (bool v6 : {false, true}) {
    World w(1);
    auto& a = w.add_host("a", Addresses{"10.0.0.1", "fd00::1"}).network();
    net::error_code ec;
    auto r = a.bind_udp(ep(v6 ? "[::1]:9" : "127.0.0.1:9"), ec);
    ASSERT_FALSE(ec);
    auto s = a.bind_udp(ep(v6 ? "[::1]:0" : "127.0.0.1:0"), ec);
    ASSERT_FALSE(ec);
    const std::string payload(190, 'x');
    for (int i = 0; i < 2000; ++i) {
      s->async_send_to(asio::buffer(payload), r->local_endpoint(),
                       [](net::error_code, std::size_t) {});
    }
    w.run();
    EXPECT_EQ(w.stats().at("udp.delivered"), v6 ? 166u : 256u) << (v6 ? "::1" : "127.0.0.1");
  }
}

TEST(HostAddresses, AddHostRefusesIpv6AddressesNoHostCanHaveAndDuplicates) {
  for (const char* bad : {"::1", "::", "ff02::1", "fe80::1", "::ffff:10.0.0.1", "fd00::g"}) {
    World w(1);
    try {
      w.add_host("a", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  World w(1);
  EXPECT_NO_THROW(w.add_host("a", Addresses{"fd00::1", "2001:db8::1", "10.0.0.1"}));
  EXPECT_THROW(w.add_host("b", "fd00:0::1"), std::invalid_argument);  // a's, written otherwise
  EXPECT_THROW(w.add_host("c", Addresses{"fd00::3", "fd00::3"}), std::invalid_argument);
  EXPECT_THROW(w.add_host("d", Addresses{}), std::invalid_argument);
  EXPECT_EQ(w.find_host("c"), nullptr);
}

}  // namespace
}  // namespace simsock::sim
