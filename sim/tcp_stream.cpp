// Streams, listeners and connect: thin app-facing shells over TcpEnd.
#include <algorithm>

#include <simsock/sim/cancel.hpp>
#include <simsock/sim/tcp_model.hpp>

namespace simsock::sim {

// ---- SimTcpStream ----------------------------------------------------------------------------

SimTcpStream::SimTcpStream(SimNetwork& net, TcpEnd& end)
    : net_(net), end_(&end), local_(end.local), remote_(end.remote) {
  end.stream = this;
}

SimTcpStream::~SimTcpStream() {
  close();
}

net::error_code SimTcpStream::shutdown(net::Shutdown what) {
  if (closed_) return net::error::bad_descriptor;
  if (!end_ || end_->state == TcpEnd::State::closed) return net::error::not_connected;
  if (what != net::Shutdown::receive) end_->shutdown_send();
  if (what != net::Shutdown::send) end_->shut_read();
  return {};
}

void SimTcpStream::close() {
  if (closed_) return;
  closed_ = true;
  if (!end_) return;
  TcpEnd* e = end_;
  end_ = nullptr;
  e->cancel_ops();
  e->stream = nullptr;
  e->close_by_app();
}

void SimTcpStream::abort() {
  if (closed_) return;
  closed_ = true;
  if (!end_) return;
  TcpEnd* e = end_;
  end_ = nullptr;
  e->cancel_ops();
  e->stream = nullptr;
  e->abort();
}

void SimTcpStream::cancel() {
  if (end_) end_->cancel_ops();
}

void SimTcpStream::read_some_impl(asio::mutable_buffer b, AnyHandler h) {
  read_some_queued(b, net_.world().adopt(std::move(h)));
}

void SimTcpStream::write_some_impl(asio::const_buffer b, AnyHandler h) {
  write_some_queued(b, net_.world().adopt(std::move(h)));
}

void SimTcpStream::read_some_queued(asio::mutable_buffer b, Handler&& h) {
  net_.world().adopt(h);
  if (closed_ || !end_) {
    return net_.world().complete(std::move(h), net::error_code(net::error::bad_descriptor),
                                 std::size_t{0});
  }
  end_->read(b, std::move(h));
}

void SimTcpStream::write_some_queued(asio::const_buffer b, Handler&& h) {
  net_.world().adopt(h);
  if (closed_ || !end_) {
    return net_.world().complete(std::move(h), net::error_code(net::error::bad_descriptor),
                                 std::size_t{0});
  }
  end_->write(b, std::move(h));
}

// ---- SimTcpListener --------------------------------------------------------------------------

std::size_t kernel_buffer(std::size_t requested) {
  if (requested == 0) return 0;
  return std::max<std::size_t>(std::min<std::size_t>(requested, SIZE_MAX / 2) * 2, 4608);
}

void SimTcpListener::set_buffers(const net::TcpOptions& options) {
  send_buffer_ = kernel_buffer(options.send_buffer);
  receive_buffer_ = kernel_buffer(options.receive_buffer);
}

std::unique_ptr<net::TcpListener> make_tcp_listener(SimNetwork& net, const net::Endpoint& at,
                                                    int backlog, const net::TcpOptions& options,
                                                    net::error_code& ec) {
  net::Endpoint local = at;
  auto l = std::make_unique<SimTcpListener>(net, at, backlog);
  l->set_buffers(options);
  ec = net.host().bind_tcp(l.get(), local);
  if (ec) return nullptr;
  l->set_local(local);
  return l;
}

SimTcpListener::~SimTcpListener() {
  if (!gone()) close();
}

void SimTcpListener::close() {
  if (closed_) return;
  closed_ = true;
  if (!gone()) home().host().unbind_tcp(local_.port, this);
  // Connections nobody accepted are reset, as a real stack does.
  auto pending = half_open_;
  pending.insert(pending.end(), ready_.begin(), ready_.end());
  half_open_.clear();
  ready_.clear();
  for (EndRef r : pending) {
    if (TcpEnd* e = world().end(r)) {
      e->listener = nullptr;
      e->abort();
    }
  }
  cancel();
}

void SimTcpListener::cancel() {
  if (!acceptor_) return;
  Handler h = take(acceptor_);
  world().complete(std::move(h), net::error_code(net::error::operation_aborted),
                   std::unique_ptr<net::TcpStream>());
}

void SimTcpListener::vanish(std::vector<Task>& grave, Vanish how) {
  if (how == Vanish::kill) {  // the kernel closes it: connections nobody accepted are reset
    if (acceptor_) {
      grave.emplace_back([h = take(acceptor_)] {});
      acceptor_.reset();
    }
    close();
    detach();
    return;
  }
  if (!closed_) home().host().unbind_tcp(local_.port, this);
  closed_ = true;
  for (EndRef r : half_open_) {
    if (TcpEnd* e = world().end(r)) e->listener = nullptr;
  }
  for (EndRef r : ready_) {
    if (TcpEnd* e = world().end(r)) e->listener = nullptr;
  }
  half_open_.clear();
  ready_.clear();
  if (acceptor_) {
    grave.emplace_back([h = take(acceptor_)] {});
    acceptor_.reset();
  }
  detach();
}

// Half-open connections are kept apart from the accept queue (as Linux does with SYN cookies, on by
// default), so a burst of SYNs larger than the backlog is answered; only a full accept queue drops
// SYNs.
void SimTcpListener::on_syn(const TcpPacket& p) {
  auto& w = world();
  w.expire_lingering();
  if (p.attempt > 0) {  // a retransmitted SYN: our SYN-ACK may have been lost
    for (EndRef r : half_open_) {
      TcpEnd* e = w.end(r);
      if (e && e->peer.id == p.from.id && e->peer.gen == p.from.gen) return e->on_syn(p, *this);
    }
    // The connection exists already (its SYN-ACK reached the client): an old duplicate, which a
    // real stack matches to the established socket by its addresses and ports.
    if (TcpEnd* client = w.end(p.from); client && client->peer) return;
  }
  if (accept_queue_full()) return;  // dropped: the client retries
  auto end = std::make_unique<TcpEnd>(home(), p.dst.to_endpoint(), p.src.to_endpoint(),
                                      send_buffer_, receive_buffer_);
  TcpEnd& e = *end;
  w.add_end(std::move(end));
  half_open_.push_back(e.self);
  e.on_syn(p, *this);
}

void SimTcpListener::forget(TcpEnd& end) {
  auto same = [&](EndRef r) { return r.id == end.self.id && r.gen == end.self.gen; };
  half_open_.erase(std::remove_if(half_open_.begin(), half_open_.end(), same), half_open_.end());
  ready_.erase(std::remove_if(ready_.begin(), ready_.end(), same), ready_.end());
}

void SimTcpListener::on_established(TcpEnd& end) {
  auto same = [&](EndRef r) { return r.id == end.self.id && r.gen == end.self.gen; };
  half_open_.erase(std::remove_if(half_open_.begin(), half_open_.end(), same), half_open_.end());
  ready_.push_back(end.self);
  hand_over();
}

void SimTcpListener::hand_over() {
  while (acceptor_ && !ready_.empty()) {
    TcpEnd* e = world().end(ready_.front());
    ready_.pop_front();
    if (!e) continue;
    e->listener = nullptr;
    Handler h = take(acceptor_);
    std::unique_ptr<net::TcpStream> s = std::make_unique<SimTcpStream>(home(), *e);
    world().complete(std::move(h), net::error_code(), std::move(s));
  }
}

void SimTcpListener::accept_impl(Handler h) {
  if (closed_ || gone()) {
    return world().complete(std::move(h), net::error_code(net::error::bad_descriptor),
                            std::unique_ptr<net::TcpStream>());
  }
  if (acceptor_) cancel();
  acceptor_.emplace(std::move(h));
  watch_cancel(*acceptor_, [this] { cancel(); });
  hand_over();
}

// ---- connect ---------------------------------------------------------------------------------

void tcp_connect(
    SimNetwork& net, const net::Endpoint& to, const net::TcpOptions& options,
    asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)> h) {
  auto& w = net.world();
  w.expire_lingering();
  auto fail = [&](net::error_code ec) {
    w.complete(std::move(h), ec, std::unique_ptr<net::TcpStream>());
  };
  if (net.dead()) return fail(net::error::host_unreachable);
  if (to.port == 0) return fail(net::error::invalid_argument);
  HostImpl& host = net.host();
  WireEndpoint remote = WireEndpoint::from(to);  // ::ffff:a.b.c.d is a.b.c.d
  HostImpl* dst = w.route(host, remote.addr);
  if (!dst) return fail(net::error::host_unreachable);
  const bool v6 = remote.addr.is_v6();
  if (remote.addr.is_unspecified()) remote.addr = IpAddress::loopback(v6);
  // The source: loopback for loopback, else the host's first address of the peer's family
  // (none: Linux's ENETUNREACH).
  IpAddress local = IpAddress::loopback(v6);
  if (!remote.addr.is_loopback()) {
    const IpAddress* own = host.first_address(v6);
    if (!own) return fail(net::error::host_unreachable);
    local = *own;
  }
  std::uint16_t port = 0;
  if (net::error_code ec = host.take_connection_port(local, remote, port)) return fail(ec);
  auto end = std::make_unique<TcpEnd>(net, WireEndpoint{local, port}.to_endpoint(),
                                      remote.to_endpoint(), kernel_buffer(options.send_buffer),
                                      kernel_buffer(options.receive_buffer));
  TcpEnd& e = *end;
  e.holds_port = true;
  w.add_end(std::move(end));
  e.start_connect(std::move(h), options.connect_timeout.count());
}

}  // namespace simsock::sim
