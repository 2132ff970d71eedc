// Unit tests of small pieces of app logic against the Google Mock mocks (net/testing/): no
// network, no simulator. They also pin down the mocks' actions: completions run later, on the
// executor, never inside the initiating call.
#include <simsock/net/testing/mock_network.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>

namespace simsock {
namespace {

using namespace net::mock;
using ::testing::_;
using ::testing::InSequence;
using ::testing::Return;
namespace asio = boost::asio;

const net::Endpoint k_server{asio::ip::make_address("10.0.0.1"), 7000};

// The app logic under test: send one request line, return the reply line without its "\n", or
// the error that stopped it.
struct LineReply {
  net::error_code ec;
  std::string line;
};
asio::awaitable<LineReply> fetch_line(net::Network& net, net::Endpoint to, std::string request) {
  auto [ec, stream] = co_await net.async_connect(to, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return LineReply{ec, {}};
  request += '\n';
  auto [wec, written] = co_await asio::async_write(*stream, asio::buffer(request),
                                                   asio::as_tuple(asio::use_awaitable));
  if (wec) co_return LineReply{wec, {}};
  std::string in;
  auto [rec, n] = co_await asio::async_read_until(*stream, asio::dynamic_buffer(in), '\n',
                                                  asio::as_tuple(asio::use_awaitable));
  if (rec) co_return LineReply{rec, {}};
  co_return LineReply{{}, in.substr(0, n - 1)};
}

// Runs fetch_line to completion on `io`.
LineReply run_fetch(asio::io_context& io, net::Network& net, std::string request) {
  std::optional<LineReply> out;
  asio::co_spawn(io, fetch_line(net, k_server, std::move(request)),
                 [&](std::exception_ptr e, LineReply r) {
                   if (e) std::rethrow_exception(e);
                   out = std::move(r);
                 });
  io.run();
  EXPECT_TRUE(out.has_value()) << "fetch_line never finished";
  return out.value_or(LineReply{});
}

TEST(MockNetwork, ShortWritesAreResumedAndSplitRepliesAreJoined) {
  asio::io_context io;
  auto ex = io.get_executor();
  MockNetwork net(ex);
  auto stream = std::make_unique<MockTcpStream>(ex);
  std::string sent;
  {
    InSequence order;
    EXPECT_CALL(*stream, write_some_impl).WillOnce(WriteAtMost(ex, 3, &sent));
    EXPECT_CALL(*stream, write_some_impl).WillOnce(WriteAll(ex, &sent));
    EXPECT_CALL(*stream, read_some_impl).WillOnce(ReadData(ex, "po"));
    EXPECT_CALL(*stream, read_some_impl).WillOnce(ReadData(ex, "ng\n"));
  }
  EXPECT_CALL(net, connect_impl(k_server, _, _)).WillOnce(Connected(ex, std::move(stream)));

  LineReply r = run_fetch(io, net, "ping please");
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.line, "pong");
  EXPECT_EQ(sent, "ping please\n");
}

TEST(MockNetwork, RefusedConnectionIsReportedWithoutReading) {
  asio::io_context io;
  MockNetwork net(io.get_executor());
  EXPECT_CALL(net, connect_impl).WillOnce(Fail(io.get_executor(), net::error::connection_refused));
  LineReply r = run_fetch(io, net, "x");
  EXPECT_EQ(r.ec, net::error::connection_refused);
  EXPECT_EQ(r.line, "");
}

TEST(MockNetwork, EofBeforeTheNewlineIsAnError) {
  asio::io_context io;
  auto ex = io.get_executor();
  MockNetwork net(ex);
  auto stream = std::make_unique<MockTcpStream>(ex);
  EXPECT_CALL(*stream, write_some_impl).WillRepeatedly(WriteAll(ex));
  EXPECT_CALL(*stream, read_some_impl)
      .WillOnce(ReadData(ex, "partial"))
      .WillOnce(Fail(ex, net::error::eof));
  EXPECT_CALL(net, connect_impl).WillOnce(Connected(ex, std::move(stream)));
  LineReply r = run_fetch(io, net, "x");
  EXPECT_EQ(r.ec, net::error::eof);
}

TEST(MockNetwork, CompletionsRunLaterOnTheExecutorNeverInline) {
  asio::io_context io;
  auto ex = io.get_executor();
  MockTcpStream stream(ex);
  EXPECT_CALL(stream, read_some_impl).WillOnce(ReadData(ex, "abc"));
  char buf[8];
  int calls = 0;
  std::size_t got = 0;
  stream.async_read_some(asio::buffer(buf), [&](net::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    got = n;
    ++calls;
  });
  EXPECT_EQ(calls, 0) << "the handler ran inside async_read_some";
  io.run();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(std::string(buf, got), "abc");
}

// App logic with a timer and a UDP socket: answer one datagram after a delay, to its sender.
asio::awaitable<net::error_code> delayed_echo(net::Network& net) {
  net::error_code ec;
  auto sock = net.bind_udp(net::Endpoint{asio::ip::make_address("0.0.0.0"), 9000}, ec);
  if (ec) co_return ec;
  char buf[4];
  auto [rec, d] =
      co_await sock->async_receive_from(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
  if (rec) co_return rec;
  auto timer = net.make_timer();
  timer->expires_after(std::chrono::milliseconds(250));
  auto [tec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  if (tec) co_return tec;
  auto [sec, n] = co_await sock->async_send_to(asio::buffer(buf, d.bytes), d.sender,
                                               asio::as_tuple(asio::use_awaitable));
  co_return sec;
}

TEST(MockNetwork, UdpAndTimerMocksDriveDelayedEcho) {
  asio::io_context io;
  auto ex = io.get_executor();
  MockNetwork net(ex);
  const net::Endpoint peer{asio::ip::make_address("10.0.0.2"), 5555};
  auto sock = std::make_unique<MockUdpSocket>(ex);
  auto timer = std::make_unique<MockTimer>(ex);
  EXPECT_CALL(*sock, receive_from_impl).WillOnce(ReceiveDatagram(ex, "hello", peer));
  EXPECT_CALL(*timer, expires_after(std::chrono::nanoseconds(std::chrono::milliseconds(250))));
  EXPECT_CALL(*timer, wait_impl).WillOnce(Complete(ex, net::error_code{}));
  // The buffer held 4 bytes: the datagram was truncated to "hell", and that is what goes back.
  EXPECT_CALL(*sock, send_to_impl(_, peer, _))
      .WillOnce([ex](asio::const_buffer b, const net::Endpoint&, ReadWriteHandler h) {
        EXPECT_EQ(std::string(static_cast<const char*>(b.data()), b.size()), "hell");
        Complete(ex, net::error_code{}, b.size())(std::move(h));
      });
  EXPECT_CALL(net, bind_udp).WillOnce(Return(::testing::ByMove(std::move(sock))));
  EXPECT_CALL(net, make_timer).WillOnce(Return(::testing::ByMove(std::move(timer))));

  std::optional<net::error_code> result;
  asio::co_spawn(io, delayed_echo(net),
                 [&](std::exception_ptr, net::error_code ec) { result = ec; });
  io.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(*result) << result->message();
}

TEST(MockNetwork, TimerCancellationPropagatesTheError) {
  asio::io_context io;
  auto ex = io.get_executor();
  MockNetwork net(ex);
  auto timer = std::make_unique<MockTimer>(ex);
  auto sock = std::make_unique<MockUdpSocket>(ex);
  EXPECT_CALL(*sock, receive_from_impl)
      .WillOnce(ReceiveDatagram(ex, "hi", net::Endpoint{asio::ip::make_address("10.0.0.2"), 1}));
  EXPECT_CALL(*timer, expires_after);
  EXPECT_CALL(*timer, wait_impl).WillOnce(Fail(ex, net::error::operation_aborted));
  EXPECT_CALL(*sock, send_to_impl).Times(0);
  EXPECT_CALL(net, bind_udp).WillOnce(Return(::testing::ByMove(std::move(sock))));
  EXPECT_CALL(net, make_timer).WillOnce(Return(::testing::ByMove(std::move(timer))));
  std::optional<net::error_code> result;
  asio::co_spawn(io, delayed_echo(net),
                 [&](std::exception_ptr, net::error_code ec) { result = ec; });
  io.run();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, net::error::operation_aborted);
}

}  // namespace
}  // namespace simsock
