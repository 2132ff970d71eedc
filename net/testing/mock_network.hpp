// Google Mock mocks of the net/ interface, for unit tests of app logic with no network at all.
//
// The asynchronous operations of net/network.hpp forward to private virtual `*_impl` functions
// that receive an `asio::any_completion_handler`. The mocks declare those functions public, so a
// test sets expectations on them directly and completes the handler with one of the actions
// below. The actions keep the interface's promise: a handler never runs inside the call that
// started the operation; it is posted to the executor given to the action (normally the test's
// io_context), so the test drives everything with io.run() / io.poll().
//
//   asio::io_context io;
//   auto ex = io.get_executor();
//   MockTcpStream stream(ex);
//   EXPECT_CALL(stream, write_some_impl).WillOnce(WriteAtMost(ex, 3));   // a short write
//   EXPECT_CALL(stream, read_some_impl).WillOnce(ReadData(ex, "pong\n"));
//   EXPECT_CALL(stream, read_some_impl).WillOnce(Fail(ex, net::error::eof));
#pragma once

#include <gmock/gmock.h>

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <simsock/net/network.hpp>

namespace simsock::net::mock {

using ReadWriteHandler = asio::any_completion_handler<void(error_code, std::size_t)>;
using StreamHandler = asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)>;
using DatagramHandler = asio::any_completion_handler<void(error_code, Datagram)>;
using WaitHandler = asio::any_completion_handler<void(error_code)>;
using ResolveHandler = asio::any_completion_handler<void(error_code, std::vector<Endpoint>)>;

namespace detail {
template <typename... Args>
decltype(auto) last_argument(Args&&... args) {
  return std::get<sizeof...(Args) - 1>(std::forward_as_tuple(std::forward<Args>(args)...));
}

// Posts to `ex`, then invokes `h(values...)` through the handler's own associated executor.
template <typename Handler, typename... Values>
void post_completion(const asio::any_io_executor& ex, Handler h, Values... values) {
  asio::post(ex, [h = std::move(h), ... values = std::move(values)]() mutable {
    auto handler_ex = asio::get_associated_executor(h);
    asio::dispatch(handler_ex, [h = std::move(h), ... values = std::move(values)]() mutable {
      std::move(h)(std::move(values)...);
    });
  });
}
}  // namespace detail

// An action for any `*_impl` mock: completes the handler (the last argument) with `values`,
// later, on `ex`. Usable with WillOnce and WillRepeatedly (the values are copied per call).
template <typename... Values>
auto Complete(asio::any_io_executor ex, Values... values) {
  return [ex, values...](auto&&... args) {
    detail::post_completion(ex, std::move(detail::last_argument(args...)), values...);
  };
}

// Completes an operation with just an error: (ec) for waits, (ec, 0) for reads and writes,
// (ec, {}) for connect/accept/resolve/receive. The value after the error is default-constructed.
inline auto Fail(asio::any_io_executor ex, error_code ec) {
  return [ex, ec](auto&&... args) {
    auto&& h = detail::last_argument(args...);
    using H = std::decay_t<decltype(h)>;
    if constexpr (std::is_same_v<H, WaitHandler>) {
      detail::post_completion(ex, std::move(h), ec);
    } else if constexpr (std::is_same_v<H, ReadWriteHandler>) {
      detail::post_completion(ex, std::move(h), ec, std::size_t{0});
    } else if constexpr (std::is_same_v<H, StreamHandler>) {
      detail::post_completion(ex, std::move(h), ec, std::unique_ptr<TcpStream>());
    } else if constexpr (std::is_same_v<H, DatagramHandler>) {
      detail::post_completion(ex, std::move(h), ec, Datagram{});
    } else {
      detail::post_completion(ex, std::move(h), ec, std::vector<Endpoint>{});
    }
  };
}

// For read_some_impl: copies `data` (as much as fits) into the caller's buffer and completes with
// (no error, bytes copied). Bytes that do not fit are dropped: give each read the bytes it gets.
inline auto ReadData(asio::any_io_executor ex, std::string data) {
  return [ex, data](asio::mutable_buffer b, ReadWriteHandler h) {
    std::size_t n = std::min(b.size(), data.size());
    std::memcpy(b.data(), data.data(), n);
    detail::post_completion(ex, std::move(h), error_code{}, n);
  };
}

// For write_some_impl: accepts at most `limit` bytes of the buffer (a short write), appending
// them to `*sink` when given, and completes with (no error, bytes accepted).
inline auto WriteAtMost(asio::any_io_executor ex, std::size_t limit, std::string* sink = nullptr) {
  return [ex, limit, sink](asio::const_buffer b, ReadWriteHandler h) {
    std::size_t n = std::min(b.size(), limit);
    if (sink) sink->append(static_cast<const char*>(b.data()), n);
    detail::post_completion(ex, std::move(h), error_code{}, n);
  };
}

// For write_some_impl: accepts the whole buffer, appending it to `*sink` when given.
inline auto WriteAll(asio::any_io_executor ex, std::string* sink = nullptr) {
  return WriteAtMost(ex, static_cast<std::size_t>(-1), sink);
}

// For connect_impl and accept_impl: completes with (no error, stream). Move-only, so WillOnce.
inline auto Connected(asio::any_io_executor ex, std::unique_ptr<TcpStream> stream) {
  return [ex, stream = std::move(stream)](auto&&... args) mutable {
    detail::post_completion(ex, std::move(detail::last_argument(args...)), error_code{},
                            std::move(stream));
  };
}

// For receive_from_impl: copies `data` into the buffer (truncating like UDP does) and completes
// with the Datagram describing it, from `sender`.
inline auto ReceiveDatagram(asio::any_io_executor ex, std::string data, Endpoint sender) {
  return [ex, data, sender](asio::mutable_buffer b, DatagramHandler h) {
    Datagram d;
    d.bytes = std::min(b.size(), data.size());
    d.full_size = data.size();
    d.sender = sender;
    std::memcpy(b.data(), data.data(), d.bytes);
    detail::post_completion(ex, std::move(h), error_code{}, d);
  };
}

// ---- the mocks. get_executor() is not mocked: it returns the executor given at construction.

class MockTcpStream : public TcpStream {
 public:
  explicit MockTcpStream(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  executor_type get_executor() override { return ex_; }

  MOCK_METHOD(error_code, shutdown, (Shutdown what), (override));
  MOCK_METHOD(void, close, (), (override));
  MOCK_METHOD(void, abort, (), (override));
  MOCK_METHOD(void, cancel, (), (override));
  MOCK_METHOD(bool, is_open, (), (const, override));
  MOCK_METHOD(Endpoint, local_endpoint, (), (const, override));
  MOCK_METHOD(Endpoint, remote_endpoint, (), (const, override));
  // Private in TcpStream; public here for EXPECT_CALL.
  MOCK_METHOD(void, read_some_impl, (asio::mutable_buffer buffer, ReadWriteHandler h), (override));
  MOCK_METHOD(void, write_some_impl, (asio::const_buffer buffer, ReadWriteHandler h), (override));

 private:
  asio::any_io_executor ex_;
};

class MockTcpListener : public TcpListener {
 public:
  explicit MockTcpListener(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  executor_type get_executor() override { return ex_; }

  MOCK_METHOD(Endpoint, local_endpoint, (), (const, override));
  MOCK_METHOD(void, close, (), (override));
  MOCK_METHOD(void, cancel, (), (override));
  MOCK_METHOD(void, accept_impl, (StreamHandler h), (override));

 private:
  asio::any_io_executor ex_;
};

class MockUdpSocket : public UdpSocket {
 public:
  explicit MockUdpSocket(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  executor_type get_executor() override { return ex_; }

  MOCK_METHOD(Endpoint, local_endpoint, (), (const, override));
  MOCK_METHOD(void, close, (), (override));
  MOCK_METHOD(void, cancel, (), (override));
  MOCK_METHOD(void, send_to_impl,
              (asio::const_buffer buffer, const Endpoint& to, ReadWriteHandler h), (override));
  MOCK_METHOD(void, receive_from_impl, (asio::mutable_buffer buffer, DatagramHandler h),
              (override));

 private:
  asio::any_io_executor ex_;
};

class MockTimer : public Timer {
 public:
  explicit MockTimer(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  executor_type get_executor() override { return ex_; }

  MOCK_METHOD(void, expires_after, (std::chrono::nanoseconds d), (override));
  MOCK_METHOD(void, expires_at, (std::chrono::nanoseconds t), (override));
  MOCK_METHOD(std::chrono::nanoseconds, expiry, (), (const, override));
  MOCK_METHOD(void, cancel, (), (override));
  MOCK_METHOD(void, wait_impl, (WaitHandler h), (override));

 private:
  asio::any_io_executor ex_;
};

class MockNetwork : public Network {
 public:
  explicit MockNetwork(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  executor_type get_executor() override { return ex_; }

  MOCK_METHOD(std::chrono::nanoseconds, now, (), (override));
  MOCK_METHOD(std::chrono::system_clock::time_point, wall_now, (), (override));
  MOCK_METHOD(std::chrono::seconds, utc_offset, (std::chrono::system_clock::time_point t),
              (override));
  // listen(at, ec[, backlog]) reaches this mock with backlog 128 and default TcpOptions.
  using Network::listen;
  MOCK_METHOD(std::unique_ptr<TcpListener>, listen,
              (const Endpoint& at, error_code& ec, int backlog, const TcpOptions& options),
              (override));
  MOCK_METHOD(std::unique_ptr<UdpSocket>, bind_udp, (const Endpoint& at, error_code& ec),
              (override));
  MOCK_METHOD(std::unique_ptr<Timer>, make_timer, (), (override));
  // async_connect(to, token) reaches this mock with default TcpOptions.
  MOCK_METHOD(void, connect_impl, (const Endpoint& to, const TcpOptions& options, StreamHandler h),
              (override));
  MOCK_METHOD(void, resolve_impl, (const std::string& host, std::uint16_t port, ResolveHandler h),
              (override));

 private:
  asio::any_io_executor ex_;
};

}  // namespace simsock::net::mock
