// Callback processes: the code runs on a Network wrapper that counts the operations pending on it
// and on every object made from it. The process body is a coroutine that calls the callback, then
// sleeps on a timer of its own (not counted) that the last completion, or exit(), cancels.
// exit() closes the live objects in the order they were made and waits until their aborted
// operations have completed, so that no handler of the process runs after it ended.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <limits>
#include <memory>
#include <optional>
#include <streambuf>
#include <vector>

#include <simsock/net/network_wrapper.hpp>
#include <simsock/sim/testing/process_body.hpp>

namespace simsock::test::detail {
namespace {

namespace asio = boost::asio;

// A streambuf appending to a string it does not own.
class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& to) : to_(to) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      to_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    to_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::string& to_;
};

// The streams of one process, over its sim::ProcessIo (which the world keeps across restarts).
class ProcessStreams {
 public:
  explicit ProcessStreams(sim::ProcessIo& io) : out_buf_(io.out), err_buf_(io.err) {}
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  AppendBuf out_buf_, err_buf_;
  std::ostream out_{&out_buf_}, err_{&err_buf_};
};

class StdioHandle final : public Stdio {
 public:
  explicit StdioHandle(sim::ProcessIo& io) : streams_(io) {}
  std::ostream& out() override { return streams_.out(); }
  std::ostream& err() override { return streams_.err(); }

 private:
  ProcessStreams streams_;
};

// Something exit() must close.
class Closable {
 public:
  virtual void close_for_exit() = 0;

 protected:
  ~Closable() = default;
};

// One run of a callback process: what is pending, what is live, how it ends.
class Activity final : public Process, public std::enable_shared_from_this<Activity> {
 public:
  explicit Activity(sim::ProcessIo& io) : streams_(io) {}

  std::ostream& out() override { return streams_.out(); }
  std::ostream& err() override { return streams_.err(); }
  void exit(int code) override {
    if (exit_code_) return;
    exit_code_ = code;
    // Closing may run code that destroys objects (which unregister): walk a copy, skip the gone.
    std::vector<Closable*> live = live_;
    for (Closable* c : live)
      if (std::find(live_.begin(), live_.end(), c) != live_.end()) c->close_for_exit();
    wake();
  }
  bool exited() const override { return exit_code_.has_value(); }

  std::optional<int> exit_code() const { return exit_code_; }
  std::size_t pending() const { return pending_; }
  void set_alarm(net::Timer* t) { alarm_ = t; }

  void add(Closable* c) { live_.push_back(c); }
  void remove(Closable* c) { live_.erase(std::find(live_.begin(), live_.end(), c)); }

  // Counts `h` as pending until it has run (or is destroyed unrun: the process died with it).
  template <typename... Args>
  asio::any_completion_handler<void(Args...)> track(asio::any_completion_handler<void(Args...)> h,
                                                    const asio::any_io_executor& ex) {
    ++pending_;
    struct Pending {
      std::shared_ptr<Activity> activity;
      explicit Pending(std::shared_ptr<Activity> a) : activity(std::move(a)) {}
      Pending(Pending&&) = default;
      ~Pending() {
        if (activity) --activity->pending_;
      }
    };
    auto as_h = net::continuation_of(h, ex);
    return as_h([h = std::move(h), p = Pending(shared_from_this())](Args... args) mutable {
      std::move(h)(std::move(args)...);
      auto a = std::move(p.activity);
      --a->pending_;
      a->wake_if_done();
    });
  }

  void wake_if_done() {
    if (pending_ == 0 || exit_code_) wake();
  }

 private:
  void wake() {
    if (alarm_) alarm_->cancel();
  }

  ProcessStreams streams_;
  std::size_t pending_ = 0;
  std::optional<int> exit_code_;
  net::Timer* alarm_ = nullptr;
  std::vector<Closable*> live_;
};

// Registers an object with the activity while both live; after exit() its operations are
// refused with operation_aborted.
class Tracked : public Closable {
 public:
  explicit Tracked(const std::shared_ptr<Activity>& a) : activity_(a) { a->add(this); }
  ~Tracked() {
    if (auto a = activity_.lock()) a->remove(this);
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;

 protected:
  // Calls `start(tracked handler)`, or completes `h` with operation_aborted after exit().
  template <typename... Args, typename Start, typename... Aborted>
  void run(asio::any_completion_handler<void(Args...)> h, const asio::any_io_executor& ex,
           Start start, Aborted&&... aborted) {
    auto a = activity_.lock();
    if (!a) return start(std::move(h));
    if (a->exited()) {
      auto t = a->track(std::move(h), ex);
      return net::complete_later(ex, std::move(t), net::error_code(net::error::operation_aborted),
                                 std::forward<Aborted>(aborted)...);
    }
    start(a->track(std::move(h), ex));
  }
  std::shared_ptr<Activity> activity() const { return activity_.lock(); }

 private:
  std::weak_ptr<Activity> activity_;
};

std::unique_ptr<net::TcpStream> track_stream(const std::shared_ptr<Activity>& a,
                                             std::unique_ptr<net::TcpStream> s);

class TrackedStream final : public net::TcpStreamWrapper, public Tracked {
 public:
  TrackedStream(std::unique_ptr<net::TcpStream> s, const std::shared_ptr<Activity>& a)
      : TcpStreamWrapper(std::move(s)), Tracked(a) {}
  void close_for_exit() override { close(); }

 protected:
  void read_some_impl(asio::mutable_buffer b, net::ReadHandler h) override {
    run(
        std::move(h), get_executor(),
        [&](net::ReadHandler t) { TcpStreamWrapper::read_some_impl(b, std::move(t)); },
        std::size_t{0});
  }
  void write_some_impl(asio::const_buffer b, net::WriteHandler h) override {
    run(
        std::move(h), get_executor(),
        [&](net::WriteHandler t) { TcpStreamWrapper::write_some_impl(b, std::move(t)); },
        std::size_t{0});
  }
};

class TrackedListener final : public net::TcpListenerWrapper, public Tracked {
 public:
  TrackedListener(std::unique_ptr<net::TcpListener> l, const std::shared_ptr<Activity>& a)
      : TcpListenerWrapper(std::move(l)), Tracked(a) {}
  void close_for_exit() override { close(); }

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    auto a = activity();
    return a ? track_stream(a, std::move(s)) : std::move(s);
  }
  void accept_impl(net::StreamHandler h) override {
    run(
        std::move(h), get_executor(),
        [&](net::StreamHandler t) { TcpListenerWrapper::accept_impl(std::move(t)); },
        std::unique_ptr<net::TcpStream>());
  }
};

class TrackedUdpSocket final : public net::UdpSocketWrapper, public Tracked {
 public:
  TrackedUdpSocket(std::unique_ptr<net::UdpSocket> s, const std::shared_ptr<Activity>& a)
      : UdpSocketWrapper(std::move(s)), Tracked(a) {}
  void close_for_exit() override { close(); }

 protected:
  void send_to_impl(asio::const_buffer b, const net::Endpoint& to, net::WriteHandler h) override {
    run(
        std::move(h), get_executor(),
        [&](net::WriteHandler t) { UdpSocketWrapper::send_to_impl(b, to, std::move(t)); },
        std::size_t{0});
  }
  void receive_from_impl(asio::mutable_buffer b, net::DatagramHandler h) override {
    run(
        std::move(h), get_executor(),
        [&](net::DatagramHandler t) { UdpSocketWrapper::receive_from_impl(b, std::move(t)); },
        net::Datagram{});
  }
};

class TrackedTimer final : public net::TimerWrapper, public Tracked {
 public:
  TrackedTimer(std::unique_ptr<net::Timer> t, const std::shared_ptr<Activity>& a)
      : TimerWrapper(std::move(t)), Tracked(a) {}
  void close_for_exit() override { cancel(); }

 protected:
  void wait_impl(net::WaitHandler h) override {
    run(std::move(h), get_executor(),
        [&](net::WaitHandler t) { TimerWrapper::wait_impl(std::move(t)); });
  }
};

std::unique_ptr<net::TcpStream> track_stream(const std::shared_ptr<Activity>& a,
                                             std::unique_ptr<net::TcpStream> s) {
  return std::make_unique<TrackedStream>(std::move(s), a);
}

// The Network callback code is given.
class TrackedNetwork final : public net::NetworkWrapper {
 public:
  TrackedNetwork(net::Network& target, std::weak_ptr<Activity> a)
      : NetworkWrapper(target), activity_(std::move(a)) {}

  using Network::listen;
  std::unique_ptr<net::TcpListener> listen(const net::Endpoint& at, net::error_code& ec,
                                           int backlog, const net::TcpOptions& options) override {
    if (auto a = activity_.lock(); a && a->exited()) {
      ec = net::error::operation_aborted;
      return nullptr;
    }
    return NetworkWrapper::listen(at, ec, backlog, options);
  }
  std::unique_ptr<net::UdpSocket> bind_udp(const net::Endpoint& at, net::error_code& ec) override {
    if (auto a = activity_.lock(); a && a->exited()) {
      ec = net::error::operation_aborted;
      return nullptr;
    }
    return NetworkWrapper::bind_udp(at, ec);
  }

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    auto a = activity_.lock();
    return a ? track_stream(a, std::move(s)) : std::move(s);
  }
  std::unique_ptr<net::TcpListener> wrap(std::unique_ptr<net::TcpListener> l) override {
    auto a = activity_.lock();
    if (!a) return l;
    return std::make_unique<TrackedListener>(std::move(l), a);
  }
  std::unique_ptr<net::UdpSocket> wrap(std::unique_ptr<net::UdpSocket> s) override {
    auto a = activity_.lock();
    if (!a) return s;
    return std::make_unique<TrackedUdpSocket>(std::move(s), a);
  }
  std::unique_ptr<net::Timer> wrap(std::unique_ptr<net::Timer> t) override {
    auto a = activity_.lock();
    if (!a) return t;
    return std::make_unique<TrackedTimer>(std::move(t), a);
  }
  void connect_impl(const net::Endpoint& to, const net::TcpOptions& options,
                    net::StreamHandler h) override {
    auto a = activity_.lock();
    if (!a) return NetworkWrapper::connect_impl(to, options, std::move(h));
    if (a->exited()) {
      return net::complete_later(get_executor(), a->track(std::move(h), get_executor()),
                                 net::error_code(net::error::operation_aborted),
                                 std::unique_ptr<net::TcpStream>());
    }
    NetworkWrapper::connect_impl(to, options, a->track(std::move(h), get_executor()));
  }
  void resolve_impl(const std::string& host, std::uint16_t port, net::ResolveHandler h) override {
    auto a = activity_.lock();
    if (!a) return NetworkWrapper::resolve_impl(host, port, std::move(h));
    if (a->exited()) {
      return net::complete_later(get_executor(), a->track(std::move(h), get_executor()),
                                 net::error_code(net::error::operation_aborted),
                                 std::vector<net::Endpoint>());
    }
    NetworkWrapper::resolve_impl(host, port, a->track(std::move(h), get_executor()));
  }

 private:
  std::weak_ptr<Activity> activity_;
};

asio::awaitable<int> run_callback(ProcessCallback callback, net::Network& net, sim::ProcessIo& io) {
  auto activity = std::make_shared<Activity>(io);
  TrackedNetwork tracked(net, activity);
  auto alarm = net.make_timer();  // made on `net`, so not counted as pending work
  struct Disarm {
    Activity& a;
    ~Disarm() { a.set_alarm(nullptr); }
  } disarm{*activity};
  activity->set_alarm(alarm.get());
  callback(tracked, *activity);
  // Until nothing is pending (after exit(): until the aborted operations have completed). The
  // alarm expiring means virtual time itself ran out.
  while (activity->pending() > 0) {
    alarm->expires_at(std::chrono::nanoseconds(std::numeric_limits<std::int64_t>::max()));
    auto [ec] = co_await alarm->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!ec) break;
  }
  co_return activity->exit_code().value_or(0);
}

asio::awaitable<int> run_stdio(StdioCoroutine body, net::Network& net, sim::ProcessIo& io) {
  StdioHandle handle(io);
  co_return co_await body(net, handle);
}

}  // namespace

sim::ProcessBody callback_body(ProcessCallback callback) {
  return [callback = std::move(callback)](net::Network& net, sim::ProcessIo& io) {
    return run_callback(callback, net, io);
  };
}

sim::ProcessBody stdio_body(StdioCoroutine body) {
  return [body = std::move(body)](net::Network& net, sim::ProcessIo& io) {
    return run_stdio(body, net, io);
  };
}

}  // namespace simsock::test::detail
