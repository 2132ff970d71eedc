// Conformance: addresses of both families on one host, as Linux treats them (measured on this
// machine's loopback, Linux 6.18): a port is bound per address, so 127.0.0.1:P and [::1]:P are
// two sockets; an IPv6 wildcard socket is dual-stack (IPV6_V6ONLY is off by default), so [::]:P
// takes P for IPv4 too and accepts IPv4 peers, which Linux reports as ::ffff:a.b.c.d and the
// interface as a.b.c.d; an IPv4 socket cannot send to an IPv6 address. Every case uses the
// server host's loopback addresses, which both backends have in both families.
#pragma once

#include <string>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class AddressConformance : public Conformance<Backend> {
 public:
  static asio::ip::address v4_loopback() { return asio::ip::make_address("127.0.0.1"); }
  static asio::ip::address v6_loopback() { return asio::ip::make_address("::1"); }
};
TYPED_TEST_SUITE_P(AddressConformance);

TYPED_TEST_P(AddressConformance, SamePortOnIpv4AndIpv6LoopbackKeepsTrafficApart) {
  net::Network& host = this->server();
  const auto one = this->v4_loopback(), six = this->v6_loopback();
  auto v4 = this->listen(host, {one, 0});
  ASSERT_NE(v4, nullptr);
  const std::uint16_t port = v4->local_endpoint().port;
  auto v6 = this->listen(host, {six, port});
  ASSERT_NE(v6, nullptr);
  AcceptDone on_v4, on_v6;
  v4->async_accept(on_v4.handler());
  v6->async_accept(on_v6.handler());
  ConnectDone to_v6;
  host.async_connect({six, port}, to_v6.handler());
  ASSERT_TRUE(this->run_until([&] { return on_v6.done() && to_v6.done(); }));
  ASSERT_FALSE(on_v6.get<0>()) << on_v6.get<0>().message();
  EXPECT_EQ(on_v6.get<1>()->local_endpoint(), (net::Endpoint{six, port}));
  EXPECT_EQ(on_v6.get<1>()->remote_endpoint().address, six);
  EXPECT_EQ(on_v6.get<1>()->remote_endpoint(), to_v6.get<1>()->local_endpoint());
  EXPECT_FALSE(on_v4.done()) << "127.0.0.1's listener accepted a connection made to ::1";
  ConnectDone to_v4;
  host.async_connect({one, port}, to_v4.handler());
  ASSERT_TRUE(this->run_until([&] { return on_v4.done() && to_v4.done(); }));
  ASSERT_FALSE(on_v4.get<0>()) << on_v4.get<0>().message();
  EXPECT_EQ(on_v4.get<1>()->local_endpoint(), (net::Endpoint{one, port}));
  EXPECT_EQ(on_v4.get<1>()->remote_endpoint().address, one);

  // UDP: [::1]:P and 127.0.0.1:P are two sockets; each gets only its own family's datagrams.
  auto r4 = this->bind_udp(host, {one, 0});
  ASSERT_NE(r4, nullptr);
  const std::uint16_t udp_port = r4->local_endpoint().port;
  auto r6 = this->bind_udp(host, {six, udp_port});
  ASSERT_NE(r6, nullptr);
  auto s6 = this->bind_udp(host, {six, 0});
  ASSERT_NE(s6, nullptr);
  EXPECT_FALSE(this->send_to(*s6, "to six", {six, udp_port}).first);
  std::string buf(100, '\0');
  ReceiveDone got;
  r6->async_receive_from(asio::buffer(buf), got.handler());
  ASSERT_TRUE(this->run_until([&] { return got.done(); }));
  ASSERT_FALSE(got.get<0>()) << got.get<0>().message();
  EXPECT_EQ(buf.substr(0, got.get<1>().bytes), "to six");
  EXPECT_EQ(got.get<1>().sender, s6->local_endpoint());
  ReceiveDone nothing;
  r4->async_receive_from(asio::buffer(buf), nothing.handler());
  this->let_data_arrive();
  EXPECT_FALSE(nothing.done()) << "127.0.0.1's socket received a datagram sent to ::1";
  r4->cancel();
  ASSERT_TRUE(this->run_until([&] { return nothing.done(); }));
}

TYPED_TEST_P(AddressConformance, AnIpv4SocketCannotSendToAnIpv6Address) {
  auto r6 = this->bind_udp(this->server(), {this->v6_loopback(), 0});
  ASSERT_NE(r6, nullptr);
  auto s4 = this->bind_udp(this->server(), {this->v4_loopback(), 0});
  ASSERT_NE(s4, nullptr);
  auto [ec, n] = this->send_to(*s4, "x", {this->v6_loopback(), r6->local_endpoint().port});
  EXPECT_EQ(ec, asio::error::address_family_not_supported) << ec.message();
  EXPECT_EQ(n, 0u);
}

// The dual-stack cases bind [::], which real-socket suites do not do on a shared machine; they
// were measured there with the same steps on real sockets (Linux 6.18: the accepted peer is
// ::ffff:127.0.0.1, which the real backend reports as 127.0.0.1).
TYPED_TEST_P(AddressConformance, ADualStackListenerAcceptsIpv4PeersAsIpv4Addresses) {
  if (!binds_wildcard<TypeParam>()) {
    GTEST_SKIP() << "this backend's tests may bind only the loopback address";
  }
  net::Network& host = this->server();
  const net::Endpoint any{asio::ip::address_v6::any(), 0};
  auto l = this->listen(host, any);
  ASSERT_NE(l, nullptr);
  const std::uint16_t port = l->local_endpoint().port;
  EXPECT_EQ(l->local_endpoint(), (net::Endpoint{any.address, port}));
  for (const auto& to : {this->v4_loopback(), this->v6_loopback()}) {
    AcceptDone accepted;
    ConnectDone connected;
    l->async_accept(accepted.handler());
    host.async_connect({to, port}, connected.handler());
    ASSERT_TRUE(this->run_until([&] { return accepted.done() && connected.done(); }));
    ASSERT_FALSE(accepted.get<0>()) << to.to_string() << ": " << accepted.get<0>().message();
    ASSERT_FALSE(connected.get<0>()) << to.to_string() << ": " << connected.get<0>().message();
    EXPECT_EQ(accepted.get<1>()->local_endpoint(), (net::Endpoint{to, port}));
    EXPECT_EQ(accepted.get<1>()->remote_endpoint(), connected.get<1>()->local_endpoint());
    EXPECT_EQ(accepted.get<1>()->remote_endpoint().address, to);
  }
  // [::]:P holds P for IPv4 as well.
  net::error_code ec;
  auto v4 = host.listen({this->v4_loopback(), port}, ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  EXPECT_EQ(v4, nullptr);
}

TYPED_TEST_P(AddressConformance, ADualStackUdpSocketReceivesIpv4DatagramsFromIpv4Senders) {
  if (!binds_wildcard<TypeParam>()) {
    GTEST_SKIP() << "this backend's tests may bind only the loopback address";
  }
  net::Network& host = this->server();
  auto r = this->bind_udp(host, {asio::ip::address_v6::any(), 0});
  ASSERT_NE(r, nullptr);
  const std::uint16_t port = r->local_endpoint().port;
  net::error_code ec;
  auto taken = host.bind_udp({this->v4_loopback(), port}, ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  auto s4 = this->bind_udp(host, {this->v4_loopback(), 0});
  ASSERT_NE(s4, nullptr);
  EXPECT_FALSE(this->send_to(*s4, "from four", {this->v4_loopback(), port}).first);
  std::string buf(100, '\0');
  ReceiveDone got;
  r->async_receive_from(asio::buffer(buf), got.handler());
  ASSERT_TRUE(this->run_until([&] { return got.done(); }));
  ASSERT_FALSE(got.get<0>()) << got.get<0>().message();
  EXPECT_EQ(buf.substr(0, got.get<1>().bytes), "from four");
  EXPECT_EQ(got.get<1>().sender, s4->local_endpoint());
  // The reply from the dual-stack socket goes back over IPv4.
  EXPECT_FALSE(this->send_to(*r, "back", s4->local_endpoint()).first);
  ReceiveDone back;
  s4->async_receive_from(asio::buffer(buf), back.handler());
  ASSERT_TRUE(this->run_until([&] { return back.done(); }));
  ASSERT_FALSE(back.get<0>()) << back.get<0>().message();
  EXPECT_EQ(back.get<1>().sender, (net::Endpoint{this->v4_loopback(), port}));
}

REGISTER_TYPED_TEST_SUITE_P(AddressConformance, SamePortOnIpv4AndIpv6LoopbackKeepsTrafficApart,
                            AnIpv4SocketCannotSendToAnIpv6Address,
                            ADualStackListenerAcceptsIpv4PeersAsIpv4Addresses,
                            ADualStackUdpSocketReceivesIpv4DatagramsFromIpv4Senders);

}  // namespace simsock::conformance
