// Conformance: UDP datagrams keep their boundaries, truncate into short buffers, and fail only for
// the local reasons the interface names.
#pragma once

#include <string>
#include <vector>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class UdpConformance : public Conformance<Backend> {
 protected:
  // Receives one datagram into a buffer of `capacity` bytes.
  std::pair<net::Datagram, std::string> receive(net::UdpSocket& s, std::size_t capacity,
                                                net::error_code& ec) {
    std::string buf(capacity, '\0');
    ReceiveDone r;
    s.async_receive_from(asio::buffer(buf), r.handler());
    if (!this->run_until([&] { return r.done(); })) {
      ADD_FAILURE() << "receive_from did not complete";
      s.cancel();
      (void)this->run_until([&] { return r.done(); });
      ec = net::error::timed_out;
      return {};
    }
    ec = r.get<0>();
    buf.resize(r.get<1>().bytes);
    return {r.get<1>(), buf};
  }
};
TYPED_TEST_SUITE_P(UdpConformance);

TYPED_TEST_P(UdpConformance, EachSendArrivesAsOneDatagramOfTheSameSize) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  const std::vector<std::string> sent = {pattern_bytes(1, 1), pattern_bytes(700, 2),
                                         pattern_bytes(1400, 3)};
  for (const auto& d : sent) {
    auto [ec, n] = this->send_to(*tx, d, rx->local_endpoint());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, d.size());
  }
  for (const auto& d : sent) {
    net::error_code ec;
    auto [dg, bytes] = this->receive(*rx, 65536, ec);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(dg.bytes, d.size());
    EXPECT_EQ(dg.full_size, d.size());
    EXPECT_FALSE(dg.truncated());
    EXPECT_TRUE(bytes == d);
    EXPECT_EQ(dg.sender, tx->local_endpoint());
  }
}

TYPED_TEST_P(UdpConformance, EmptyDatagramArrivesAsAZeroByteDatagram) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  EXPECT_FALSE(this->send_to(*tx, "", rx->local_endpoint()).first);
  EXPECT_FALSE(this->send_to(*tx, "after", rx->local_endpoint()).first);
  net::error_code ec;
  auto [first, b1] = this->receive(*rx, 100, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(first.full_size, 0u);
  EXPECT_EQ(first.sender, tx->local_endpoint());
  auto [second, b2] = this->receive(*rx, 100, ec);
  EXPECT_EQ(b2, "after");
}

TYPED_TEST_P(UdpConformance, ShortBufferTruncatesTheDatagramAndReportsItsFullSize) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  const std::string big = pattern_bytes(1000, 5);
  ASSERT_FALSE(this->send_to(*tx, big, rx->local_endpoint()).first);
  ASSERT_FALSE(this->send_to(*tx, "next", rx->local_endpoint()).first);
  net::error_code ec;
  auto [dg, bytes] = this->receive(*rx, 10, ec);
  EXPECT_FALSE(ec) << "truncation is not an error: " << ec.message();
  EXPECT_EQ(dg.bytes, 10u);
  EXPECT_EQ(dg.full_size, 1000u);
  EXPECT_TRUE(dg.truncated());
  EXPECT_EQ(bytes, big.substr(0, 10));
  // The rest of the truncated datagram is gone; the next receive gets the next datagram.
  auto [next, next_bytes] = this->receive(*rx, 100, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(next_bytes, "next");
  EXPECT_FALSE(next.truncated());
}

TYPED_TEST_P(UdpConformance, LargestDatagramOf65507BytesArrivesWhole) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  const std::string big = pattern_bytes(65507, 9);
  auto [sec, n] = this->send_to(*tx, big, rx->local_endpoint());
  EXPECT_FALSE(sec) << sec.message();
  EXPECT_EQ(n, big.size());
  net::error_code ec;
  auto [dg, bytes] = this->receive(*rx, 70000, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(dg.full_size, big.size());
  EXPECT_TRUE(bytes == big);
}

TYPED_TEST_P(UdpConformance, DatagramOverTheUdpLimitFailsWithMessageSize) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  const std::string too_big(65508, 'x');
  auto [ec, n] = this->send_to(*tx, too_big, rx->local_endpoint());
  EXPECT_EQ(ec, net::error::message_size);
  EXPECT_EQ(n, 0u);
  // The socket stays usable.
  EXPECT_FALSE(this->send_to(*tx, "fits", rx->local_endpoint()).first);
  net::error_code rec;
  EXPECT_EQ(this->receive(*rx, 100, rec).second, "fits");
}

TYPED_TEST_P(UdpConformance, SendToAPortNobodyBoundSucceedsAndLeavesTheSocketUsable) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  const std::uint16_t nobody = this->unused_udp_port();
  ASSERT_NE(nobody, 0);
  for (int i = 0; i < 3; ++i) {
    auto [ec, n] = this->send_to(*tx, "anyone?", this->server_at(nobody));
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, 7u);
    this->let_data_arrive();
  }
  // No error surfaces later either: a round trip on the same socket works.
  EXPECT_FALSE(this->send_to(*tx, "ping", rx->local_endpoint()).first);
  net::error_code ec;
  auto [dg, bytes] = this->receive(*rx, 100, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(this->send_to(*rx, "pong", dg.sender).first);
  auto [back, back_bytes] = this->receive(*tx, 100, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(back_bytes, "pong");
  EXPECT_EQ(back.sender, rx->local_endpoint());
}

TYPED_TEST_P(UdpConformance, SendToPortZeroFailsWithInvalidArgument) {
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_NE(tx, nullptr);
  auto [ec, n] = this->send_to(*tx, "nowhere", this->server_at(0));
  EXPECT_EQ(ec, net::error::invalid_argument);
  EXPECT_EQ(n, 0u);
}

TYPED_TEST_P(UdpConformance, BindOnAPortInUseFailsWithAddressInUse) {
  auto first = this->bind_udp(this->server(), this->server_at(0));
  ASSERT_NE(first, nullptr);
  EXPECT_NE(first->local_endpoint().port, 0);
  EXPECT_EQ(first->local_endpoint().address, this->backend().server_address());
  net::error_code ec;
  auto second = this->server().bind_udp(first->local_endpoint(), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  EXPECT_EQ(second, nullptr);
  auto elsewhere = this->server().bind_udp({foreign_address(), 0}, ec);
  EXPECT_EQ(ec, net::error::address_not_available);
  EXPECT_EQ(elsewhere, nullptr);
}

TYPED_TEST_P(UdpConformance, CancelAbortsAPendingReceiveAndTheSocketStaysUsable) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  auto tx = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_TRUE(rx && tx);
  std::string buf(100, '\0');
  ReceiveDone r;
  rx->async_receive_from(asio::buffer(buf), r.handler());
  rx->cancel();
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  EXPECT_FALSE(this->send_to(*tx, "again", rx->local_endpoint()).first);
  net::error_code ec;
  EXPECT_EQ(this->receive(*rx, 100, ec).second, "again");
}

TYPED_TEST_P(UdpConformance, ClosingASocketAbortsItsPendingReceiveAndLaterOpsFail) {
  auto rx = this->bind_udp(this->server(), this->server_at(0));
  ASSERT_NE(rx, nullptr);
  const net::Endpoint at = rx->local_endpoint();
  std::string buf(100, '\0');
  ReceiveDone r;
  rx->async_receive_from(asio::buffer(buf), r.handler());
  rx->close();
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  rx->close();  // idempotent
  net::error_code ec;
  this->receive(*rx, 100, ec);
  EXPECT_EQ(ec, net::error::bad_descriptor);
  EXPECT_EQ(this->send_to(*rx, "x", at).first, net::error::bad_descriptor);
  // The port is free again.
  auto again = this->server().bind_udp(at, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(again, nullptr);
}

REGISTER_TYPED_TEST_SUITE_P(
    UdpConformance, EachSendArrivesAsOneDatagramOfTheSameSize,
    EmptyDatagramArrivesAsAZeroByteDatagram, ShortBufferTruncatesTheDatagramAndReportsItsFullSize,
    LargestDatagramOf65507BytesArrivesWhole, DatagramOverTheUdpLimitFailsWithMessageSize,
    SendToAPortNobodyBoundSucceedsAndLeavesTheSocketUsable, SendToPortZeroFailsWithInvalidArgument,
    BindOnAPortInUseFailsWithAddressInUse, CancelAbortsAPendingReceiveAndTheSocketStaysUsable,
    ClosingASocketAbortsItsPendingReceiveAndLaterOpsFail);

}  // namespace simsock::conformance
