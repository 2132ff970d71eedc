// Helpers shared by the apps: the reply timestamp, connecting to "HOST:PORT", writes with a stall
// limit, and the bookkeeping that lets a server's per-client coroutines outlive nothing they use.
// Everything here is written against net::Network only, so it runs unchanged on real sockets and
// in the simulator (virtual clocks).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/deferred.hpp>

#include <simsock/apps/app.hpp>
#include <simsock/net/network.hpp>

namespace simsock::apps {

// Completion token for coroutines that want (error_code, result...) instead of exceptions.
// `co_await op(use_tuple)` awaits the deferred operation in the coroutine's own frame; the
// use_awaitable token would run each operation's initiation in a coroutine frame of its own (an
// allocation, a frame switch and a resumption more per operation).
inline constexpr auto use_tuple = asio::as_tuple(asio::deferred);
// The same results through use_awaitable, for tokens wrapped in a binder (a cancellation slot),
// which deferred operations do not support here.
inline constexpr auto use_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// The default port and buffer size of the seed tutorial's programs.
inline constexpr const char* kDefaultListen = "0.0.0.0:21567";
inline constexpr const char* kDefaultBufsize = "1024";
// The largest --bufsize / --chunk of the TCP apps, and of the UDP apps (a datagram's payload is
// at most 65507 bytes).
inline constexpr std::uint64_t kMaxTcpBuffer = 64 * 1024 * 1024;
inline constexpr std::uint64_t kMaxUdpBuffer = 65536;
// The largest --max-line / --max-reply.
inline constexpr std::uint64_t kMaxMessageCap = 1024 * 1024 * 1024;
// How long a server waits for one reply write to complete before it drops the client.
inline constexpr const char* kDefaultWriteTimeout = "10s";
// How long a server waits before retrying after accept() failed (e.g. out of descriptors).
inline constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// How long a TCP client waits for a connection, a write or a reply before it gives up.
inline constexpr const char* kDefaultClientTimeout = "10s";
// How long a TCP server keeps a connection on which nothing arrives.
inline constexpr const char* kDefaultIdleTimeout = "60s";

// The seed's reply prefix "[%Y-%m-%d %H:%M:%S] " for the network's wall clock in its local time
// (UTC in simulation).
std::string timestamp_prefix(net::Network& net);

// The prefix for a local time in whole seconds: "[YYYY-MM-DD HH:MM:SS] ", the year zero-padded to
// four digits (more digits or a sign outside years 0-9999).
std::string format_timestamp_prefix(std::chrono::sys_seconds local);

// Appends timestamp_prefix(net) to `out`: servers reuse one reply buffer per connection or socket.
void append_timestamp_prefix(net::Network& net, std::string& out);

// Python's str.strip(): removes leading and trailing ASCII whitespace.
std::string_view strip(std::string_view s);

// A readable description of an error: its message, e.g. "Connection refused".
std::string describe(const net::error_code& ec);

// Resolves `host_port` ("HOST:PORT", checked by the option parser) and connects to each resolved
// endpoint in turn until one accepts. Completes with the stream, or the last error (null stream).
asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_to(
    net::Network& net, const std::string& host_port);

// As connect_to(), giving up after `limit` (0: no limit) for resolving and connecting together:
// then completes with timed_out.
asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_to(
    net::Network& net, const std::string& host_port, std::chrono::nanoseconds limit);

// Resolves "HOST:PORT" to its first endpoint (IPv4 first).
asio::awaitable<std::pair<net::error_code, net::Endpoint>> resolve_first(
    net::Network& net, const std::string& host_port);

// Calls `on_expiry` once when `after` has passed on the network's steady clock, unless the
// watchdog was destroyed or disarm()ed first. A zero duration never expires. Used to bound waits:
// the callback cancels the socket whose operation should not wait longer.
class Watchdog {
 public:
  Watchdog(net::Network& net, std::chrono::nanoseconds after, std::function<void()> on_expiry);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void disarm();
  // True when the callback ran.
  bool fired() const;

 private:
  struct State {
    bool armed = true;
    bool fired = false;
    std::function<void()> on_expiry;
  };
  std::unique_ptr<net::Timer> timer_;
  std::shared_ptr<State> state_;
};

// Bounds each wait of a series (every read and write of one connection, say) by the same limit,
// with one timer for the whole series: begin() and end() only note the time, so a wait costs no
// timer operation, and the timer wakes at most about once per `limit`. When one wait has lasted
// `limit`, `on_expiry` runs once (it cancels the operation that waits). A zero limit never
// expires. The callback never runs after the WaitLimit is destroyed.
class WaitLimit {
 public:
  WaitLimit(net::Network& net, std::chrono::nanoseconds limit, std::function<void()> on_expiry);
  ~WaitLimit();
  WaitLimit(const WaitLimit&) = delete;
  WaitLimit& operator=(const WaitLimit&) = delete;

  // A wait starts now.
  void begin();
  // The wait that began last is over.
  void end();
  // True when the callback ran.
  bool fired() const;
  std::chrono::nanoseconds limit() const;

 private:
  struct State;
  static void arm(const std::shared_ptr<State>& state, std::chrono::nanoseconds after);
  std::unique_ptr<net::Timer> timer_;
  std::shared_ptr<State> state_;
};

// One read_some on a stream whose waits `limit` bounds (its callback must cancel the stream).
// Completes with timed_out when the limit expired during this read.
asio::awaitable<std::pair<net::error_code, std::size_t>> read_some(net::TcpStream& stream,
                                                                   asio::mutable_buffer buffer,
                                                                   WaitLimit& limit);

// Writes all of `data`; fails with timed_out when one write_some made no progress for the
// limit's duration (the peer stopped reading). The limit's callback must cancel the stream.
asio::awaitable<net::error_code> write_all(net::TcpStream& stream, std::string_view data,
                                           WaitLimit& limit);

// Writes all of `data`. Fails with timed_out when the write has not completed within `limit`
// (0: no limit), e.g. because the peer stopped reading; the stream is then cancelled.
asio::awaitable<net::error_code> write_all(net::Network& net, net::TcpStream& stream,
                                           std::string_view data, std::chrono::nanoseconds limit);

// Waits `d` on the network's steady clock.
asio::awaitable<void> sleep_for(net::Network& net, std::chrono::nanoseconds d);

// What a server's main coroutine shares with its per-client coroutines. The server owns one
// ServerScope; each client coroutine holds the shared state and checks alive() after every wait,
// because in the simulator (a crash) or at shutdown the server's frame and its Stdio may be gone
// while a client coroutine is still pending.
class ServerScope {
 public:
  struct Shared {
    net::Network* net = nullptr;
    Stdio* io = nullptr;
    std::string app;
    Options options;  // a copy: valid as long as any client coroutine runs
    bool alive = true;
    std::uint64_t next_id = 0;
    std::map<std::uint64_t, net::TcpStream*> connections;  // ordered by arrival: deterministic

    // "APP: TEXT\n" on stderr, while the server is alive.
    void log(std::string_view text);
  };

  ServerScope(AppContext& ctx, std::string app);
  // Marks the state dead and aborts every registered connection.
  ~ServerScope();
  ServerScope(const ServerScope&) = delete;
  ServerScope& operator=(const ServerScope&) = delete;

  const std::shared_ptr<Shared>& shared() const { return shared_; }

 private:
  std::shared_ptr<Shared> shared_;
};

// Registers a connection with its server's scope for the registration's lifetime.
class ConnectionRegistration {
 public:
  ConnectionRegistration(std::shared_ptr<ServerScope::Shared> shared, net::TcpStream& stream);
  ~ConnectionRegistration();
  ConnectionRegistration(const ConnectionRegistration&) = delete;
  ConnectionRegistration& operator=(const ConnectionRegistration&) = delete;

 private:
  std::shared_ptr<ServerScope::Shared> shared_;
  std::uint64_t id_;
};

// A per-connection handler of a TCP server. `peer` names the client for log lines: its address
// as taken at accept (describe_peer()).
using ConnectionHandler = asio::awaitable<void> (*)(std::shared_ptr<ServerScope::Shared> shared,
                                                    std::unique_ptr<net::TcpStream> stream,
                                                    std::string peer);

// "IP:PORT" of an accepted client, or words saying it is unknown (the unspecified endpoint, for
// a connection reset before it was accepted), never "0.0.0.0:0".
std::string describe_peer(const net::Endpoint& peer);

// The common TCP server: listens on --listen, logs "listening on ADDR" on stderr, and runs
// `handler` in its own coroutine for every accepted connection, many at once. Accept errors
// (e.g. too many open files) are retried every kAcceptRetryDelay, logged once per run of
// failures. Returns 1 when it cannot listen; otherwise runs until stopped.
asio::awaitable<int> serve_tcp(AppContext& ctx, std::string app, ConnectionHandler handler);

}  // namespace simsock::apps
