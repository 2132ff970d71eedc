// Conformance: setting TCP connections up (listen, connect, accept), cancelling and closing with
// operations pending, and backpressure from a peer that does not read.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class TcpControlConformance : public Conformance<Backend> {};
TYPED_TEST_SUITE_P(TcpControlConformance);

TYPED_TEST_P(TcpControlConformance, ConnectToAPortWithoutListenerIsRefused) {
  const std::uint16_t port = this->unused_tcp_port();
  ASSERT_NE(port, 0);
  ConnectDone connected;
  this->client().async_connect(this->server_at(port), connected.handler());
  ASSERT_TRUE(this->run_until([&] { return connected.done(); }));
  EXPECT_EQ(connected.get<0>(), net::error::connection_refused);
  EXPECT_EQ(connected.get<1>(), nullptr);
}

TYPED_TEST_P(TcpControlConformance, ListenOnPortZeroPicksAFreePortThatAcceptsConnections) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c.listener->local_endpoint().port, 0);
  // A second listener on port 0 gets a different port.
  auto other = this->listen();
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->local_endpoint().port, c.listener->local_endpoint().port);
}

TYPED_TEST_P(TcpControlConformance, ListenerOnTheWildcardAddressAcceptsOnTheServerAddress) {
  if (!binds_wildcard<TypeParam>()) {
    GTEST_SKIP() << "this backend's tests may bind only the loopback address";
  }
  const auto any = this->backend().server_address().is_v4()
                       ? asio::ip::address(asio::ip::address_v4::any())
                       : asio::ip::address(asio::ip::address_v6::any());
  net::error_code ec;
  auto l = this->server().listen({any, 0}, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(l->local_endpoint().address, any);
  AcceptDone accepted;
  ConnectDone connected;
  l->async_accept(accepted.handler());
  this->client().async_connect(this->server_at(l->local_endpoint().port), connected.handler());
  ASSERT_TRUE(this->run_until([&] { return accepted.done() && connected.done(); }));
  ASSERT_FALSE(accepted.get<0>()) << accepted.get<0>().message();
  ASSERT_FALSE(connected.get<0>()) << connected.get<0>().message();
  // The accepted stream names the concrete address it was reached on.
  EXPECT_EQ(accepted.get<1>()->local_endpoint(), this->server_at(l->local_endpoint().port));
  EXPECT_EQ(accepted.get<1>()->remote_endpoint(), connected.get<1>()->local_endpoint());
}

TYPED_TEST_P(TcpControlConformance, ListenOnAPortInUseFailsWithAddressInUse) {
  auto first = this->listen();
  ASSERT_NE(first, nullptr);
  net::error_code ec;
  auto second = this->server().listen(first->local_endpoint(), ec);
  EXPECT_EQ(ec, net::error::address_in_use);
  EXPECT_EQ(second, nullptr);
  // Once the first listener is closed the port can be listened on again.
  const net::Endpoint at = first->local_endpoint();
  first->close();
  first.reset();
  auto third = this->server().listen(at, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_NE(third, nullptr);
}

TYPED_TEST_P(TcpControlConformance, ListenOnAnAddressOfNoLocalInterfaceFails) {
  net::error_code ec;
  auto l = this->server().listen({foreign_address(), 0}, ec);
  EXPECT_EQ(ec, net::error::address_not_available);
  EXPECT_EQ(l, nullptr);
}

TYPED_TEST_P(TcpControlConformance, CancelAbortsAPendingReadAndTheStreamStaysUsable) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  std::array<char, 16> buf{};
  ReadDone r;
  c.client->async_read_some(asio::buffer(buf), r.handler());
  c.client->cancel();
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(r.get<1>(), 0u);
  EXPECT_TRUE(c.client->is_open());
  ASSERT_FALSE(this->write_all(*c.server, "still here"));
  EXPECT_EQ(this->read_exactly(*c.client, 10).second, "still here");
}

TYPED_TEST_P(TcpControlConformance, CancelAbortsAPendingAcceptAndTheListenerStaysUsable) {
  auto l = this->listen();
  ASSERT_NE(l, nullptr);
  AcceptDone first;
  l->async_accept(first.handler());
  l->cancel();
  ASSERT_TRUE(this->run_until([&] { return first.done(); }));
  EXPECT_EQ(first.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(first.get<1>(), nullptr);
  AcceptDone second;
  ConnectDone connected;
  l->async_accept(second.handler());
  this->client().async_connect(l->local_endpoint(), connected.handler());
  ASSERT_TRUE(this->run_until([&] { return second.done() && connected.done(); }));
  EXPECT_FALSE(second.get<0>()) << second.get<0>().message();
  EXPECT_NE(second.get<1>(), nullptr);
}

TYPED_TEST_P(TcpControlConformance, ClosingAStreamAbortsItsPendingReadAndLaterOpsFail) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  std::array<char, 16> buf{};
  ReadDone r;
  c.client->async_read_some(asio::buffer(buf), r.handler());
  c.client->close();
  EXPECT_FALSE(c.client->is_open());
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  c.client->close();  // idempotent
  EXPECT_EQ(this->read_some(*c.client, 16).first, net::error::bad_descriptor);
  WriteDone w;
  c.client->async_write_some(asio::buffer("x", 1), w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_EQ(w.get<0>(), net::error::bad_descriptor);
  EXPECT_EQ(c.client->shutdown(net::Shutdown::both), net::error::bad_descriptor);
  // The peer sees an orderly end.
  EXPECT_EQ(this->read_some(*c.server, 16).first, net::error::eof);
}

TYPED_TEST_P(TcpControlConformance, ClosingAListenerAbortsItsPendingAcceptAndLaterAcceptsFail) {
  auto l = this->listen();
  ASSERT_NE(l, nullptr);
  const net::Endpoint at = l->local_endpoint();
  AcceptDone first;
  l->async_accept(first.handler());
  l->close();
  ASSERT_TRUE(this->run_until([&] { return first.done(); }));
  EXPECT_EQ(first.get<0>(), net::error::operation_aborted);
  l->close();  // idempotent
  AcceptDone second;
  l->async_accept(second.handler());
  ASSERT_TRUE(this->run_until([&] { return second.done(); }));
  EXPECT_EQ(second.get<0>(), net::error::bad_descriptor);
  // Nobody listens there any more.
  ConnectDone connected;
  this->client().async_connect(at, connected.handler());
  ASSERT_TRUE(this->run_until([&] { return connected.done(); }));
  EXPECT_EQ(connected.get<0>(), net::error::connection_refused);
}

TYPED_TEST_P(TcpControlConformance, DestroyingAStreamWithAPendingReadNeverReportsAnotherError) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  auto buf = std::make_unique<std::array<char, 16>>();
  ReadDone r;
  c.client->async_read_some(asio::buffer(*buf), r.handler());
  c.client.reset();
  this->let_data_arrive();
  // Either the handler is dropped, or it says the operation was aborted.
  if (r.done()) {
    EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  }
  EXPECT_LE(r.calls(), 1);
  EXPECT_EQ(this->read_some(*c.server, 16).first, net::error::eof);
}

TYPED_TEST_P(TcpControlConformance, WriterStallsWhileThePeerDoesNotReadAndResumesWhenItDoes) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  // The stream carries `chunk` repeated; `written` counts the bytes the writer got rid of.
  const std::string chunk = pattern_bytes(64 * 1024, 11);
  const std::size_t cap = std::size_t{256} << 20;  // far above any socket buffer
  std::size_t written = 0;
  bool pending = false, stop = false;
  net::error_code write_error;
  std::function<void()> write_next = [&] {
    const std::size_t off = written % chunk.size();
    pending = true;
    c.client->async_write_some(asio::buffer(chunk.data() + off, chunk.size() - off),
                               [&](net::error_code ec, std::size_t n) {
                                 pending = false;
                                 written += n;
                                 if (ec) write_error = ec;
                                 if (!ec && !stop && written < cap) write_next();
                               });
  };
  write_next();
  // Run until the writer makes no progress over several windows in a row.
  int quiet_windows = 0;
  while (quiet_windows < 3 && written < cap && !write_error) {
    const std::size_t before = written;
    (void)this->run_until([&] { return written >= cap || write_error; }, 100ms);
    quiet_windows = (written == before) ? quiet_windows + 1 : 0;
  }
  ASSERT_FALSE(write_error) << write_error.message();
  ASSERT_LT(written, cap) << "the writer never blocked: no backpressure";
  EXPECT_TRUE(pending) << "the stalled writer should have a write outstanding";
  EXPECT_GT(written, 0u);

  // Now the peer reads everything; the pending write completes and every byte arrives in order.
  stop = true;
  std::array<char, 65536> buf{};
  std::size_t read_total = 0;
  bool mismatch = false;
  net::error_code read_error;
  std::function<void()> read_next = [&] {
    c.server->async_read_some(asio::buffer(buf), [&](net::error_code ec, std::size_t n) {
      if (ec) {
        read_error = ec;
        return;
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (buf[i] != chunk[(read_total + i) % chunk.size()]) mismatch = true;
      }
      read_total += n;
      if (pending || read_total < written) read_next();
    });
  };
  read_next();
  ASSERT_TRUE(this->run_until([&] { return (!pending && read_total == written) || read_error; }));
  EXPECT_FALSE(read_error) << read_error.message();
  EXPECT_FALSE(write_error) << write_error.message();
  EXPECT_FALSE(mismatch) << "bytes arrived changed or out of order";
}

REGISTER_TYPED_TEST_SUITE_P(TcpControlConformance, ConnectToAPortWithoutListenerIsRefused,
                            ListenOnPortZeroPicksAFreePortThatAcceptsConnections,
                            ListenerOnTheWildcardAddressAcceptsOnTheServerAddress,
                            ListenOnAPortInUseFailsWithAddressInUse,
                            ListenOnAnAddressOfNoLocalInterfaceFails,
                            CancelAbortsAPendingReadAndTheStreamStaysUsable,
                            CancelAbortsAPendingAcceptAndTheListenerStaysUsable,
                            ClosingAStreamAbortsItsPendingReadAndLaterOpsFail,
                            ClosingAListenerAbortsItsPendingAcceptAndLaterAcceptsFail,
                            DestroyingAStreamWithAPendingReadNeverReportsAnotherError,
                            WriterStallsWhileThePeerDoesNotReadAndResumesWhenItDoes);

}  // namespace simsock::conformance
