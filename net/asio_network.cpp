// Real OS sockets behind net::Network. Mostly a thin forwarding layer over Boost.Asio; the parts
// that are not: UDP receive passes MSG_TRUNC to recvfrom so truncation can be reported, abort()
// sets SO_LINGER 0 so the peer sees RST, a stream answers reads after eof and writes after an
// error with a non-blocking call of its own (see AsioTcpStream), a connect timeout is a timer that
// closes the connecting socket, and every error passes through from_errno()'s vocabulary.
#include <simsock/net/asio_network.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/append.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <climits>
#include <csignal>
#include <ctime>
#include <memory>

#include <simsock/net/detail/op_storage.hpp>

namespace simsock::net {
namespace {

using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

// An IPv4 peer of a dual-stack IPv6 socket shows up as ::ffff:a.b.c.d; apps see a.b.c.d.
asio::ip::address unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}
Endpoint to_endpoint(const tcp::endpoint& e) {
  return {unmapped(e.address()), e.port()};
}
Endpoint to_endpoint(const udp::endpoint& e) {
  return {unmapped(e.address()), e.port()};
}

// normalize() for a failed operation.
error_code normalize_failure(const error_code& ec) {
  if (ec == error::eof || ec == error::operation_aborted) return ec;
  if (ec.category() == boost::system::system_category()) return from_errno(ec.value());
  return ec;
}

// Normalizes an error from the OS into the interface's vocabulary. Inline for the common case,
// success, which every completion passes through.
inline error_code normalize(const error_code& ec) {
  return ec ? normalize_failure(ec) : ec;
}

// Runs `h(args...)` through h's associated executor (default `ex`), never inline.
template <typename Handler, typename... Args>
void post_completion(const asio::any_io_executor& ex, Handler h, Args... args) {
  auto hex = asio::get_associated_executor(h, ex);
  asio::post(ex, asio::bind_executor(hex, asio::append(std::move(h), std::move(args)...)));
}

using io_executor = asio::io_context::executor_type;

// The io_context an I/O object was made on (every object here comes from AsioNetwork's io_).
template <typename IoObject>
io_executor io_executor_of(IoObject& o) {
  return static_cast<asio::io_context&>(asio::query(o.get_executor(), asio::execution::context))
      .get_executor();
}

// Starts an operation on the io path (a handler `h` on the socket's own io_context) whose handler
// the object's state keeps in `kept` while the operation is outstanding: `start(completion)`
// hands Asio a KeptCompletion of type Kept, which holds only a reference to `state`. With `kept`
// in use (another operation of that direction outstanding) `start` gets `hold(std::move(h))`
// instead, a completion that holds the handler itself, as the general path's does.
template <typename Kept, typename State, typename Sig, typename Start, typename Hold>
void start_kept(const detail::SharedRef<State>& state, detail::InlineHandler<Sig>& kept,
                detail::OpSlot& op, detail::IoCompletion<Sig>&& h, Start&& start, Hold&& hold) {
  const asio::cancellation_slot slot = h.get_cancellation_slot();
  if (kept) return start(detail::SlotCompletion(slot, op, hold(std::move(h))));
  kept = std::move(h).take_handler();
  try {
    start(detail::SlotCompletion(slot, op, Kept(state)));
  } catch (...) {
    kept.reset();
    throw;
  }
}

// What a continuation of `h` must keep of it: its cancellation slot (per-operation cancellation:
// bind_cancellation_slot, awaitable operators reach the OS-level operation) and its associated
// executor (default: the io_context's). start() hands the Asio operation the continuation `fn`
// bound to both.
//
// When h's executor is the io_context's own (the usual case: plain callbacks, coroutines spawned
// on it), `fn` is not bound to it: the operation then runs `fn` on the socket's executor, which
// is that same executor, exactly as an operation started directly on Asio would. Binding it
// anyway costs, per operation, a copy of the type-erased executor, a second work count on the
// io_context and a type-erased dispatch at completion.
template <typename Handler>
class Continuation {
 public:
  Continuation(const Handler& h, const io_executor& io_ex)
      : slot_(asio::get_associated_cancellation_slot(h)),
        // The candidate is the concrete io_context executor: wrapping it in the
        // any_completion_executor the query takes needs no allocation (an any_io_executor would).
        hex_(asio::get_associated_executor(h, io_ex)) {
    const auto* target = hex_.template target<io_executor>();
    own_executor_ = target && *target == io_ex;
  }

  template <typename Start, typename Fn>
  void start(Start&& start, Fn&& fn) {
    if (own_executor_) {
      std::forward<Start>(start)(asio::bind_cancellation_slot(slot_, std::forward<Fn>(fn)));
    } else {
      std::forward<Start>(start)(asio::bind_cancellation_slot(
          slot_, asio::bind_executor(std::move(hex_), std::forward<Fn>(fn))));
    }
  }

  // As start(start, fn), with the operation's memory from `op` (see SlotCompletion). `op` must
  // outlive the operation: fn co-owns the state that holds it.
  template <typename Start, typename Fn>
  void start(Start&& start, detail::OpSlot& op, Fn&& fn) {
    using Completion = detail::SlotCompletion<std::decay_t<Fn>>;
    if (own_executor_) {
      std::forward<Start>(start)(Completion(slot_, op, std::forward<Fn>(fn)));
    } else {
      std::forward<Start>(start)(
          asio::bind_executor(std::move(hex_), Completion(slot_, op, std::forward<Fn>(fn))));
    }
  }

 private:
  asio::associated_cancellation_slot_t<Handler> slot_;
  asio::associated_executor_t<Handler, io_executor> hex_;
  bool own_executor_;
};

// Requests the buffer sizes of `options` on an open socket or acceptor (before connect/listen, so
// the window the handshake announces already reflects them; accepted sockets inherit them).
template <typename Socket>
error_code apply_buffers(Socket& s, const TcpOptions& options) {
  auto clamp = [](std::size_t n) { return static_cast<int>(std::min<std::size_t>(n, INT_MAX)); };
  error_code ec;
  if (options.send_buffer != 0) {
    s.set_option(asio::socket_base::send_buffer_size(clamp(options.send_buffer)), ec);
    if (ec) return ec;
  }
  if (options.receive_buffer != 0) {
    s.set_option(asio::socket_base::receive_buffer_size(clamp(options.receive_buffer)), ec);
  }
  return ec;
}

// Whether a read or write result ends that direction for good: every later call gets a terminal
// answer at once (eof again; broken_pipe after an error). Cancellation ends nothing.
bool ends_direction(const error_code& ec) {
  return ec && ec != error::operation_aborted;
}

// A connected stream. After a read returned eof or an error, and after a write failed, Asio's epoll
// reactor (Boost 1.81) stops trying the call at once and waits for a readiness edge that never
// comes: a second read after eof would wait forever. So once a direction has ended (state_) the
// stream answers the next call itself with one non-blocking recv/send and posts what the kernel
// says: eof again, broken_pipe after a reported error, data that arrived after shutdown(receive).
// Only if the kernel would block (the direction came back to life) does it wait through Asio again.
class AsioTcpStream final : public TcpStream {
 public:
  explicit AsioTcpStream(tcp::socket s) : sock_(std::move(s)) {
    error_code ec;
    sock_.set_option(tcp::no_delay(true), ec);
    // Makes the synchronous calls on ended directions return would_block instead of waiting.
    sock_.non_blocking(true, ec);
    auto l = sock_.local_endpoint(ec);
    if (!ec) local_ = to_endpoint(l);
    auto r = sock_.remote_endpoint(ec);
    if (!ec) remote_ = to_endpoint(r);
  }
  ~AsioTcpStream() override { close(); }

  executor_type get_executor() override { return sock_.get_executor(); }

  error_code shutdown(Shutdown what) override {
    if (!sock_.is_open()) return error::bad_descriptor;
    error_code ec;
    sock_.shutdown(what == Shutdown::send      ? tcp::socket::shutdown_send
                   : what == Shutdown::receive ? tcp::socket::shutdown_receive
                                               : tcp::socket::shutdown_both,
                   ec);
    return normalize(ec);
  }

  void close() override {
    error_code ec;
    if (sock_.is_open()) sock_.close(ec);
  }

  void abort() override {
    if (!sock_.is_open()) return;
    error_code ec;
    sock_.set_option(asio::socket_base::linger(true, 0), ec);
    sock_.close(ec);
  }

  void cancel() override {
    error_code ec;
    sock_.cancel(ec);
  }

  bool is_open() const override { return sock_.is_open(); }
  Endpoint local_endpoint() const override { return local_; }
  Endpoint remote_endpoint() const override { return remote_; }

 private:
  // What the stream shares with its pending completions, which may run after the stream is gone:
  // which directions have ended (see the class comment), and the memory of the outstanding read
  // and write operations (reused from one operation to the next).
  struct State {
    int refs = 1;
    bool read_ended = false;
    bool write_ended = false;
    detail::OpSlot read_op, write_op;
    // The handlers of the outstanding read and write on the io path; empty when none is.
    detail::InlineHandler<void(error_code, std::size_t)> read_kept, write_kept;
  };

  // The io path's completions (KeptCompletion): note an ended direction, normalize the error,
  // call the handler the state kept.
  static void finish_read(State& s, error_code ec, std::size_t n) {
    if (ends_direction(ec)) s.read_ended = true;
    std::move(s.read_kept)(normalize(ec), n);
  }
  static void finish_write(State& s, error_code ec, std::size_t n) {
    if (ends_direction(ec)) s.write_ended = true;
    std::move(s.write_kept)(normalize(ec), n);
  }
  using KeptRead = detail::KeptCompletion<State, &State::read_kept, &finish_read>;
  using KeptWrite = detail::KeptCompletion<State, &State::write_kept, &finish_write>;

  // The continuation of a read: notes an ended direction, normalizes the error. It co-owns the
  // state, which holds the operation's memory.
  template <typename Handler>
  auto read_done(Handler h) {
    return [h = std::move(h), state = state_](error_code ec, std::size_t n) mutable {
      if (ends_direction(ec)) state->read_ended = true;
      std::move(h)(normalize(ec), n);
    };
  }

  void read_some_impl(asio::mutable_buffer b,
                      asio::any_completion_handler<void(error_code, std::size_t)> h) override {
    if (!sock_.is_open())
      return post_completion(get_executor(), std::move(h), error_code(error::bad_descriptor),
                             std::size_t{0});
    if (state_->read_ended && b.size() != 0) {
      error_code ec;
      const std::size_t n = sock_.receive(b, 0, ec);
      if (ec != asio::error::would_block) {
        return post_completion(get_executor(), std::move(h), normalize(ec), n);
      }
      state_->read_ended = false;
    }
    Continuation c(h, io_ex_);
    c.start([&](auto fn) { sock_.async_read_some(b, std::move(fn)); }, state_->read_op,
            read_done(std::move(h)));
  }

  // A handler on an io_context's own executor. On this socket's io_context, where Asio runs the
  // operation's completion, the handler is called there directly (as Continuation does for such a
  // handler) with its cancellation slot, and is never put in an any_completion_handler. Anything
  // else (another io_context, a closed socket, an ended direction) takes the generic path.
  void read_some_io(asio::mutable_buffer b,
                    detail::IoCompletion<void(error_code, std::size_t)>&& h) override {
    if (state_->read_ended || h.get_executor() != io_ex_ || !sock_.is_open())
      return read_some_impl(b, std::move(h));
    start_kept<KeptRead>(
        state_, state_->read_kept, state_->read_op, std::move(h),
        [&](auto done) { sock_.async_read_some(b, std::move(done)); },
        [&](auto held) { return read_done(std::move(held)); });
  }

  // As read_done, for a write.
  template <typename Handler>
  auto write_done(Handler h) {
    return [h = std::move(h), state = state_](error_code ec, std::size_t n) mutable {
      if (ends_direction(ec)) state->write_ended = true;
      std::move(h)(normalize(ec), n);
    };
  }

  void write_some_impl(asio::const_buffer b,
                       asio::any_completion_handler<void(error_code, std::size_t)> h) override {
    if (!sock_.is_open())
      return post_completion(get_executor(), std::move(h), error_code(error::bad_descriptor),
                             std::size_t{0});
    if (state_->write_ended && b.size() != 0) {
      error_code ec;
      const std::size_t n = sock_.send(b, 0, ec);
      if (ec != asio::error::would_block) {
        return post_completion(get_executor(), std::move(h), normalize(ec), n);
      }
      state_->write_ended = false;
    }
    Continuation c(h, io_ex_);
    c.start([&](auto fn) { sock_.async_write_some(b, std::move(fn)); }, state_->write_op,
            write_done(std::move(h)));
  }

  // As read_some_io.
  void write_some_io(asio::const_buffer b,
                     detail::IoCompletion<void(error_code, std::size_t)>&& h) override {
    if (state_->write_ended || h.get_executor() != io_ex_ || !sock_.is_open())
      return write_some_impl(b, std::move(h));
    start_kept<KeptWrite>(
        state_, state_->write_kept, state_->write_op, std::move(h),
        [&](auto done) { sock_.async_write_some(b, std::move(done)); },
        [&](auto held) { return write_done(std::move(held)); });
  }

  tcp::socket sock_;
  io_executor io_ex_ = io_executor_of(sock_);
  Endpoint local_, remote_;
  detail::SharedRef<State> state_ = detail::SharedRef<State>::adopt(new State);
};

// A connect with a timeout: the socket and the timer that closes it if the handshake has not
// finished in time. Shared by the two completions; whichever runs first settles the outcome.
struct TimedConnect {
  explicit TimedConnect(asio::io_context& io) : sock(io), timer(io) {}
  tcp::socket sock;
  asio::steady_timer timer;
  bool timed_out = false;
};

class AsioTcpListener final : public TcpListener {
 public:
  explicit AsioTcpListener(tcp::acceptor a) : acceptor_(std::move(a)) {}
  ~AsioTcpListener() override { close(); }

  executor_type get_executor() override { return acceptor_.get_executor(); }
  Endpoint local_endpoint() const override {
    error_code ec;
    auto e = acceptor_.local_endpoint(ec);
    return ec ? Endpoint{} : to_endpoint(e);
  }
  void close() override {
    error_code ec;
    if (acceptor_.is_open()) acceptor_.close(ec);
  }
  void cancel() override {
    error_code ec;
    acceptor_.cancel(ec);
  }

 private:
  void accept_impl(
      asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)> h) override {
    if (!acceptor_.is_open()) {
      return post_completion(get_executor(), std::move(h), error_code(error::bad_descriptor),
                             std::unique_ptr<TcpStream>());
    }
    Continuation c(h, io_executor_of(acceptor_));
    c.start([&](auto fn) { acceptor_.async_accept(std::move(fn)); },
            [h = std::move(h)](error_code ec, tcp::socket s) mutable {
              if (ec) return std::move(h)(normalize(ec), std::unique_ptr<TcpStream>());
              std::move(h)(ec, std::unique_ptr<TcpStream>(new AsioTcpStream(std::move(s))));
            });
  }

  tcp::acceptor acceptor_;
};

class AsioUdpSocket final : public UdpSocket {
 public:
  AsioUdpSocket(udp::socket s, bool v6) : sock_(std::move(s)), v6_(v6) {
    error_code ec;
    sock_.non_blocking(true, ec);
  }
  ~AsioUdpSocket() override { close(); }

  executor_type get_executor() override { return sock_.get_executor(); }
  Endpoint local_endpoint() const override {
    error_code ec;
    auto e = sock_.local_endpoint(ec);
    return ec ? Endpoint{} : to_endpoint(e);
  }
  void close() override {
    error_code ec;
    if (sock_.is_open()) sock_.close(ec);
  }
  void cancel() override {
    error_code ec;
    sock_.cancel(ec);
  }

 private:
  // The continuation of a send. `state` keeps send_op, the operation's memory, alive until the
  // operation is done.
  template <typename Handler>
  auto send_done(Handler h) {
    return [h = std::move(h), state = state_](error_code ec, std::size_t n) mutable {
      std::move(h)(normalize(ec), n);
    };
  }

  void send_to_impl(asio::const_buffer b, const Endpoint& to,
                    asio::any_completion_handler<void(error_code, std::size_t)> h) override {
    if (!sock_.is_open())
      return post_completion(get_executor(), std::move(h), error_code(error::bad_descriptor),
                             std::size_t{0});
    if (b.size() > max_datagram) {
      return post_completion(get_executor(), std::move(h), error_code(error::message_size),
                             std::size_t{0});
    }
    const udp::endpoint dest = destination(to);
    Continuation c(h, io_ex_);
    c.start([&](auto fn) { sock_.async_send_to(b, dest, std::move(fn)); }, state_->send_op,
            send_done(std::move(h)));
  }

  // A handler on an io_context's own executor: as AsioTcpStream::read_some_io. A second send
  // while one is outstanding hands Asio its handler, as the general path does.
  void send_to_io(asio::const_buffer b, const Endpoint& to,
                  detail::IoCompletion<void(error_code, std::size_t)>&& h) override {
    if (b.size() > max_datagram || h.get_executor() != io_ex_ || !sock_.is_open())
      return send_to_impl(b, to, std::move(h));
    start_kept<KeptSend>(
        state_, state_->send_kept, state_->send_op, std::move(h),
        [&](auto done) { sock_.async_send_to(b, destination(to), std::move(done)); },
        [&](auto held) { return send_done(std::move(held)); });
  }

  // The largest UDP payload over IPv4, applied to IPv6 too (network.hpp).
  static constexpr std::size_t max_datagram = 65507;

  // Where a datagram for `to` goes: an IPv4 destination of an IPv6 socket as a v4-mapped address.
  udp::endpoint destination(const Endpoint& to) const {
    if (v6_ && to.address.is_v4()) {
      return udp::endpoint(asio::ip::make_address_v6(asio::ip::v4_mapped, to.address.to_v4()),
                           to.port);
    }
    return udp::endpoint(to.address, to.port);
  }

  // The continuation of a receive into a buffer of `size` bytes.
  template <typename Handler>
  auto receive_done(Handler h, std::size_t size) {
    return [h = std::move(h), size, state = state_](error_code ec, std::size_t n) mutable {
      if (ec) return std::move(h)(normalize(ec), Datagram{});
      Datagram d;
      d.full_size = n;
      d.bytes = std::min(n, size);
      d.sender = to_endpoint(state->sender);
      std::move(h)(ec, d);
    };
  }

  void receive_from_impl(asio::mutable_buffer b,
                         asio::any_completion_handler<void(error_code, Datagram)> h) override {
    if (!sock_.is_open())
      return post_completion(get_executor(), std::move(h), error_code(error::bad_descriptor),
                             Datagram{});
    // MSG_TRUNC (Linux): recvfrom returns the datagram's real length even when the buffer is
    // shorter, which is how truncation is reported. Asio's own receive attempts the read first and
    // waits in epoll only when nothing is queued, as a receive written directly on Asio does.
    // The sender is read only after a successful receive, from storage the handler co-owns: a
    // receive that completed before the socket was destroyed still finds it.
    Continuation c(h, io_ex_);
    c.start([&](auto fn) { sock_.async_receive_from(b, state_->sender, MSG_TRUNC, std::move(fn)); },
            state_->receive_op, receive_done(std::move(h), b.size()));
  }

  // A handler on an io_context's own executor: as AsioTcpStream::read_some_io.
  void receive_from_io(asio::mutable_buffer b,
                       detail::IoCompletion<void(error_code, Datagram)>&& h) override {
    if (h.get_executor() != io_ex_ || !sock_.is_open()) return receive_from_impl(b, std::move(h));
    if (!state_->receive_kept) state_->receive_size = b.size();  // for the kept receive only
    start_kept<KeptReceive>(
        state_, state_->receive_kept, state_->receive_op, std::move(h),
        [&](auto done) { sock_.async_receive_from(b, state_->sender, MSG_TRUNC, std::move(done)); },
        [&](auto held) { return receive_done(std::move(held), b.size()); });
  }

  udp::socket sock_;
  io_executor io_ex_ = io_executor_of(sock_);
  // What the socket shares with its pending completions, which may run after the socket is gone:
  // where the datagram being received came from, and the memory of the outstanding send and
  // receive operations (reused from one operation to the next).
  struct State {
    int refs = 1;
    udp::endpoint sender;
    detail::OpSlot send_op, receive_op;
    // The handlers of the outstanding send and receive on the io path, and the receive's buffer
    // size; empty when none is outstanding.
    detail::InlineHandler<void(error_code, std::size_t)> send_kept;
    detail::InlineHandler<void(error_code, Datagram)> receive_kept;
    std::size_t receive_size = 0;
  };

  // The io path's completions (KeptCompletion): the state keeps the handler meanwhile.
  static void finish_send(State& s, error_code ec, std::size_t n) {
    std::move(s.send_kept)(normalize(ec), n);
  }
  static void finish_receive(State& s, error_code ec, std::size_t n) {
    if (ec) return std::move(s.receive_kept)(normalize(ec), Datagram{});
    Datagram d;
    d.full_size = n;
    d.bytes = std::min(n, s.receive_size);
    d.sender = to_endpoint(s.sender);
    std::move(s.receive_kept)(ec, d);
  }
  using KeptSend = detail::KeptCompletion<State, &State::send_kept, &finish_send>;
  using KeptReceive = detail::KeptCompletion<State, &State::receive_kept, &finish_receive>;

  bool v6_;  // an IPv6 socket: IPv4 destinations are sent to as v4-mapped addresses
  detail::SharedRef<State> state_ = detail::SharedRef<State>::adopt(new State);
};

class AsioTimer final : public Timer {
 public:
  explicit AsioTimer(asio::io_context& io) : timer_(io) {}
  executor_type get_executor() override { return timer_.get_executor(); }
  void expires_after(std::chrono::nanoseconds d) override {
    timer_.expires_after(std::chrono::duration_cast<asio::steady_timer::duration>(d));
  }
  void expires_at(std::chrono::nanoseconds t) override {
    timer_.expires_at(asio::steady_timer::time_point(
        std::chrono::duration_cast<asio::steady_timer::duration>(t)));
  }
  std::chrono::nanoseconds expiry() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(timer_.expiry().time_since_epoch());
  }
  void cancel() override { timer_.cancel(); }

 private:
  void wait_impl(asio::any_completion_handler<void(error_code)> h) override {
    timer_.async_wait(std::move(h));
  }
  asio::steady_timer timer_;
};

class AsioNetwork final : public Network {
 public:
  explicit AsioNetwork(asio::io_context& io) : io_(io) { std::signal(SIGPIPE, SIG_IGN); }

  executor_type get_executor() override { return io_.get_executor(); }

  std::chrono::nanoseconds now() override {
    return std::chrono::steady_clock::now().time_since_epoch();
  }
  std::chrono::system_clock::time_point wall_now() override {
    return std::chrono::system_clock::now();
  }
  std::chrono::seconds utc_offset(std::chrono::system_clock::time_point t) override {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    if (!localtime_r(&tt, &local)) return std::chrono::seconds(0);
    return std::chrono::seconds(local.tm_gmtoff);
  }

  using Network::listen;
  std::unique_ptr<TcpListener> listen(const Endpoint& at, error_code& ec, int backlog,
                                      const TcpOptions& options) override {
    tcp::endpoint ep(at.address, at.port);
    tcp::acceptor a(io_);
    a.open(ep.protocol(), ec);
    if (ec) return fail(ec);
    a.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail(ec);
    ec = apply_buffers(a, options);
    if (ec) return fail(ec);
    a.bind(ep, ec);
    if (ec) return fail(ec);
    a.listen(backlog, ec);
    if (ec) return fail(ec);
    return std::make_unique<AsioTcpListener>(std::move(a));
  }

  std::unique_ptr<UdpSocket> bind_udp(const Endpoint& at, error_code& ec) override {
    udp::endpoint ep(at.address, at.port);
    udp::socket s(io_);
    s.open(ep.protocol(), ec);
    if (ec) return fail(ec);
    s.bind(ep, ec);
    if (ec) return fail(ec);
    return std::make_unique<AsioUdpSocket>(std::move(s), ep.protocol() == udp::v6());
  }

  std::unique_ptr<Timer> make_timer() override { return std::make_unique<AsioTimer>(io_); }

 private:
  static std::nullptr_t fail(error_code& ec) {
    ec = normalize(ec);
    return nullptr;
  }

  void connect_impl(
      const Endpoint& to, const TcpOptions& options,
      asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)> h) override {
    if (options.connect_timeout.count() > 0 || options.send_buffer != 0 ||
        options.receive_buffer != 0) {
      return connect_with_options(to, options, std::move(h));
    }
    auto sock = std::make_unique<tcp::socket>(io_);
    auto& s = *sock;
    Continuation c(h, io_.get_executor());
    c.start([&](auto fn) { s.async_connect(tcp::endpoint(to.address, to.port), std::move(fn)); },
            [sock = std::move(sock), h = std::move(h)](error_code ec) mutable {
              if (ec) return std::move(h)(normalize(ec), std::unique_ptr<TcpStream>());
              std::move(h)(ec, std::unique_ptr<TcpStream>(new AsioTcpStream(std::move(*sock))));
            });
  }

  void connect_with_options(
      const Endpoint& to, const TcpOptions& options,
      asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)> h) {
    const tcp::endpoint dest(to.address, to.port);
    auto state = std::make_shared<TimedConnect>(io_);
    error_code ec;
    state->sock.open(dest.protocol(), ec);
    if (!ec) ec = apply_buffers(state->sock, options);
    if (ec) {
      return post_completion(get_executor(), std::move(h), normalize(ec),
                             std::unique_ptr<TcpStream>());
    }
    if (options.connect_timeout.count() > 0) {
      state->timer.expires_after(
          std::chrono::duration_cast<asio::steady_timer::duration>(options.connect_timeout));
      state->timer.async_wait([state](error_code ec) {
        if (ec) return;  // the connect finished first and cancelled the timer
        state->timed_out = true;
        state->sock.close(ec);  // abandons the handshake; the connect completes with aborted
      });
    }
    Continuation c(h, io_.get_executor());
    c.start([&](auto fn) { state->sock.async_connect(dest, std::move(fn)); },
            [state, h = std::move(h)](error_code ec) mutable {
              state->timer.cancel();
              if (state->timed_out) ec = error::timed_out;
              if (ec) return std::move(h)(normalize(ec), std::unique_ptr<TcpStream>());
              std::move(h)(ec,
                           std::unique_ptr<TcpStream>(new AsioTcpStream(std::move(state->sock))));
            });
  }

  void resolve_impl(
      const std::string& host, std::uint16_t port,
      asio::any_completion_handler<void(error_code, std::vector<Endpoint>)> h) override {
    error_code ec;
    auto literal = asio::ip::make_address(host, ec);
    if (!ec) {
      return post_completion(get_executor(), std::move(h), error_code(),
                             std::vector<Endpoint>{{literal, port}});
    }
    auto resolver = std::make_unique<tcp::resolver>(io_);
    auto& r = *resolver;
    Continuation c(h, io_.get_executor());
    c.start([&](auto fn) { r.async_resolve(host, std::to_string(port), std::move(fn)); },
            [resolver = std::move(resolver), h = std::move(h)](
                error_code ec, tcp::resolver::results_type results) mutable {
              std::vector<Endpoint> out;
              if (!ec) {
                for (const auto& entry : results) {
                  Endpoint e = to_endpoint(entry.endpoint());
                  if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
                }
                std::stable_sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) {
                  return a.address.is_v4() && !b.address.is_v4();
                });
              }
              if (ec) {
                ec = from_resolver(ec);
              } else if (out.empty()) {
                ec = error::host_not_found;
              }
              std::move(h)(ec, std::move(out));
            });
  }

  asio::io_context& io_;
};

}  // namespace

std::unique_ptr<Network> make_asio_network(asio::io_context& io) {
  return std::make_unique<AsioNetwork>(io);
}

}  // namespace simsock::net
