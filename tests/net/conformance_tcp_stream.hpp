// Conformance: what a TCP byte stream delivers, and how it ends (eof, reset, half-close).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class TcpStreamConformance : public Conformance<Backend> {};
TYPED_TEST_SUITE_P(TcpStreamConformance);

// Echoes everything it reads back to the writer until eof, then shuts down its sending side.
class Echoer {
 public:
  explicit Echoer(net::TcpStream& s) : s_(s) {}
  void start() {
    s_.async_read_some(asio::buffer(buf_), [this](net::error_code ec, std::size_t n) {
      if (ec) return finish(ec);
      asio::async_write(s_, asio::buffer(buf_.data(), n), [this](net::error_code ec, std::size_t) {
        if (ec) return finish(ec);
        start();
      });
    });
  }
  bool finished() const { return finished_; }
  net::error_code end_reason() const { return end_; }

 private:
  void finish(net::error_code ec) {
    end_ = ec;
    finished_ = true;
    if (ec == net::error::eof) (void)s_.shutdown(net::Shutdown::send);
  }
  net::TcpStream& s_;
  std::array<char, 16384> buf_{};
  bool finished_ = false;
  net::error_code end_;
};

TYPED_TEST_P(TcpStreamConformance, SmallMessageEchoesBackIntact) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  Echoer echo(*c.server);
  echo.start();
  const std::string msg = "hello, simsock\n";
  ASSERT_FALSE(this->write_all(*c.client, msg));
  auto [ec, echoed] = this->read_exactly(*c.client, msg.size());
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(echoed, msg);
}

TYPED_TEST_P(TcpStreamConformance, OneMebibyteEchoesBackIntactAndInOrder) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  Echoer echo(*c.server);
  echo.start();
  const std::string data = pattern_bytes(1 << 20, 7);
  std::string back(data.size(), '\0');
  WriteDone wrote;
  ReadDone read;
  // Read while writing: the echo cannot make progress unless somebody drains its replies.
  asio::async_write(*c.client, asio::buffer(data), wrote.handler());
  asio::async_read(*c.client, asio::buffer(back), read.handler());
  ASSERT_TRUE(this->run_until([&] { return wrote.done() && read.done(); }));
  EXPECT_FALSE(wrote.get<0>()) << wrote.get<0>().message();
  EXPECT_FALSE(read.get<0>()) << read.get<0>().message();
  EXPECT_EQ(read.get<1>(), data.size());
  EXPECT_TRUE(back == data) << "echoed bytes differ from the bytes sent";
  // Closing our side ends the echo cleanly: it sees eof and half-closes back.
  EXPECT_FALSE(c.client->shutdown(net::Shutdown::send));
  ASSERT_TRUE(this->run_until([&] { return echo.finished(); }));
  EXPECT_EQ(echo.end_reason(), net::error::eof);
  EXPECT_EQ(this->read_some(*c.client, 16).first, net::error::eof);
}

TYPED_TEST_P(TcpStreamConformance, ReadReturnsEverythingThatHasArrivedInOneCall) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.server, "abc"));
  ASSERT_FALSE(this->write_all(*c.server, "def"));
  ASSERT_FALSE(this->write_all(*c.server, "ghi"));
  this->let_data_arrive();
  // Three writes, one read: a stream keeps no message boundaries.
  auto [ec, got] = this->read_some(*c.client, 100);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(got, "abcdefghi");
}

TYPED_TEST_P(TcpStreamConformance, ReadReturnsAtMostTheBufferSizeAndKeepsTheRest) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.server, "0123456789"));
  this->let_data_arrive();
  EXPECT_EQ(this->read_some(*c.client, 4).second, "0123");
  EXPECT_EQ(this->read_some(*c.client, 4).second, "4567");
  EXPECT_EQ(this->read_some(*c.client, 4).second, "89");
}

TYPED_TEST_P(TcpStreamConformance, PendingReadCompletesWithoutWaitingForAFullBuffer) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  std::string buf(1000, '\0');
  ReadDone r;
  c.client->async_read_some(asio::buffer(buf), r.handler());
  ASSERT_FALSE(this->write_all(*c.server, "12345"));
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_FALSE(r.get<0>()) << r.get<0>().message();
  ASSERT_GE(r.get<1>(), 1u);
  ASSERT_LE(r.get<1>(), 5u);
  EXPECT_EQ(buf.substr(0, r.get<1>()), std::string("12345").substr(0, r.get<1>()));
}

TYPED_TEST_P(TcpStreamConformance, EmptyReadCompletesWithZeroBytesAndNoError) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  auto [ec, got] = this->read_some(*c.client, 0);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(got, "");
}

TYPED_TEST_P(TcpStreamConformance, ReaderGetsAllDataThenEofAfterThePeerCloses) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  const std::string data = pattern_bytes(256 * 1024, 3);
  // The write completes before the reader reads: close() must still deliver what is queued.
  WriteDone wrote;
  asio::async_write(*c.server, asio::buffer(data), wrote.handler());
  std::string got(data.size(), '\0');
  ReadDone read;
  asio::async_read(*c.client, asio::buffer(got), read.handler());
  ASSERT_TRUE(this->run_until([&] { return wrote.done(); }));
  ASSERT_FALSE(wrote.get<0>()) << wrote.get<0>().message();
  c.server->close();
  EXPECT_FALSE(c.server->is_open());
  ASSERT_TRUE(this->run_until([&] { return read.done(); }));
  EXPECT_FALSE(read.get<0>()) << read.get<0>().message();
  EXPECT_TRUE(got == data);
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::eof);
  // eof is sticky: asking again says eof again, at once (no network event is needed to know it).
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof) << "read " << i;
  }
}

TYPED_TEST_P(TcpStreamConformance, ReadFailsWithConnectionResetAfterThePeerAborts) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ReadDone r;
  std::array<char, 16> buf{};
  c.client->async_read_some(asio::buffer(buf), r.handler());
  c.server->abort();
  EXPECT_FALSE(c.server->is_open());
  ASSERT_TRUE(this->run_until([&] { return r.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::connection_reset);
  // The connection is gone: shutting it down has nothing left to act on.
  EXPECT_EQ(c.client->shutdown(net::Shutdown::send), net::error::not_connected);
}

TYPED_TEST_P(TcpStreamConformance, AbortAfterDataEndsInConnectionResetNotEof) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.server, "early"));
  this->let_data_arrive();
  c.server->abort();
  this->let_data_arrive();
  // Data already delivered may still be read first, but the stream ends in a reset, not eof.
  net::error_code ec;
  for (int i = 0; i < 3 && !ec; ++i) ec = this->read_some(*c.client, 100).first;
  EXPECT_EQ(ec, net::error::connection_reset);
}

TYPED_TEST_P(TcpStreamConformance, CloseWithUnreadReceivedDataResetsTheConnection) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.client, "never read"));
  this->let_data_arrive();
  // Real TCP stacks answer a close() that would throw away unread data with RST, not FIN.
  c.server->close();
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::connection_reset);
}

TYPED_TEST_P(TcpStreamConformance, HalfCloseDeliversEofWhileThePeerCanStillReply) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.client, "question"));
  EXPECT_FALSE(c.client->shutdown(net::Shutdown::send));
  auto [ec1, q] = this->read_exactly(*c.server, 8);
  EXPECT_FALSE(ec1) << ec1.message();
  EXPECT_EQ(q, "question");
  EXPECT_EQ(this->read_some(*c.server, 100).first, net::error::eof);
  ASSERT_FALSE(this->write_all(*c.server, "answer"));
  c.server->close();
  auto [ec2, a] = this->read_exactly(*c.client, 6);
  EXPECT_FALSE(ec2) << ec2.message();
  EXPECT_EQ(a, "answer");
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::eof);
}

TYPED_TEST_P(TcpStreamConformance, WriteAfterOwnShutdownSendFailsWithBrokenPipe) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.client->shutdown(net::Shutdown::send));
  WriteDone w;
  c.client->async_write_some(asio::buffer("late", 4), w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_EQ(w.get<0>(), net::error::broken_pipe);
  EXPECT_EQ(w.get<1>(), 0u);
}

TYPED_TEST_P(TcpStreamConformance, EndpointsOfTheTwoEndsMirrorEachOther) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  const net::Endpoint listening = c.listener->local_endpoint();
  EXPECT_EQ(listening.address, this->backend().server_address());
  EXPECT_NE(listening.port, 0);
  EXPECT_EQ(c.client->remote_endpoint(), listening);
  EXPECT_EQ(c.server->local_endpoint(), listening);
  EXPECT_EQ(c.server->remote_endpoint(), c.client->local_endpoint());
  EXPECT_EQ(c.client->local_endpoint().address, this->backend().client_address());
  EXPECT_NE(c.client->local_endpoint().port, 0);
  EXPECT_TRUE(c.client->is_open());
  EXPECT_TRUE(c.server->is_open());
}

REGISTER_TYPED_TEST_SUITE_P(
    TcpStreamConformance, SmallMessageEchoesBackIntact, OneMebibyteEchoesBackIntactAndInOrder,
    ReadReturnsEverythingThatHasArrivedInOneCall, ReadReturnsAtMostTheBufferSizeAndKeepsTheRest,
    PendingReadCompletesWithoutWaitingForAFullBuffer, EmptyReadCompletesWithZeroBytesAndNoError,
    ReaderGetsAllDataThenEofAfterThePeerCloses, ReadFailsWithConnectionResetAfterThePeerAborts,
    AbortAfterDataEndsInConnectionResetNotEof, CloseWithUnreadReceivedDataResetsTheConnection,
    HalfCloseDeliversEofWhileThePeerCanStillReply, WriteAfterOwnShutdownSendFailsWithBrokenPipe,
    EndpointsOfTheTwoEndsMirrorEachOther);

}  // namespace simsock::conformance
