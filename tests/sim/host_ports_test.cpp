// A host's port tables: bindings per address (Linux's conflict rules), traffic to the binding of
// its destination address, ephemeral ports as Linux's connect() and bind(0) pick them, and the
// addresses World::add_host refuses.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include <simsock/sim/host.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

HostImpl& impl(Host& h) {
  return static_cast<HostImpl&>(h);
}

// Connects from `from` to `to` and returns the local endpoint of the stream the listener at
// `to` accepted, or nothing when the connection failed.
std::optional<net::Endpoint> accepted_local(World& w, net::TcpListener& l, net::Network& from,
                                            const std::string& to) {
  std::optional<net::Endpoint> got;
  std::unique_ptr<net::TcpStream> client, server;
  l.async_accept([&](net::error_code e, std::unique_ptr<net::TcpStream> s) {
    if (!e) got = s->local_endpoint();
    server = std::move(s);
  });
  from.async_connect(
      ep(to), [&](net::error_code, std::unique_ptr<net::TcpStream> s) { client = std::move(s); });
  w.run();
  l.cancel();
  w.run();
  return got;
}

TEST(HostPorts, ListenersOnOnePortAndTwoLoopbackAddressesEachGetTheirOwnConnections) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  net::error_code ec;
  auto one = net.listen(ep("127.0.0.1:80"), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto two = net.listen(ep("127.0.0.2:80"), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(accepted_local(w, *two, net, "127.0.0.2:80"), ep("127.0.0.2:80"));
  EXPECT_EQ(accepted_local(w, *one, net, "127.0.0.1:80"), ep("127.0.0.1:80"));
  EXPECT_EQ(accepted_local(w, *one, net, "127.0.0.3:80"), std::nullopt);  // refused
  EXPECT_EQ(accepted_local(w, *one, net, "10.0.0.1:80"), std::nullopt);
}

TEST(HostPorts, AWildcardBindConflictsWithEverySpecificBindOfItsPortAndBackAgain) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  net::error_code ec;
  // Linux 6.18, TCP listeners with SO_REUSEADDR (as the real backend sets) and UDP without.
  auto tcp_specific = net.listen(ep("127.0.0.1:80"), ec);
  ASSERT_FALSE(ec);
  net.listen(ep("0.0.0.0:80"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  net.listen(ep("127.0.0.1:80"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto tcp_wild = net.listen(ep("0.0.0.0:81"), ec);
  ASSERT_FALSE(ec);
  net.listen(ep("10.0.0.1:81"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  net.listen(ep("127.0.0.5:81"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);

  auto udp_specific = net.bind_udp(ep("127.0.0.1:80"), ec);  // TCP and UDP ports are apart
  ASSERT_FALSE(ec);
  net.bind_udp(ep("0.0.0.0:80"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto udp_other = net.bind_udp(ep("127.0.0.2:80"), ec);
  EXPECT_FALSE(ec);
  auto udp_wild = net.bind_udp(ep("0.0.0.0:81"), ec);
  ASSERT_FALSE(ec);
  net.bind_udp(ep("10.0.0.1:81"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);

  tcp_wild->close();  // a closed listener frees its port for a specific bind
  auto again = net.listen(ep("10.0.0.1:81"), ec);
  EXPECT_FALSE(ec);
}

TEST(HostPorts, DatagramsGoOnlyToTheSocketBoundToTheirDestinationAddress) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  net::error_code ec;
  auto one = net.bind_udp(ep("127.0.0.1:53"), ec);
  auto two = net.bind_udp(ep("127.0.0.2:53"), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto tx = net.bind_udp(ep("0.0.0.0:0"), ec);
  std::vector<std::string> got_one, got_two;
  std::vector<char> b1(16), b2(16);
  std::function<void()> r1 = [&] {
    one->async_receive_from(asio::buffer(b1), [&](net::error_code e, net::Datagram d) {
      if (e) return;
      got_one.emplace_back(b1.data(), d.bytes);
      r1();
    });
  };
  std::function<void()> r2 = [&] {
    two->async_receive_from(asio::buffer(b2), [&](net::error_code e, net::Datagram d) {
      if (e) return;
      got_two.emplace_back(b2.data(), d.bytes);
      r2();
    });
  };
  r1();
  r2();
  for (const char* to : {"127.0.0.2:53", "127.0.0.1:53", "127.0.0.3:53", "10.0.0.1:53"}) {
    std::string text = std::string(to).substr(0, 9);
    tx->async_send_to(asio::buffer(text), ep(to), [](net::error_code, std::size_t) {});
  }
  w.run();
  EXPECT_EQ(got_one, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(got_two, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(w.stats().at("udp.dropped"), 2u);  // 127.0.0.3 and 10.0.0.1: nobody bound there
  one->close();
  two->close();
  w.run();
}

TEST(HostPorts, AHostOwnsItsAddressAndAllOfLoopback) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  net::error_code ec;
  auto s = net.bind_udp(ep("127.1.2.3:9"), ec);
  EXPECT_FALSE(ec);
  auto l = net.listen(ep("127.255.255.254:9"), ec);
  EXPECT_FALSE(ec);
  net.bind_udp(ep("10.0.0.2:9"), ec);
  EXPECT_EQ(ec, net::error::address_not_available);
  net.listen(ep("128.0.0.1:9"), ec);
  EXPECT_EQ(ec, net::error::address_not_available);
}

TEST(HostPorts, ConnectionPortsAreUniquePerDestinationWithinLinuxRangeEvenFirst) {
  World w(7);
  auto& h = impl(w.add_host("client", "10.0.0.2"));
  w.add_host("server", "10.0.0.1");
  const auto local = asio::ip::make_address("10.0.0.2");
  std::set<std::uint16_t> ports;
  int odd = 0;
  for (int i = 0; i < 26'000; ++i) {
    std::uint16_t p = 0;
    ASSERT_FALSE(h.take_connection_port(local, ep("10.0.0.1:5002"), p)) << i;
    ASSERT_GE(p, k_ephemeral_first);
    ASSERT_LE(p, k_ephemeral_last);
    if (i < 14'116) {
      EXPECT_EQ(p % 2, 0) << i;  // 14,116 even ports first, as Linux's connect()
    }
    odd += p % 2;
    ports.insert(p);
  }
  EXPECT_EQ(ports.size(), 26'000u);  // no duplicate among live connections
  EXPECT_EQ(odd, 26'000 - 14'116);
}

TEST(HostPorts, SuccessiveConnectionsStepByTwoToSixteenFromASeededStart) {
  auto first_ports = [](std::uint64_t seed, const char* host) {
    World w(seed);
    auto& h = impl(w.add_host(host, "10.0.0.2"));
    std::vector<std::uint16_t> out;
    for (int i = 0; i < 8; ++i) {
      std::uint16_t p = 0;
      EXPECT_FALSE(h.take_connection_port(h.address(), ep("10.0.0.1:80"), p));
      out.push_back(p);
    }
    return out;
  };
  auto a = first_ports(1, "client");
  EXPECT_EQ(a, first_ports(1, "client"));  // deterministic
  EXPECT_NE(a, first_ports(2, "client"));  // the start depends on the seed
  EXPECT_NE(a, first_ports(1, "other"));   // and on the host
  for (std::size_t i = 1; i < a.size(); ++i) {
    int step = (a[i] - a[i - 1] + 28'232) % 28'232;
    EXPECT_GE(step, 2);
    EXPECT_LE(step, 16);
    EXPECT_EQ(step % 2, 0);
  }
}

TEST(HostPorts, ExhaustedConnectionPortsGiveAddressNotAvailableUntilOneIsReleased) {
  World w(3);
  auto& h = impl(w.add_host("client", "10.0.0.2"));
  const auto local = h.address();
  const auto server = ep("10.0.0.1:80");
  std::vector<std::uint16_t> taken;
  for (int i = 0; i < 28'232; ++i) {
    std::uint16_t p = 0;
    ASSERT_FALSE(h.take_connection_port(local, server, p)) << i;
    taken.push_back(p);
  }
  std::uint16_t p = 1;
  EXPECT_EQ(h.take_connection_port(local, server, p), net::error::address_not_available);
  EXPECT_EQ(p, 0);
  // Another destination has its own 28,232 (Linux keys connections by their 4-tuple).
  EXPECT_FALSE(h.take_connection_port(local, ep("10.0.0.1:81"), p));
  h.release_connection_port({local, taken[1234]}, server);
  EXPECT_FALSE(h.take_connection_port(local, server, p));
  EXPECT_EQ(p, taken[1234]);
}

TEST(HostPorts, AListenerCannotTakeThePortOfALiveOutgoingConnection) {
  World w(1);
  auto& host = w.add_host("a", "10.0.0.1");
  auto& h = impl(host);
  std::uint16_t p = 0;
  ASSERT_FALSE(h.take_connection_port(asio::ip::make_address("127.0.0.1"), ep("127.0.0.1:80"), p));
  net::error_code ec;
  const std::string port = std::to_string(p);
  host.network().listen(ep("127.0.0.1:" + port), ec);
  EXPECT_EQ(ec, net::error::address_in_use);  // measured on Linux 6.18, with and without reuse
  host.network().listen(ep("0.0.0.0:" + port), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto other = host.network().listen(ep("127.0.0.2:" + port), ec);
  EXPECT_FALSE(ec);
  auto udp = host.network().bind_udp(ep("127.0.0.1:" + port), ec);
  EXPECT_FALSE(ec);
  h.release_connection_port({asio::ip::make_address("127.0.0.1"), p}, ep("127.0.0.1:80"));
  auto now = host.network().listen(ep("127.0.0.1:" + port), ec);
  EXPECT_FALSE(ec);
}

TEST(HostPorts, ConnectionsSkipPortsThatAListenerHolds) {
  World w(5);
  auto& host = w.add_host("a", "10.0.0.1");
  auto& h = impl(host);
  std::uint16_t p = 0;
  ASSERT_FALSE(h.take_connection_port(h.address(), ep("10.0.0.9:80"), p));
  World again(5);
  auto& host2 = again.add_host("a", "10.0.0.1");
  net::error_code ec;
  auto l = host2.network().listen({asio::ip::make_address("127.0.0.1"), p}, ec);
  ASSERT_FALSE(ec);
  std::uint16_t q = 0;
  ASSERT_FALSE(impl(host2).take_connection_port(h.address(), ep("10.0.0.9:80"), q));
  EXPECT_NE(q, p);  // same seed, same walk, but the listener's port is passed over
  EXPECT_EQ(q % 2, 0);
}

TEST(HostPorts, BindsToPortZeroPickDistinctPortsInLinuxRange) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  std::vector<std::unique_ptr<net::UdpSocket>> udp;
  std::vector<std::unique_ptr<net::TcpListener>> tcp;
  std::set<std::uint16_t> udp_ports, tcp_ports;
  for (int i = 0; i < 2'000; ++i) {
    net::error_code ec;
    udp.push_back(net.bind_udp(ep("0.0.0.0:0"), ec));
    ASSERT_FALSE(ec);
    std::uint16_t p = udp.back()->local_endpoint().port;
    EXPECT_GE(p, k_ephemeral_first);
    EXPECT_LE(p, k_ephemeral_last);
    udp_ports.insert(p);
    tcp.push_back(net.listen(ep("127.0.0.1:0"), ec));
    ASSERT_FALSE(ec);
    p = tcp.back()->local_endpoint().port;
    EXPECT_GE(p, k_ephemeral_first);
    EXPECT_LE(p, k_ephemeral_last);
    EXPECT_EQ(p % 2, 1);  // listeners look at odd ports first, as inet_csk_find_open_port
    tcp_ports.insert(p);
  }
  EXPECT_EQ(udp_ports.size(), 2'000u);
  EXPECT_EQ(tcp_ports.size(), 2'000u);
}

TEST(HostPorts, UdpBindsToPortZeroRunOutAfterTheWholeRangeWithAddressInUse) {
  World w(1);
  auto& net = w.add_host("a", "10.0.0.1").network();
  std::vector<std::unique_ptr<net::UdpSocket>> held;
  net::error_code ec;
  for (int i = 0; i < 28'232; ++i) {  // Linux 6.18: 28,232 binds to 127.0.0.1:0, then EADDRINUSE
    held.push_back(net.bind_udp(ep("127.0.0.1:0"), ec));
    ASSERT_FALSE(ec) << i;
  }
  net.bind_udp(ep("127.0.0.1:0"), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto elsewhere = net.bind_udp(ep("127.0.0.2:0"), ec);  // another address has its own ports
  EXPECT_FALSE(ec);
  held[17].reset();
  auto again = net.bind_udp(ep("127.0.0.1:0"), ec);
  EXPECT_FALSE(ec);
}

TEST(HostPorts, AddHostRefusesAddressesNoHostCanHave) {
  for (const char* bad : {"127.0.0.1", "127.9.9.9", "0.0.0.0", "224.0.0.1", "239.255.255.250",
                          "255.255.255.255", "10.0.0", "::1"}) {
    World w(1);
    try {
      w.add_host("a", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  World w(1);
  EXPECT_NO_THROW(w.add_host("a", "192.168.1.255"));
}

}  // namespace
}  // namespace simsock::sim
