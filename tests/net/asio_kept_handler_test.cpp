// The real-socket backend's io path keeps an outstanding operation's handler in the socket's
// shared state and hands Asio only a reference to it. These check what that must not change: a
// coroutine that owns its socket and waits on it dies with the io_context (it must not keep
// itself alive through the state), two sends outstanding at once both complete, and a handler
// that starts the next operation from its completion is not undone by the completion's clean-up.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include <simsock/net/asio_network.hpp>
#include <simsock/net/network.hpp>

namespace simsock::net {
namespace {

const Endpoint any_v4{asio::ip::make_address("127.0.0.1"), 0};

// Waits for a datagram that never comes on a socket the coroutine owns, and a read that never
// completes on a connection it owns, holding `token` meanwhile.
asio::awaitable<void> wait_forever_udp(Network& net, std::shared_ptr<int> token) {
  error_code ec;
  std::unique_ptr<UdpSocket> s = net.bind_udp(any_v4, ec);
  if (ec) co_return;
  char buf[16];
  co_await s->async_receive_from(asio::buffer(buf), asio::use_awaitable);
}

asio::awaitable<void> wait_forever_tcp(Network& net, std::shared_ptr<int> token,
                                       std::unique_ptr<TcpListener>& listener) {
  error_code ec;
  listener = net.listen(any_v4, ec, 8, TcpOptions{});
  if (ec) co_return;
  std::unique_ptr<TcpStream> c =
      co_await net.async_connect(listener->local_endpoint(), asio::use_awaitable);
  char buf[16];
  co_await c->async_read_some(asio::buffer(buf), asio::use_awaitable);
}

TEST(AsioKeptHandler, ACoroutineWaitingOnItsOwnSocketDiesWithTheIoContext) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  std::unique_ptr<TcpListener> listener;
  {
    asio::io_context io;
    auto net = make_asio_network(io);
    asio::co_spawn(io, wait_forever_udp(*net, token), asio::detached);
    asio::co_spawn(io, wait_forever_tcp(*net, std::move(token), listener), asio::detached);
    for (int k = 0; k < 100; ++k) io.poll();  // both are now waiting
    EXPECT_FALSE(watch.expired());
    listener.reset();
  }
  EXPECT_TRUE(watch.expired()) << "a coroutine frame outlived its io_context";
}

// Two sends started before either completes: the second cannot use the kept-handler slot.
asio::awaitable<void> send_twice(UdpSocket& s, Endpoint to, int& done) {
  char buf[4] = {'a', 'b', 'c', 'd'};
  co_await s.async_send_to(asio::buffer(buf, 4), to, asio::use_awaitable);
  ++done;
}

// Receives `count` datagrams, each receive started from the previous one's completion.
asio::awaitable<void> receive_n(UdpSocket& s, int count, int& received) {
  char buf[16];
  for (int k = 0; k < count; ++k) {
    Datagram d = co_await s.async_receive_from(asio::buffer(buf), asio::use_awaitable);
    if (d.bytes == 4) ++received;
  }
}

TEST(AsioKeptHandler, OverlappingSendsAndBackToBackReceivesAllComplete) {
  asio::io_context io;
  auto net = make_asio_network(io);
  error_code ec;
  auto rx = net->bind_udp(any_v4, ec);
  ASSERT_FALSE(ec);
  auto tx = net->bind_udp(any_v4, ec);
  ASSERT_FALSE(ec);
  int sent = 0, received = 0;
  asio::co_spawn(io, receive_n(*rx, 6, received), asio::detached);
  for (int k = 0; k < 6; ++k) {
    asio::co_spawn(io, send_twice(*tx, rx->local_endpoint(), sent), asio::detached);
  }
  io.run();
  EXPECT_EQ(sent, 6);
  EXPECT_EQ(received, 6);
}

}  // namespace
}  // namespace simsock::net
