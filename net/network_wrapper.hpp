// Forwarding wrappers for the net/ interface (leveldb's EnvWrapper is the model). Each wrapper
// forwards every call to a target object; a subclass overrides the calls it wants to intercept
// and calls the base to forward the rest. Fault injectors stay small:
//
//   class FailSecondRead : public net::TcpStreamWrapper {
//     using TcpStreamWrapper::TcpStreamWrapper;
//     void read_some_impl(asio::mutable_buffer b, ReadHandler h) override {
//       if (++reads_ == 2) return net::complete_later(get_executor(), std::move(h),
//                                                     net::error::connection_reset, 0);
//       TcpStreamWrapper::read_some_impl(b, std::move(h));
//     }
//     int reads_ = 0;
//   };
//
// Objects the target makes (listeners, UDP sockets, timers, connected and accepted streams) pass
// through a virtual wrap() hook before they are handed out; the default hands them out as they
// are, so a subclass wraps only what it needs. Wrapped operations keep the caller's associated
// executor and cancellation slot, and the interface's promises (no inline completion) hold as
// long as overrides complete handlers with complete_later() or by forwarding.
#pragma once

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <simsock/net/network.hpp>

namespace simsock::net {

using ReadHandler = asio::any_completion_handler<void(error_code, std::size_t)>;
using WriteHandler = asio::any_completion_handler<void(error_code, std::size_t)>;
using StreamHandler = asio::any_completion_handler<void(error_code, std::unique_ptr<TcpStream>)>;
using DatagramHandler = asio::any_completion_handler<void(error_code, Datagram)>;
using WaitHandler = asio::any_completion_handler<void(error_code)>;
using ResolveHandler = asio::any_completion_handler<void(error_code, std::vector<Endpoint>)>;

// Completes `h(args...)` later, never inline: posted to `ex`, run on h's associated executor.
// For overrides that answer an operation themselves (an injected error, a short read, ...).
template <typename Handler, typename... Args>
void complete_later(const asio::any_io_executor& ex, Handler h, Args&&... args) {
  asio::post(ex, asio::append(std::move(h), std::forward<Args>(args)...));
}

// Returns a function that wraps a continuation `fn` so that it carries h's associated executor
// (default `ex`) and cancellation slot: the wrapped `fn` can stand in for `h` when an override
// must transform what the target reports before `h` sees it. Call it before moving `h`:
//
//   auto as_h = continuation_of(h, get_executor());
//   target().async_accept(as_h([h = std::move(h)](error_code ec, ...) mutable { ... }));
template <typename Handler>
auto continuation_of(const Handler& h, const asio::any_io_executor& ex) {
  return [hex = asio::get_associated_executor(h, ex),
          slot = asio::get_associated_cancellation_slot(h)](auto fn) {
    return asio::bind_cancellation_slot(slot, asio::bind_executor(hex, std::move(fn)));
  };
}

namespace detail {
// Passes a connected/accepted stream through `owner`'s wrap() hook while the owner still exists;
// once it is gone the stream is dropped and the caller sees operation_aborted, as for any
// operation outstanding on a destroyed object.
template <typename Owner, typename Wrap>
void finish_stream(const std::weak_ptr<Owner*>& owner, error_code& ec,
                   std::unique_ptr<TcpStream>& s, Wrap wrap) {
  auto alive = owner.lock();
  if (!alive) {
    s.reset();
    if (!ec) ec = error::operation_aborted;
  } else if (s) {
    s = wrap(**alive, std::move(s));
  }
}
}  // namespace detail

// Forwards every call to a target stream it owns.
class TcpStreamWrapper : public TcpStream {
 public:
  explicit TcpStreamWrapper(std::unique_ptr<TcpStream> target) : target_(std::move(target)) {}

  executor_type get_executor() override { return target_->get_executor(); }
  error_code shutdown(Shutdown what) override { return target_->shutdown(what); }
  void close() override { target_->close(); }
  void abort() override { target_->abort(); }
  void cancel() override { target_->cancel(); }
  bool is_open() const override { return target_->is_open(); }
  Endpoint local_endpoint() const override { return target_->local_endpoint(); }
  Endpoint remote_endpoint() const override { return target_->remote_endpoint(); }

  TcpStream& target() { return *target_; }

 protected:
  void read_some_impl(asio::mutable_buffer b, ReadHandler h) override {
    target_->async_read_some(b, std::move(h));
  }
  void write_some_impl(asio::const_buffer b, WriteHandler h) override {
    target_->async_write_some(b, std::move(h));
  }

 private:
  std::unique_ptr<TcpStream> target_;
};

// Forwards every call to a target listener it owns; accepted streams pass through wrap().
class TcpListenerWrapper : public TcpListener {
 public:
  explicit TcpListenerWrapper(std::unique_ptr<TcpListener> target) : target_(std::move(target)) {}

  executor_type get_executor() override { return target_->get_executor(); }
  Endpoint local_endpoint() const override { return target_->local_endpoint(); }
  void close() override { target_->close(); }
  void cancel() override { target_->cancel(); }

  TcpListener& target() { return *target_; }

 protected:
  // Called on every accepted stream before the caller gets it.
  virtual std::unique_ptr<TcpStream> wrap(std::unique_ptr<TcpStream> s) { return s; }

  void accept_impl(StreamHandler h) override {
    auto as_h = continuation_of(h, get_executor());
    target_->async_accept(as_h([owner = std::weak_ptr(self_), h = std::move(h)](
                                   error_code ec, std::unique_ptr<TcpStream> s) mutable {
      detail::finish_stream(owner, ec, s, [](TcpListenerWrapper& w, std::unique_ptr<TcpStream> t) {
        return w.wrap(std::move(t));
      });
      std::move(h)(ec, std::move(s));
    }));
  }

 private:
  std::shared_ptr<TcpListenerWrapper*> self_ = std::make_shared<TcpListenerWrapper*>(this);
  std::unique_ptr<TcpListener> target_;
};

// Forwards every call to a target UDP socket it owns.
class UdpSocketWrapper : public UdpSocket {
 public:
  explicit UdpSocketWrapper(std::unique_ptr<UdpSocket> target) : target_(std::move(target)) {}

  executor_type get_executor() override { return target_->get_executor(); }
  Endpoint local_endpoint() const override { return target_->local_endpoint(); }
  void close() override { target_->close(); }
  void cancel() override { target_->cancel(); }

  UdpSocket& target() { return *target_; }

 protected:
  void send_to_impl(asio::const_buffer b, const Endpoint& to, WriteHandler h) override {
    target_->async_send_to(b, to, std::move(h));
  }
  void receive_from_impl(asio::mutable_buffer b, DatagramHandler h) override {
    target_->async_receive_from(b, std::move(h));
  }

 private:
  std::unique_ptr<UdpSocket> target_;
};

// Forwards every call to a target timer it owns.
class TimerWrapper : public Timer {
 public:
  explicit TimerWrapper(std::unique_ptr<Timer> target) : target_(std::move(target)) {}

  executor_type get_executor() override { return target_->get_executor(); }
  void expires_after(std::chrono::nanoseconds d) override { target_->expires_after(d); }
  void expires_at(std::chrono::nanoseconds t) override { target_->expires_at(t); }
  std::chrono::nanoseconds expiry() const override { return target_->expiry(); }
  void cancel() override { target_->cancel(); }

  Timer& target() { return *target_; }

 protected:
  void wait_impl(WaitHandler h) override { target_->async_wait(std::move(h)); }

 private:
  std::unique_ptr<Timer> target_;
};

// Forwards every call to a target Network, which must outlive the wrapper. Every object the
// target makes passes through the matching wrap() hook before the caller gets it.
class NetworkWrapper : public Network {
 public:
  explicit NetworkWrapper(Network& target) : target_(target) {}

  executor_type get_executor() override { return target_.get_executor(); }
  std::chrono::nanoseconds now() override { return target_.now(); }
  std::chrono::system_clock::time_point wall_now() override { return target_.wall_now(); }
  std::chrono::seconds utc_offset(std::chrono::system_clock::time_point t) override {
    return target_.utc_offset(t);
  }
  using Network::listen;
  // Forwards `options` unchanged; the listener passes through wrap(TcpListener).
  std::unique_ptr<TcpListener> listen(const Endpoint& at, error_code& ec, int backlog,
                                      const TcpOptions& options) override {
    auto l = target_.listen(at, ec, backlog, options);
    return l ? wrap(std::move(l)) : nullptr;
  }
  std::unique_ptr<UdpSocket> bind_udp(const Endpoint& at, error_code& ec) override {
    auto s = target_.bind_udp(at, ec);
    return s ? wrap(std::move(s)) : nullptr;
  }
  std::unique_ptr<Timer> make_timer() override { return wrap(target_.make_timer()); }

  Network& target() { return target_; }

 protected:
  // Hooks for the objects the target makes; the defaults hand them out unchanged.
  virtual std::unique_ptr<TcpStream> wrap(std::unique_ptr<TcpStream> s) { return s; }
  virtual std::unique_ptr<TcpListener> wrap(std::unique_ptr<TcpListener> l) { return l; }
  virtual std::unique_ptr<UdpSocket> wrap(std::unique_ptr<UdpSocket> s) { return s; }
  virtual std::unique_ptr<Timer> wrap(std::unique_ptr<Timer> t) { return t; }

  // Forwards `to` and `options` unchanged; the connected stream passes through wrap(TcpStream).
  void connect_impl(const Endpoint& to, const TcpOptions& options, StreamHandler h) override {
    auto as_h = continuation_of(h, get_executor());
    target_.async_connect(to, options,
                          as_h([owner = std::weak_ptr(self_), h = std::move(h)](
                                   error_code ec, std::unique_ptr<TcpStream> s) mutable {
                            detail::finish_stream(
                                owner, ec, s, [](NetworkWrapper& w, std::unique_ptr<TcpStream> t) {
                                  return w.wrap(std::move(t));
                                });
                            std::move(h)(ec, std::move(s));
                          }));
  }
  void resolve_impl(const std::string& host, std::uint16_t port, ResolveHandler h) override {
    target_.async_resolve(host, port, std::move(h));
  }

 private:
  std::shared_ptr<NetworkWrapper*> self_ = std::make_shared<NetworkWrapper*>(this);
  Network& target_;
};

}  // namespace simsock::net
