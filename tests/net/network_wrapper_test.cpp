// NetworkWrapper and the object wrappers: a network wrapped at every level still passes the whole
// conformance suite (forwarding is faithful), and a subclass can intercept single calls.
#include <simsock/net/network_wrapper.hpp>

#include <gtest/gtest.h>

#include "tests/net/asio_backend.hpp"
#include "tests/net/conformance_suite.hpp"

namespace simsock::conformance {
namespace {

// Counts the operations that went through the wrappers, so the suite run over it can be checked
// to have really used them.
struct OpCounts {
  int reads = 0, writes = 0, accepts = 0, connects = 0, sends = 0, receives = 0, waits = 0;
  int listens = 0, binds = 0, resolves = 0;
};

class CountingStream : public net::TcpStreamWrapper {
 public:
  CountingStream(std::unique_ptr<net::TcpStream> t, OpCounts& n)
      : TcpStreamWrapper(std::move(t)), n_(n) {}

 protected:
  void read_some_impl(asio::mutable_buffer b, net::ReadHandler h) override {
    ++n_.reads;
    TcpStreamWrapper::read_some_impl(b, std::move(h));
  }
  void write_some_impl(asio::const_buffer b, net::WriteHandler h) override {
    ++n_.writes;
    TcpStreamWrapper::write_some_impl(b, std::move(h));
  }

 private:
  OpCounts& n_;
};

class CountingListener : public net::TcpListenerWrapper {
 public:
  CountingListener(std::unique_ptr<net::TcpListener> t, OpCounts& n)
      : TcpListenerWrapper(std::move(t)), n_(n) {}

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    return std::make_unique<CountingStream>(std::move(s), n_);
  }
  void accept_impl(net::StreamHandler h) override {
    ++n_.accepts;
    TcpListenerWrapper::accept_impl(std::move(h));
  }

 private:
  OpCounts& n_;
};

class CountingUdp : public net::UdpSocketWrapper {
 public:
  CountingUdp(std::unique_ptr<net::UdpSocket> t, OpCounts& n)
      : UdpSocketWrapper(std::move(t)), n_(n) {}

 protected:
  void send_to_impl(asio::const_buffer b, const net::Endpoint& to, net::WriteHandler h) override {
    ++n_.sends;
    UdpSocketWrapper::send_to_impl(b, to, std::move(h));
  }
  void receive_from_impl(asio::mutable_buffer b, net::DatagramHandler h) override {
    ++n_.receives;
    UdpSocketWrapper::receive_from_impl(b, std::move(h));
  }

 private:
  OpCounts& n_;
};

class CountingTimer : public net::TimerWrapper {
 public:
  CountingTimer(std::unique_ptr<net::Timer> t, OpCounts& n) : TimerWrapper(std::move(t)), n_(n) {}

 protected:
  void wait_impl(net::WaitHandler h) override {
    ++n_.waits;
    TimerWrapper::wait_impl(std::move(h));
  }

 private:
  OpCounts& n_;
};

// Wraps every object the target makes.
class CountingNetwork : public net::NetworkWrapper {
 public:
  CountingNetwork(net::Network& target, OpCounts& n) : NetworkWrapper(target), n_(n) {}
  using NetworkWrapper::listen;
  std::unique_ptr<net::TcpListener> listen(const net::Endpoint& at, net::error_code& ec,
                                           int backlog, const net::TcpOptions& options) override {
    ++n_.listens;
    return NetworkWrapper::listen(at, ec, backlog, options);
  }
  std::unique_ptr<net::UdpSocket> bind_udp(const net::Endpoint& at, net::error_code& ec) override {
    ++n_.binds;
    return NetworkWrapper::bind_udp(at, ec);
  }

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    return std::make_unique<CountingStream>(std::move(s), n_);
  }
  std::unique_ptr<net::TcpListener> wrap(std::unique_ptr<net::TcpListener> l) override {
    return std::make_unique<CountingListener>(std::move(l), n_);
  }
  std::unique_ptr<net::UdpSocket> wrap(std::unique_ptr<net::UdpSocket> s) override {
    return std::make_unique<CountingUdp>(std::move(s), n_);
  }
  std::unique_ptr<net::Timer> wrap(std::unique_ptr<net::Timer> t) override {
    return std::make_unique<CountingTimer>(std::move(t), n_);
  }
  void connect_impl(const net::Endpoint& to, const net::TcpOptions& options,
                    net::StreamHandler h) override {
    ++n_.connects;
    NetworkWrapper::connect_impl(to, options, std::move(h));
  }
  void resolve_impl(const std::string& host, std::uint16_t port, net::ResolveHandler h) override {
    ++n_.resolves;
    NetworkWrapper::resolve_impl(host, port, std::move(h));
  }

 private:
  OpCounts& n_;
};

// The conformance Backend: the real-socket backend seen through CountingNetwork on both hosts.
// At the end of each test it checks that whatever the test did went through the wrappers.
class WrappedAsioBackend {
 public:
  ~WrappedAsioBackend() {
    if (::testing::Test::IsSkipped()) return;
    const int total = counts_.reads + counts_.writes + counts_.accepts + counts_.connects +
                      counts_.sends + counts_.receives + counts_.waits + counts_.listens +
                      counts_.binds + counts_.resolves;
    EXPECT_GT(total, 0) << "the test did nothing through the wrappers";
  }
  net::Network& server() { return server_; }
  net::Network& client() { return client_; }
  asio::ip::address server_address() const { return inner_.server_address(); }
  asio::ip::address client_address() const { return inner_.client_address(); }
  std::string server_host_name() const { return inner_.server_host_name(); }
  std::chrono::nanoseconds arrival_time() const { return inner_.arrival_time(); }
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) {
    return inner_.run_until(done, limit);
  }

 private:
  AsioBackend<false> inner_;
  OpCounts counts_;
  CountingNetwork server_{inner_.server(), counts_};
  CountingNetwork client_{inner_.client(), counts_};
};

using Wrapped = ::testing::Types<WrappedAsioBackend>;
SIMSOCK_INSTANTIATE_CONFORMANCE(WrappedAsio, Wrapped);

// ---- interception ----------------------------------------------------------------------------

// Fails the `nth` read (1-based) of every stream it wraps with `error`, without touching the
// target; every other call is forwarded.
class FailNthRead : public net::TcpStreamWrapper {
 public:
  FailNthRead(std::unique_ptr<net::TcpStream> t, int nth, net::error_code error)
      : TcpStreamWrapper(std::move(t)), nth_(nth), error_(error) {}

 protected:
  void read_some_impl(asio::mutable_buffer b, net::ReadHandler h) override {
    if (++reads_ == nth_) {
      return net::complete_later(get_executor(), std::move(h), error_, std::size_t{0});
    }
    TcpStreamWrapper::read_some_impl(b, std::move(h));
  }

 private:
  int reads_ = 0;
  int nth_;
  net::error_code error_;
};

class FailNthReadNetwork : public net::NetworkWrapper {
 public:
  using NetworkWrapper::NetworkWrapper;
  int refuse_connects = 0;  // fail this many connects with connection_refused first

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    return std::make_unique<FailNthRead>(std::move(s), 2, net::error::connection_reset);
  }
  void connect_impl(const net::Endpoint& to, const net::TcpOptions& options,
                    net::StreamHandler h) override {
    if (refuse_connects > 0) {
      --refuse_connects;
      return net::complete_later(get_executor(), std::move(h), net::error::connection_refused,
                                 std::unique_ptr<net::TcpStream>());
    }
    NetworkWrapper::connect_impl(to, options, std::move(h));
  }
};

class NetworkWrapperTest : public Conformance<AsioBackend<false>> {
 protected:
  FailNthReadNetwork wrapped_{client()};
};

TEST_F(NetworkWrapperTest, InjectedErrorHitsOnlyTheChosenReadAndOthersReachTheSocket) {
  auto l = listen();
  ASSERT_NE(l, nullptr);
  AcceptDone accepted;
  ConnectDone connected;
  l->async_accept(accepted.handler());
  wrapped_.async_connect(l->local_endpoint(), connected.handler());
  ASSERT_TRUE(run_until([&] { return accepted.done() && connected.done(); }));
  ASSERT_FALSE(connected.get<0>());
  auto& client = connected.get<1>();
  auto& server = accepted.get<1>();
  ASSERT_NE(dynamic_cast<FailNthRead*>(client.get()), nullptr);

  ASSERT_FALSE(write_all(*server, "one"));
  EXPECT_EQ(read_some(*client, 100), std::pair(net::error_code(), std::string("one")));
  ASSERT_FALSE(write_all(*server, "two"));
  // The second read is answered by the wrapper: the bytes stay in the socket...
  EXPECT_EQ(read_some(*client, 100).first, net::error::connection_reset);
  // ...and the third read, forwarded again, gets them.
  EXPECT_EQ(read_some(*client, 100), std::pair(net::error_code(), std::string("two")));
}

TEST_F(NetworkWrapperTest, InterceptedConnectFailsWithoutReachingTheTarget) {
  auto l = listen();
  ASSERT_NE(l, nullptr);
  wrapped_.refuse_connects = 1;
  AcceptDone accepted;
  l->async_accept(accepted.handler());
  ConnectDone first;
  wrapped_.async_connect(l->local_endpoint(), first.handler());
  EXPECT_FALSE(first.done()) << "an injected completion must not run inline";
  ASSERT_TRUE(run_until([&] { return first.done(); }));
  EXPECT_EQ(first.get<0>(), net::error::connection_refused);
  let_data_arrive();
  EXPECT_FALSE(accepted.done()) << "the refused connect must not have reached the listener";
  ConnectDone second;
  wrapped_.async_connect(l->local_endpoint(), second.handler());
  ASSERT_TRUE(run_until([&] { return second.done() && accepted.done(); }));
  EXPECT_FALSE(second.get<0>()) << second.get<0>().message();
}

TEST_F(NetworkWrapperTest, ConnectCompletingAfterTheWrapperIsGoneReportsAborted) {
  auto l = listen();
  ASSERT_NE(l, nullptr);
  auto wrapper = std::make_unique<net::NetworkWrapper>(client());
  ConnectDone connected;
  wrapper->async_connect(l->local_endpoint(), connected.handler());
  wrapper.reset();
  ASSERT_TRUE(run_until([&] { return connected.done(); }));
  EXPECT_EQ(connected.get<0>(), net::error::operation_aborted);
  EXPECT_EQ(connected.get<1>(), nullptr);
}

}  // namespace
}  // namespace simsock::conformance
