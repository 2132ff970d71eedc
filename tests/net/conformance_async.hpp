// Conformance: the asynchronous model. Handlers never run inside the initiating call, they run on
// their associated executor, and every Asio completion token works: callbacks, C++20 coroutines
// (use_awaitable + co_spawn), asio::deferred and asio::use_future; composed operations
// (async_read_until) work on TcpStream.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <exception>
#include <future>
#include <string>
#include <variant>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class AsyncConformance : public Conformance<Backend> {};
TYPED_TEST_SUITE_P(AsyncConformance);

// Starts `op(handler)` and checks that the handler has not run when the call returns, then that
// it runs exactly once later.
template <typename Fixture, typename... Args, typename Op>
void expect_not_inline(Fixture& f, const char* what, Op op) {
  Completion<Args...> c;
  op(c.handler());
  EXPECT_FALSE(c.done()) << what << ": handler ran inside the initiating call";
  EXPECT_TRUE(f.run_until([&] { return c.done(); })) << what;
  EXPECT_EQ(c.calls(), 1) << what;
}

TYPED_TEST_P(AsyncConformance, HandlersNeverRunInsideTheInitiatingCall) {
  using net::error_code;
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  auto& f = *this;
  // Operations that could complete at once are the interesting ones.
  expect_not_inline<TestFixture, error_code, std::size_t>(
      f, "empty read", [&](auto h) { c.client->async_read_some(asio::mutable_buffer(), h); });
  expect_not_inline<TestFixture, error_code, std::size_t>(
      f, "write", [&](auto h) { c.client->async_write_some(asio::buffer("abc", 3), h); });
  this->let_data_arrive();
  std::array<char, 8> buf{};
  expect_not_inline<TestFixture, error_code, std::size_t>(
      f, "read of arrived data", [&](auto h) { c.server->async_read_some(asio::buffer(buf), h); });
  auto timer = this->client().make_timer();
  timer->expires_after(0ns);
  expect_not_inline<TestFixture, error_code>(f, "expired timer",
                                             [&](auto h) { timer->async_wait(h); });
  expect_not_inline<TestFixture, error_code, std::vector<net::Endpoint>>(
      f, "resolve literal", [&](auto h) { this->client().async_resolve("127.0.0.1", 1, h); });
  auto udp = this->bind_udp(this->client(), this->client_at(0));
  ASSERT_NE(udp, nullptr);
  const std::string too_big(70000, 'x');
  expect_not_inline<TestFixture, error_code, std::size_t>(f, "oversized send", [&](auto h) {
    udp->async_send_to(asio::buffer(too_big), this->server_at(9), h);
  });
  c.client->close();
  expect_not_inline<TestFixture, error_code, std::size_t>(
      f, "read on closed stream", [&](auto h) { c.client->async_read_some(asio::buffer(buf), h); });
  c.listener->close();
  expect_not_inline<TestFixture, error_code, std::unique_ptr<net::TcpStream>>(
      f, "accept on closed listener", [&](auto h) { c.listener->async_accept(h); });
  udp->close();
  expect_not_inline<TestFixture, error_code, net::Datagram>(
      f, "receive on closed socket",
      [&](auto h) { udp->async_receive_from(asio::buffer(buf), h); });
}

TYPED_TEST_P(AsyncConformance, HandlersRunOnTheirAssociatedExecutor) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  auto strand = asio::make_strand(this->client().get_executor());
  bool in_strand = false, done = false;
  std::array<char, 8> buf{};
  c.client->async_read_some(asio::buffer(buf),
                            asio::bind_executor(strand, [&](net::error_code, std::size_t) {
                              in_strand = strand.running_in_this_thread();
                              done = true;
                            }));
  ASSERT_FALSE(this->write_all(*c.server, "x"));
  ASSERT_TRUE(this->run_until([&] { return done; }));
  EXPECT_TRUE(in_strand);
}

inline asio::awaitable<void> echo_once(net::TcpListener& l, std::string& error) {
  auto [ec, s] = co_await l.async_accept(asio::as_tuple(asio::use_awaitable));
  if (ec) {
    error = "accept: " + ec.message();
    co_return;
  }
  std::string line;
  auto [rec, n] = co_await asio::async_read_until(*s, asio::dynamic_buffer(line), '\n',
                                                  asio::as_tuple(asio::use_awaitable));
  if (rec) {
    error = "read: " + rec.message();
    co_return;
  }
  co_await asio::async_write(*s, asio::buffer(line.data(), n), asio::use_awaitable);
}

inline asio::awaitable<std::string> ask(net::Network& net, net::Endpoint server,
                                        std::string question) {
  auto s = co_await net.async_connect(server, asio::use_awaitable);
  co_await asio::async_write(*s, asio::buffer(question), asio::use_awaitable);
  std::string answer;
  co_await asio::async_read_until(*s, asio::dynamic_buffer(answer), '\n', asio::use_awaitable);
  co_return answer;
}

TYPED_TEST_P(AsyncConformance, CoroutinesWithUseAwaitableEchoALine) {
  auto l = this->listen();
  ASSERT_NE(l, nullptr);
  std::string server_error, answer;
  bool server_done = false, client_done = false;
  asio::co_spawn(this->server().get_executor(), echo_once(*l, server_error),
                 [&](std::exception_ptr e) {
                   if (e) server_error = "server threw";
                   server_done = true;
                 });
  asio::co_spawn(this->client().get_executor(),
                 ask(this->client(), l->local_endpoint(), "line one\nline two\n"),
                 [&](std::exception_ptr e, std::string got) {
                   if (e)
                     answer = "client threw";
                   else
                     answer = got;
                   client_done = true;
                 });
  ASSERT_TRUE(this->run_until([&] { return server_done && client_done; }));
  EXPECT_EQ(server_error, "");
  EXPECT_EQ(answer, "line one\n");
}

TYPED_TEST_P(AsyncConformance, CoroutineSeesErrorsAsExceptionsWithTheSameCode) {
  const std::uint16_t port = this->unused_tcp_port();
  net::error_code seen;
  bool done = false;
  asio::co_spawn(
      this->client().get_executor(),
      [&]() -> asio::awaitable<void> {
        try {
          co_await this->client().async_connect(this->server_at(port), asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
          seen = e.code();
        }
      },
      [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(this->run_until([&] { return done; }));
  EXPECT_EQ(seen, net::error::connection_refused);
}

TYPED_TEST_P(AsyncConformance, DeferredOperationsStartWhenInvoked) {
  auto t = this->client().make_timer();
  t->expires_after(10ms);
  auto op = t->async_wait(asio::deferred);
  WaitDone w;
  std::move(op)(w.handler());
  ASSERT_TRUE(this->run_until([&] { return w.done(); }));
  EXPECT_FALSE(w.get<0>()) << w.get<0>().message();
}

TYPED_TEST_P(AsyncConformance, UseFutureDeliversResultsAndErrors) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  std::future<std::size_t> wrote =
      c.client->async_write_some(asio::buffer("hi", 2), asio::use_future);
  ASSERT_TRUE(this->run_until(
      [&] { return wrote.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
  EXPECT_EQ(wrote.get(), 2u);
  EXPECT_EQ(this->read_exactly(*c.server, 2).second, "hi");
  c.server->close();
  std::array<char, 8> buf{};
  std::future<std::size_t> read = asio::async_read(*c.client, asio::buffer(buf), asio::use_future);
  ASSERT_TRUE(this->run_until(
      [&] { return read.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
  try {
    read.get();
    ADD_FAILURE() << "reading 8 bytes of a 2-byte stream should fail with eof";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), net::error::eof);
  }
}

TYPED_TEST_P(AsyncConformance, CancellationSlotsAbortPendingOperations) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  auto udp = this->bind_udp(this->server(), this->server_at(0));
  ASSERT_NE(udp, nullptr);
  auto timer = this->client().make_timer();
  timer->expires_after(1h);
  asio::cancellation_signal read_signal, accept_signal, receive_signal, wait_signal;
  std::array<char, 16> buf{}, dbuf{};
  ReadDone r;
  AcceptDone a;
  ReceiveDone u;
  WaitDone w;
  c.client->async_read_some(asio::buffer(buf),
                            asio::bind_cancellation_slot(read_signal.slot(), r.handler()));
  c.listener->async_accept(asio::bind_cancellation_slot(accept_signal.slot(), a.handler()));
  udp->async_receive_from(asio::buffer(dbuf),
                          asio::bind_cancellation_slot(receive_signal.slot(), u.handler()));
  timer->async_wait(asio::bind_cancellation_slot(wait_signal.slot(), w.handler()));
  this->let_data_arrive();
  ASSERT_FALSE(r.done() || a.done() || u.done() || w.done());
  for (auto* s : {&read_signal, &accept_signal, &receive_signal, &wait_signal}) {
    s->emit(asio::cancellation_type::terminal);
  }
  ASSERT_TRUE(this->run_until([&] { return r.done() && a.done() && u.done() && w.done(); }));
  EXPECT_EQ(r.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(a.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(u.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(w.get<0>(), net::error::operation_aborted);
}

inline asio::awaitable<std::string> read_with_timeout(net::Network& net, net::TcpStream& s,
                                                      std::chrono::nanoseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto timer = net.make_timer();
  timer->expires_after(timeout);
  std::array<char, 16> buf{};
  auto which = co_await (s.async_read_some(asio::buffer(buf), asio::use_awaitable) ||
                         timer->async_wait(asio::use_awaitable));
  if (which.index() == 1) co_return "timeout";
  co_return std::string(buf.data(), std::get<0>(which));
}

TYPED_TEST_P(AsyncConformance, ReadRacedAgainstATimerWithAwaitableOperatorsTimesOut) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  std::string result;
  asio::co_spawn(this->client().get_executor(), read_with_timeout(this->client(), *c.client, 50ms),
                 [&](std::exception_ptr e, std::string got) { result = e ? "threw" : got; });
  ASSERT_TRUE(this->run_until([&] { return !result.empty(); }));
  EXPECT_EQ(result, "timeout");
  // When data comes first, the read wins.
  result.clear();
  asio::co_spawn(this->client().get_executor(), read_with_timeout(this->client(), *c.client, 1h),
                 [&](std::exception_ptr e, std::string got) { result = e ? "threw" : got; });
  ASSERT_FALSE(this->write_all(*c.server, "data"));
  ASSERT_TRUE(this->run_until([&] { return !result.empty(); }));
  EXPECT_EQ(result, "data");
}

REGISTER_TYPED_TEST_SUITE_P(AsyncConformance, HandlersNeverRunInsideTheInitiatingCall,
                            HandlersRunOnTheirAssociatedExecutor,
                            CoroutinesWithUseAwaitableEchoALine,
                            CoroutineSeesErrorsAsExceptionsWithTheSameCode,
                            DeferredOperationsStartWhenInvoked, UseFutureDeliversResultsAndErrors,
                            CancellationSlotsAbortPendingOperations,
                            ReadRacedAgainstATimerWithAwaitableOperatorsTimesOut);

}  // namespace simsock::conformance
