// The network interface apps are written against. Two backends implement it: real OS sockets
// (net/asio_network.hpp) and the deterministic simulator (sim/). Apps never touch either directly.
//
// Asynchronous operations take any Asio completion token: a callback, `asio::use_awaitable`,
// `asio::deferred`, `asio::use_future`, ... Each public `async_x(args..., token)` template forwards
// to a private virtual `x_impl(args..., any_completion_handler<...>)` that the backend implements.
//
// Promises that hold on both backends:
//  - A completion handler is never invoked inside the call that starts the operation; it runs
//    through its associated executor (by default, the network's executor).
//  - Errors are reported as error_code values from net/errors.hpp, the same value for the same
//    situation on both backends. Nothing in this interface throws for network conditions.
//  - At most one read-side and one write-side operation may be outstanding per object at a time
//    (as with Asio sockets). Starting a second one of the same kind is a programming error.
//  - Destroying an object cancels its outstanding operations: their handlers are destroyed
//    without being invoked (as when an io_context is destroyed) or complete with
//    operation_aborted; after destruction nothing refers to the object.
//  - Every operation honours the handler's associated cancellation slot
//    (asio::bind_cancellation_slot, awaitable operators such as `read || timer`): emitting
//    cancellation completes the pending operation with operation_aborted.
//  - tests/net/conformance_suite.hpp checks these promises on each backend; docs/errors.md lists
//    every error each operation reports.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <simsock/net/detail/io_completion.hpp>
#include <simsock/net/detail/queue_completion.hpp>
#include <simsock/net/endpoint.hpp>
#include <simsock/net/errors.hpp>
#include <simsock/net/handler_queue.hpp>

namespace simsock::net {

namespace asio = boost::asio;

namespace detail {
// The first non-empty buffer of a buffer sequence (or an empty one): *_some operations transfer
// "some" bytes, so using only the first buffer keeps their meaning.
template <typename Buffers>
auto first_buffer(const Buffers& buffers) {
  using buffer_type = std::decay_t<decltype(*asio::buffer_sequence_begin(buffers))>;
  for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
       ++it) {
    buffer_type b(*it);
    if (b.size() != 0) return b;
  }
  return buffer_type();
}

// Calls next(handler), except that a handler whose associated executor is an any_io_executor
// wrapping an io_context's executor or a net::QueueExecutor (coroutines and handlers on an
// io_context, or on a handler queue such as the simulator's) is first bound to that executor
// itself: the same executor, but of a concrete type. Backends look a handler's executor up through
// any_completion_handler, which returns it wrapped in an any_completion_executor; wrapping an
// any_io_executor heap-allocates (Asio 1.81), wrapping the concrete executor does not. That
// allocation was the largest cost net/ added to a socket operation on real sockets (W6), and 15% of
// a simulated one (W1).
//
// With `queued` (an operation that takes a QueueCompletion<Signature>), a handler on a
// QueueExecutor goes to `queued` instead, wrapped in a QueueCompletion: no any_completion_handler
// at all, whose allocation, executor lookups and indirect calls were a quarter of a simulated
// operation's cost.
// With `io` (an operation that takes an IoCompletion<Signature>), a handler on an io_context's
// executor goes to `io` the same way, wrapped in an IoCompletion: on real sockets
// any_completion_handler and its executor lookups were most of what net/ added to an operation
// over raw Asio (W6).
// asio::bind_executor(ex, h), except that a handler already bound to an executor is bound anew
// (its target keeps its other associations).
template <typename T>
inline constexpr bool is_executor_binder = false;
template <typename T, typename E>
inline constexpr bool is_executor_binder<asio::executor_binder<T, E>> = true;
template <typename Executor, typename Handler>
auto bind_concrete(const Executor& ex, Handler&& h) {
  if constexpr (is_executor_binder<std::decay_t<Handler>>) {
    return asio::bind_executor(ex, std::move(h.get()));
  } else {
    return asio::bind_executor(ex, std::forward<Handler>(h));
  }
}

template <typename Signature, typename Handler, typename Next, typename Queued, typename Io>
void route_handler(Handler&& handler, Next&& next, Queued&& queued, Io&& io) {
  using H = std::decay_t<Handler>;
  using Ex = asio::associated_executor_t<H>;
  using IoEx = asio::io_context::executor_type;
  constexpr bool has_queued = !std::is_same_v<std::decay_t<Queued>, std::nullptr_t>;
  constexpr bool has_io = !std::is_same_v<std::decay_t<Io>, std::nullptr_t>;
  if constexpr (has_io && std::is_same_v<Ex, IoEx>) {
    const IoEx ex = asio::get_associated_executor(handler);
    auto slot = asio::get_associated_cancellation_slot(handler);
    return std::forward<Io>(io)(IoCompletion<Signature>(std::forward<Handler>(handler), ex, slot));
  } else if constexpr (has_queued && std::is_same_v<Ex, QueueExecutor<false>>) {
    const QueueExecutor<false> ex = asio::get_associated_executor(handler);
    auto slot = asio::get_associated_cancellation_slot(handler);
    return std::forward<Queued>(queued)(
        QueueCompletion<Signature>(std::forward<Handler>(handler), ex.queue(), slot));
  } else if constexpr (std::is_same_v<Ex, asio::any_io_executor>) {
    // The type checks compare type_info addresses (target<T>() alone falls back to comparing
    // type names with strcmp on every mismatch); where the addresses differ for the same type
    // (across shared libraries) the handler just keeps its any_io_executor. Once the type is
    // known, target<void>() is the target itself, without target<T>()'s second type check.
    const asio::any_io_executor ex = asio::get_associated_executor(handler);
    const std::type_info& target = ex.target_type();
    if (&target == &typeid(QueueExecutor<false>)) {
      HandlerQueue& queue =
          static_cast<const QueueExecutor<false>*>(ex.template target<void>())->queue();
      if constexpr (!has_queued) {
        return std::forward<Next>(next)(
            bind_concrete(QueueExecutor<false>(queue), std::forward<Handler>(handler)));
      } else {
        auto slot = asio::get_associated_cancellation_slot(handler);
        return std::forward<Queued>(queued)(
            QueueCompletion<Signature>(std::forward<Handler>(handler), queue, slot));
      }
    }
    if (&target == &typeid(IoEx)) {
      const IoEx* io_ex = static_cast<const IoEx*>(ex.template target<void>());
      if constexpr (!has_io) {
        return std::forward<Next>(next)(bind_concrete(*io_ex, std::forward<Handler>(handler)));
      } else {
        auto slot = asio::get_associated_cancellation_slot(handler);
        return std::forward<Io>(io)(
            IoCompletion<Signature>(std::forward<Handler>(handler), *io_ex, slot));
      }
    }
  }
  std::forward<Next>(next)(std::forward<Handler>(handler));
}

// route_handler without a queued or io form of the operation.
template <typename Handler, typename Next>
void with_concrete_executor(Handler&& handler, Next&& next) {
  route_handler<void()>(std::forward<Handler>(handler), std::forward<Next>(next), nullptr, nullptr);
}
}  // namespace detail

// Per-connection TCP settings for Network::async_connect and Network::listen. The defaults leave
// everything to the stack, as a plain connect()/listen() does.
struct TcpOptions {
  // How long a connect may wait for the handshake before it fails with timed_out. 0: the stack's
  // SYN retries decide (Linux: 6 retries, about 127 s).
  std::chrono::nanoseconds connect_timeout{0};
  // SO_SNDBUF request in bytes (Linux doubles it for bookkeeping and clamps it to
  // net.core.wmem_max); 0: the stack's default, which grows with the connection (tcp_wmem).
  std::size_t send_buffer = 0;
  // SO_RCVBUF request in bytes (doubled and clamped to net.core.rmem_max as above); 0: default.
  std::size_t receive_buffer = 0;
};

// Which direction(s) of a TCP connection shutdown() closes.
enum class Shutdown { send, receive, both };

// One end of a TCP connection. Models Asio's AsyncReadStream and AsyncWriteStream, so
// asio::async_read, asio::async_write and asio::async_read_until work on it.
class TcpStream {
 public:
  using executor_type = asio::any_io_executor;

  TcpStream() = default;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;
  // Closes the connection if open (as close()).
  virtual ~TcpStream() = default;

  // The executor handlers run on by default.
  virtual executor_type get_executor() = 0;

  // Reads at least one and at most buffer-size bytes of what has arrived, waiting until something
  // has; bytes of several writes that have arrived come back together. Completes with (ec, n).
  // Errors: eof (peer closed its sending side; everything before it has been read; asking again
  // says eof again), connection_reset (peer aborted, or closed with data of ours unread; data
  // that arrived before the reset may be read first), operation_aborted, bad_descriptor (this
  // side closed). An empty buffer completes (not inline) with (no error, 0).
  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, asio::mutable_buffer b) {
          detail::route_handler<void(error_code, std::size_t)>(
              std::move(handler), [&](auto done) { read_some_impl(b, std::move(done)); },
              [&](auto done) { read_some_queued(b, std::move(done)); },
              [&](auto done) { read_some_io(b, std::move(done)); });
        },
        token, asio::mutable_buffer(detail::first_buffer(buffers)));
  }

  // Writes at least one and at most buffer-size bytes into the connection, waiting while the send
  // buffer is full (backpressure: a peer that does not read eventually stalls the writer until it
  // reads). Completes with (ec, n). Errors: broken_pipe (this side shut down sending, or the
  // connection is gone), connection_reset (the peer reset it), operation_aborted,
  // bad_descriptor (this side closed).
  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, asio::const_buffer b) {
          detail::route_handler<void(error_code, std::size_t)>(
              std::move(handler), [&](auto done) { write_some_impl(b, std::move(done)); },
              [&](auto done) { write_some_queued(b, std::move(done)); },
              [&](auto done) { write_some_io(b, std::move(done)); });
        },
        token, asio::const_buffer(detail::first_buffer(buffers)));
  }

  // Shuts down one or both directions. Shutdown::send sends FIN after the queued data: the peer
  // reads the data, then eof, and can still write back (half-close). Returns bad_descriptor after
  // close()/abort(), not_connected if the connection is gone (reset by the peer).
  virtual error_code shutdown(Shutdown what) = 0;

  // Closes the socket: queued data is still sent, then FIN. Outstanding operations complete with
  // operation_aborted. Idempotent. As in real TCP stacks, closing while received data is still
  // unread resets the connection instead (RST: the peer sees connection_reset).
  virtual void close() = 0;

  // Aborts the connection: the peer sees connection_reset (RST). Queued data is discarded.
  virtual void abort() = 0;

  // Completes outstanding operations with operation_aborted; the connection stays usable (no data
  // is lost: a cancelled read consumed nothing).
  virtual void cancel() = 0;

  // True until close() or abort().
  virtual bool is_open() const = 0;

  virtual Endpoint local_endpoint() const = 0;
  virtual Endpoint remote_endpoint() const = 0;

 private:
  virtual void read_some_impl(asio::mutable_buffer buffer,
                              asio::any_completion_handler<void(error_code, std::size_t)> h) = 0;
  virtual void write_some_impl(asio::const_buffer buffer,
                               asio::any_completion_handler<void(error_code, std::size_t)> h) = 0;
  // The same operations for a handler that runs on a HandlerQueue (see QueueCompletion). By
  // default they take the generic path above; a backend whose completions run from a queue
  // overrides them to store and complete such handlers without another type erasure.
  virtual void read_some_queued(asio::mutable_buffer buffer,
                                detail::QueueCompletion<void(error_code, std::size_t)>&& h) {
    read_some_impl(buffer, std::move(h));
  }
  virtual void write_some_queued(asio::const_buffer buffer,
                                 detail::QueueCompletion<void(error_code, std::size_t)>&& h) {
    write_some_impl(buffer, std::move(h));
  }
  // The same operations for a handler that runs on an io_context's own executor (see
  // IoCompletion). By default they take the generic path; the real-socket backend overrides them
  // to hand such handlers to Asio without another type erasure.
  virtual void read_some_io(asio::mutable_buffer buffer,
                            detail::IoCompletion<void(error_code, std::size_t)>&& h) {
    read_some_impl(buffer, std::move(h));
  }
  virtual void write_some_io(asio::const_buffer buffer,
                             detail::IoCompletion<void(error_code, std::size_t)>&& h) {
    write_some_impl(buffer, std::move(h));
  }
};

// A listening TCP socket.
class TcpListener {
 public:
  using executor_type = asio::any_io_executor;

  TcpListener() = default;
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  virtual ~TcpListener() = default;

  virtual executor_type get_executor() = 0;

  // Waits for the next incoming connection. Completes with (ec, stream); stream is null on error.
  // The stream's local_endpoint() is the concrete address it was reached on, even when listening
  // on the wildcard address. Errors: operation_aborted (cancel/close), bad_descriptor (closed).
  template <typename Token>
  auto async_accept(Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::unique_ptr<TcpStream>)>(
        [this](auto handler) {
          detail::with_concrete_executor(std::move(handler),
                                         [&](auto done) { accept_impl(std::move(done)); });
        },
        token);
  }

  // The bound address; the port is the real one when 0 was asked for.
  virtual Endpoint local_endpoint() const = 0;
  // Stops listening; pending accepts complete with operation_aborted. Idempotent.
  virtual void close() = 0;
  // Completes a pending accept with operation_aborted; the listener stays usable.
  virtual void cancel() = 0;

 private:
  virtual void accept_impl(
      asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)> h) = 0;
};

// What one UDP receive produced.
struct Datagram {
  std::size_t bytes = 0;      // bytes copied into the caller's buffer
  std::size_t full_size = 0;  // the datagram's size on the wire; > bytes when truncated
  Endpoint sender;
  bool truncated() const { return full_size > bytes; }
};

// A bound UDP socket. One send is one datagram; one receive returns at most one datagram.
class UdpSocket {
 public:
  using executor_type = asio::any_io_executor;

  UdpSocket() = default;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  virtual ~UdpSocket() = default;

  virtual executor_type get_executor() = 0;

  // Sends one datagram (an empty one is allowed). Completes with (ec, n) where n is the whole size
  // on success. Errors: message_size (more than 65507 bytes, on IPv6 too), invalid_argument
  // (port 0), host_unreachable, operation_aborted, bad_descriptor (closed). Success means the
  // datagram left; it may still be lost. Sending to a port nobody bound succeeds and reports
  // nothing later (the datagram is dropped at the destination).
  template <typename Token>
  auto async_send_to(asio::const_buffer buffer, const Endpoint& to, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, asio::const_buffer b, const Endpoint& dest) {
          detail::route_handler<void(error_code, std::size_t)>(
              std::move(handler), [&](auto done) { send_to_impl(b, dest, std::move(done)); },
              [&](auto done) { send_to_queued(b, dest, std::move(done)); },
              [&](auto done) { send_to_io(b, dest, std::move(done)); });
        },
        token, buffer, to);
  }

  // Waits for one datagram and copies up to buffer-size bytes of it. A longer datagram is
  // truncated (the rest is lost) and reported by Datagram::truncated(); that is not an error. An
  // empty datagram completes with bytes == full_size == 0. Errors: operation_aborted,
  // bad_descriptor (closed).
  template <typename Token>
  auto async_receive_from(asio::mutable_buffer buffer, Token&& token) {
    return asio::async_initiate<Token, void(error_code, Datagram)>(
        [this](auto handler, asio::mutable_buffer b) {
          detail::route_handler<void(error_code, Datagram)>(
              std::move(handler), [&](auto done) { receive_from_impl(b, std::move(done)); },
              [&](auto done) { receive_from_queued(b, std::move(done)); },
              [&](auto done) { receive_from_io(b, std::move(done)); });
        },
        token, buffer);
  }

  virtual Endpoint local_endpoint() const = 0;
  // Closes the socket; pending operations complete with operation_aborted. Idempotent.
  virtual void close() = 0;
  // Completes pending operations with operation_aborted; the socket stays usable.
  virtual void cancel() = 0;

 private:
  virtual void send_to_impl(asio::const_buffer buffer, const Endpoint& to,
                            asio::any_completion_handler<void(error_code, std::size_t)> h) = 0;
  virtual void receive_from_impl(asio::mutable_buffer buffer,
                                 asio::any_completion_handler<void(error_code, Datagram)> h) = 0;
  // The same operations for a handler that runs on a HandlerQueue (see TcpStream).
  virtual void send_to_queued(asio::const_buffer buffer, const Endpoint& to,
                              detail::QueueCompletion<void(error_code, std::size_t)>&& h) {
    send_to_impl(buffer, to, std::move(h));
  }
  virtual void receive_from_queued(asio::mutable_buffer buffer,
                                   detail::QueueCompletion<void(error_code, Datagram)>&& h) {
    receive_from_impl(buffer, std::move(h));
  }
  // The same operations for a handler on an io_context's own executor (see TcpStream).
  virtual void send_to_io(asio::const_buffer buffer, const Endpoint& to,
                          detail::IoCompletion<void(error_code, std::size_t)>&& h) {
    send_to_impl(buffer, to, std::move(h));
  }
  virtual void receive_from_io(asio::mutable_buffer buffer,
                               detail::IoCompletion<void(error_code, Datagram)>&& h) {
    receive_from_impl(buffer, std::move(h));
  }
};

// A one-shot timer on the network's steady clock.
class Timer {
 public:
  using executor_type = asio::any_io_executor;

  Timer() = default;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  virtual ~Timer() = default;

  virtual executor_type get_executor() = 0;

  // Sets the expiry to now() + d, cancelling a pending wait (it completes with operation_aborted).
  virtual void expires_after(std::chrono::nanoseconds d) = 0;

  // Sets the expiry to `t`, a point on the network's steady clock (Network::now()), cancelling a
  // pending wait as expires_after() does. A point already passed makes the next wait complete at
  // once (but not inline).
  virtual void expires_at(std::chrono::nanoseconds t) = 0;

  // The expiry last set, on the network's steady clock (Network::now()); 0 (the clock's origin,
  // long passed) for a timer never armed.
  virtual std::chrono::nanoseconds expiry() const = 0;

  // Waits until the expiry. Completes with (ec): no error when it expired, operation_aborted when
  // cancelled or re-armed. Completes at once (but not inline) if the expiry has passed.
  template <typename Token>
  auto async_wait(Token&& token) {
    return asio::async_initiate<Token, void(error_code)>(
        [this](auto handler) {
          detail::route_handler<void(error_code)>(
              std::move(handler), [&](auto done) { wait_impl(std::move(done)); },
              [&](auto done) { wait_queued(std::move(done)); }, nullptr);
        },
        token);
  }

  // Completes a pending wait with operation_aborted.
  virtual void cancel() = 0;

 private:
  virtual void wait_impl(asio::any_completion_handler<void(error_code)> h) = 0;
  // The same operation for a handler that runs on a HandlerQueue (see TcpStream).
  virtual void wait_queued(detail::QueueCompletion<void(error_code)>&& h) {
    wait_impl(std::move(h));
  }
};

// One host's view of the network (leveldb's Env is the model). Non-copyable; get one from a
// backend factory: make_asio_network() or a simulated host.
class Network {
 public:
  using executor_type = asio::any_io_executor;

  Network() = default;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;
  virtual ~Network() = default;

  // The executor on which handlers and coroutines of this network run (single-threaded).
  virtual executor_type get_executor() = 0;

  // Time since some fixed point, monotonic. Only useful for deltas and timeouts.
  virtual std::chrono::nanoseconds now() = 0;
  // The wall clock, UTC (real time on real sockets; the virtual wall clock in simulation).
  virtual std::chrono::system_clock::time_point wall_now() = 0;
  // The local time zone's offset from UTC at `t` (0 in simulation, which runs in UTC).
  virtual std::chrono::seconds utc_offset(std::chrono::system_clock::time_point t) = 0;

  // Starts listening on `at` (address 0.0.0.0 or :: for every address; port 0 for any free port,
  // which local_endpoint() then names) with the stack's default buffers. At most about `backlog`
  // connections wait to be accepted; further SYNs are dropped (the connecting side retries).
  // Errors: address_in_use (another listener has the port on that address),
  // address_not_available (not an address of this host).
  std::unique_ptr<TcpListener> listen(const Endpoint& at, error_code& ec, int backlog = 128) {
    return listen(at, ec, backlog, TcpOptions{});
  }
  // As above; options.send_buffer and options.receive_buffer apply to every accepted stream
  // (connect_timeout is ignored). Errors as above. An override hides the overload above unless
  // its class says `using Network::listen;`, as the backends and wrappers here do.
  virtual std::unique_ptr<TcpListener> listen(const Endpoint& at, error_code& ec, int backlog,
                                              const TcpOptions& options) = 0;

  // Connects to `to` with the stack's defaults. Completes with (ec, stream); stream is null on
  // error. The handshake costs a round trip. Errors: connection_refused (nobody listens there),
  // timed_out (no answer within the SYN retries), host_unreachable, operation_aborted (only
  // through the handler's cancellation slot).
  template <typename Token>
  auto async_connect(const Endpoint& to, Token&& token) {
    return async_connect(to, TcpOptions{}, std::forward<Token>(token));
  }

  // As above, with `options`: the buffers are requested before the SYN is sent; a nonzero
  // connect_timeout ends a handshake still unanswered after that long with timed_out (the attempt
  // is abandoned, as closing a connecting socket does). Errors as above.
  template <typename Token>
  auto async_connect(const Endpoint& to, const TcpOptions& options, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::unique_ptr<TcpStream>)>(
        [this](auto handler, const Endpoint& dest, const TcpOptions& opts) {
          detail::with_concrete_executor(
              std::move(handler), [&](auto done) { connect_impl(dest, opts, std::move(done)); });
        },
        token, to, options);
  }

  // Binds a UDP socket (port 0 for an ephemeral one). Errors: address_in_use (the port is bound),
  // address_not_available (not an address of this host).
  virtual std::unique_ptr<UdpSocket> bind_udp(const Endpoint& at, error_code& ec) = 0;

  // A new timer on this network's steady clock.
  virtual std::unique_ptr<Timer> make_timer() = 0;

  // Resolves a host name (or an address literal) to endpoints with `port`. Completes with
  // (ec, endpoints), IPv4 first, each address once; a literal resolves to itself. Errors:
  // host_not_found (the name does not exist, or has no address), host_not_found_try_again (the
  // name service did not answer in time: try again later), no_recovery (the name service failed),
  // service_not_found; real sockets may also report what from_resolver() passes through.
  template <typename Token>
  auto async_resolve(const std::string& host, std::uint16_t port, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::vector<Endpoint>)>(
        [this](auto handler, const std::string& h, std::uint16_t p) {
          detail::with_concrete_executor(std::move(handler),
                                         [&](auto done) { resolve_impl(h, p, std::move(done)); });
        },
        token, host, port);
  }

 private:
  virtual void connect_impl(
      const Endpoint& to, const TcpOptions& options,
      asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)> h) = 0;
  virtual void resolve_impl(
      const std::string& host, std::uint16_t port,
      asio::any_completion_handler<void(error_code, std::vector<Endpoint>)> h) = 0;
};

}  // namespace simsock::net
