// net::detail::IoCompletion: the handler form the network interface hands to a backend for
// handlers that run on an io_context's own executor, and the routing that chooses it.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <string>

#include <simsock/net/detail/io_completion.hpp>
#include <simsock/net/network.hpp>

namespace simsock::net {
namespace {

using detail::IoCompletion;
using Completion = IoCompletion<void(int, std::string)>;

TEST(IoCompletion, CallsTheHandlerOnceWithItsResultsAndKeepsItsExecutorAndSlot) {
  asio::io_context io;
  asio::cancellation_signal signal;
  int got = 0;
  std::string text;
  Completion c(
      [&](int n, std::string s) {
        got = n;
        text = std::move(s);
      },
      io.get_executor(), signal.slot());
  EXPECT_TRUE(c.get_executor() == io.get_executor());
  EXPECT_TRUE(c.get_cancellation_slot() == signal.slot());
  std::move(c)(7, "seven");
  EXPECT_EQ(got, 7);
  EXPECT_EQ(text, "seven");
}

// A handler too large for the inline storage is kept on the side, moves with the object, and is
// destroyed uncalled when the object is.
TEST(IoCompletion, ALargeHandlerMovesWithTheObjectAndDiesUncalledWithIt) {
  asio::io_context io;
  auto alive = std::make_shared<int>(0);
  std::weak_ptr<int> watch = alive;
  struct Big {
    std::shared_ptr<int> keep;
    char pad[200] = {};
    int* calls;
    void operator()(int n, std::string) { *calls += n; }
  };
  int calls = 0;
  {
    Completion a(Big{std::move(alive), {}, &calls}, io.get_executor(), {});
    Completion b(std::move(a));
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(calls, 0);
}

// A UDP socket that completes every operation itself and records which path it arrived by: the
// generic *_impl one (what a mock or wrapper overrides) or, in the subclass below, the *_io one.
class RecordingSocket : public UdpSocket {
 public:
  explicit RecordingSocket(asio::io_context& io) : io_(io) {}
  executor_type get_executor() override { return io_.get_executor(); }
  Endpoint local_endpoint() const override { return {}; }
  void close() override {}
  void cancel() override {}
  std::string path;

 private:
  void send_to_impl(asio::const_buffer b, const Endpoint&,
                    asio::any_completion_handler<void(error_code, std::size_t)> h) override {
    path += "impl ";
    asio::post(io_, [h = std::move(h), n = b.size()]() mutable { std::move(h)(error_code(), n); });
  }
  void receive_from_impl(asio::mutable_buffer,
                         asio::any_completion_handler<void(error_code, Datagram)> h) override {
    path += "impl ";
    asio::post(io_, [h = std::move(h)]() mutable {
      std::move(h)(error_code(), Datagram{3, 3, Endpoint{}});
    });
  }

 protected:
  asio::io_context& io_;
};

class IoSocket final : public RecordingSocket {
 public:
  using RecordingSocket::RecordingSocket;

 private:
  void send_to_io(asio::const_buffer b, const Endpoint&,
                  detail::IoCompletion<void(error_code, std::size_t)>&& h) override {
    path += "io ";
    asio::post(io_, [h = std::move(h), n = b.size()]() mutable { std::move(h)(error_code(), n); });
  }
};

asio::awaitable<void> send_and_receive(UdpSocket& s, std::size_t& sent, std::size_t& received) {
  char buf[8] = {};
  sent = co_await s.async_send_to(asio::buffer(buf, 5), Endpoint{}, asio::use_awaitable);
  Datagram d = co_await s.async_receive_from(asio::buffer(buf), asio::use_awaitable);
  received = d.bytes;
}

TEST(IoCompletion, ACoroutineOnTheIoContextTakesTheIoPathWhereTheBackendHasOne) {
  asio::io_context io;
  IoSocket s(io);
  std::size_t sent = 0, received = 0;
  asio::co_spawn(io, send_and_receive(s, sent, received), asio::detached);
  io.run();
  EXPECT_EQ(s.path, "io impl ");
  EXPECT_EQ(sent, 5u);
  EXPECT_EQ(received, 3u);
}

TEST(IoCompletion, ABackendThatOnlyOverridesImplStillGetsEveryOperation) {
  asio::io_context io;
  RecordingSocket s(io);
  std::size_t sent = 0, received = 0;
  asio::co_spawn(io, send_and_receive(s, sent, received), asio::detached);
  io.run();
  EXPECT_EQ(s.path, "impl impl ");
  EXPECT_EQ(sent, 5u);
  EXPECT_EQ(received, 3u);
}

TEST(IoCompletion, ACallbackBoundToTheIoContextsExecutorTakesTheIoPathAndAStrandDoesNot) {
  asio::io_context io;
  IoSocket s(io);
  char buf[4] = {};
  int done = 0;
  s.async_send_to(asio::buffer(buf), Endpoint{},
                  asio::bind_executor(io.get_executor(), [&](error_code, std::size_t) { ++done; }));
  s.async_send_to(
      asio::buffer(buf), Endpoint{},
      asio::bind_executor(asio::make_strand(io), [&](error_code, std::size_t) { ++done; }));
  io.run();
  EXPECT_EQ(s.path, "io impl ");
  EXPECT_EQ(done, 2);
}

}  // namespace
}  // namespace simsock::net
