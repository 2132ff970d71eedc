// The TCP protocol of the model (see tcp_end.hpp for what it keeps and what it simplifies).
#include "sim/tcp_end.hpp"
#include "sim/cancel.hpp"

#include <algorithm>
#include <vector>

#include "sim/tcp_model.hpp"

namespace simsock::sim {
namespace {

WireEndpoint wire(const net::Endpoint& e) {
  return {e.address.to_v4().to_uint(), e.port};
}

void trace_tcp(World::Impl& w, TraceKind kind, const net::Endpoint& src, const net::Endpoint& dst,
               std::int64_t len = -1, std::int64_t seq = -1) {
  w.trace(RawEvent{kind, &src, &dst, len, seq, {}, {}});
}

void record(World::Impl& w, const TcpPacket& p, const std::uint8_t* payload) {
  PacketRecord r;
  r.t = w.now();
  r.proto = PacketRecord::Proto::tcp;
  r.src = p.src.to_endpoint();
  r.dst = p.dst.to_endpoint();
  using K = TcpPacket::Kind;
  r.syn = p.kind == K::syn || p.kind == K::syn_ack;
  r.fin = p.kind == K::fin;
  r.rst = p.kind == K::rst;
  r.ack_flag = p.kind != K::syn && p.kind != K::rst;
  r.seq = static_cast<std::uint32_t>(p.seq);
  r.ack = r.ack_flag ? static_cast<std::uint32_t>(p.ack) : 0;
  r.window = static_cast<std::uint16_t>(std::min<std::uint32_t>(p.wnd, 65535));
  r.payload = payload;
  r.payload_len = payload ? p.len : 0;
  w.packet(r);
}

// A RST from a host that has no end for `p` (closed port, forgotten connection).
void reply_rst(World::Impl& w, HostImpl& host, const TcpPacket& p) {
  HostImpl* back = w.route(host, asio::ip::address_v4(p.src.addr));
  if (!back) return;
  TcpPacket r{TcpPacket::Kind::rst, p.from, {}, p.ack, 0, 0, 0, p.dst, p.src};
  ++w.counters_.tcp_resets;
  net::Endpoint s = p.dst.to_endpoint(), d = p.src.to_endpoint();
  trace_tcp(w, "tcp.rst", s, d);
  if (w.packet_sinks()) record(w, r, nullptr);
  tcp_ship(w, w.path(host, *back), r);
}

}  // namespace

// ---- the wire --------------------------------------------------------------------------------

void tcp_ship(World::Impl& w, Path& path, TcpPacket p) {
  if (path.partitioned) return;
  if (path.clogged) {
    path.held.emplace_back([&w, &path, p] { tcp_ship(w, path, p); });
    return;
  }
  if (p.kind == TcpPacket::Kind::data) {
    bool lost = path.rng().chance(path.config().tcp.loss);
    if (path.tcp_script.take() || lost) {
      ++w.counters_.tcp_segments_lost;
      return;
    }
  }
  auto arrival = path.transit(w.now(), p.len + 40);
  if (!arrival) {
    ++w.counters_.tcp_segments_lost;
    return;
  }
  if (TcpEnd* from = w.end(p.from)) {  // one connection's packets never overtake each other
    *arrival = std::max(*arrival, from->last_arrival_out);
    from->last_arrival_out = *arrival;
  }
  w.at(*arrival, Task([&w, host = &path.to(), p] { tcp_receive(w, *host, p); }));
}

void tcp_receive(World::Impl& w, HostImpl& host, const TcpPacket& p) {
  if (!host.up()) return;  // a crashed host answers nothing
  if (p.kind == TcpPacket::Kind::syn) {
    if (auto* l = host.listener_at(asio::ip::address_v4(p.dst.addr), p.dst.port)) {
      l->on_syn(p);
    } else {
      reply_rst(w, host, p);
    }
    return;
  }
  TcpEnd* e = w.end(p.to);
  if (!e || &e->host() != &host) {
    if (p.kind != TcpPacket::Kind::rst) reply_rst(w, host, p);
    return;
  }
  e->receive(p);
}

// ---- TcpEnd ----------------------------------------------------------------------------------

TcpEnd::TcpEnd(SimNetwork& net, const net::Endpoint& l, const net::Endpoint& r)
    : SimObject(net), local(l), remote(r) {
  peer_host_ = net.world().route(net.host(), r.address);
  out_path_ = &net.world().path(net.host(), *peer_host_);
}

TcpEnd::~TcpEnd() {
  if (timer_) world().cancel(timer_);
  if (stream) stream->end_gone();
  if (listener) listener->forget(*this);
}

TcpPacket TcpEnd::packet(TcpPacket::Kind k) const {
  TcpPacket p{k,
              peer,
              self,
              snd_nxt_ + (fin_sent_ && snd_nxt_ == snd_end() ? 1 : 0),  // a sent FIN took one
              rcv_nxt_ + (fin_received_ ? 1 : 0),
              0,
              advertised_window(),
              wire(local),
              wire(remote)};
  return p;
}

void TcpEnd::ship(TcpPacket p) {
  tcp_ship(world(), *out_path_, p);
}

std::uint32_t TcpEnd::advertised_window() const {
  return static_cast<std::uint32_t>(k_tcp_buffer - rcv_.size());
}

std::int64_t TcpEnd::rto_ns() const {
  std::int64_t base = std::max<std::int64_t>(out_path_->config().tcp.rto.count(), 1'000'000);
  std::int64_t cap = 60'000'000'000;
  for (int i = 0; i < backoff_ && base < cap; ++i) base *= 2;
  return std::min(base, cap);
}

void TcpEnd::arm_timer(std::int64_t delay) {
  if (timer_) world().cancel(timer_);
  auto& w = world();
  timer_ = w.at(w.now() + delay, Task([&w, r = self] {
                  if (TcpEnd* e = w.end(r)) {
                    e->timer_ = {};
                    e->state == State::syn_sent ? e->on_syn_timer() : e->on_timer();
                  }
                }));
}

// ---- handshake

void TcpEnd::start_connect(ConnectHandler h) {
  connector_.emplace(std::move(h));
  watch_cancel(*connector_, [this] { fail(net::error::operation_aborted); });
  TcpPacket p = packet(TcpPacket::Kind::syn);
  p.seq = 0;
  p.ack = 0;
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
  arm_timer(k_syn_timeout_ns);
}

void TcpEnd::on_syn_timer() {
  if (syn_tries_ >= k_syn_retries) {
    ++world().counters_.tcp_timeouts;
    fail(net::error::timed_out);
    return;
  }
  ++syn_tries_;
  TcpPacket p = packet(TcpPacket::Kind::syn);
  p.seq = 0;
  p.ack = 0;
  p.len = static_cast<std::uint32_t>(syn_tries_);  // marks a retransmitted SYN (no payload)
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
  arm_timer(k_syn_timeout_ns << syn_tries_);
}

void TcpEnd::send_syn_ack() {
  TcpPacket p = packet(TcpPacket::Kind::syn_ack);
  p.seq = 0;
  p.ack = 0;
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
}

void TcpEnd::become_established_server() {
  state = State::established;  // counted in tcp.connections by the connecting end
  trace_tcp(world(), "tcp.accept", remote, local);
  if (listener) listener->on_established(*this);
}

void TcpEnd::receive(const TcpPacket& p) {
  using K = TcpPacket::Kind;
  if (p.kind == K::rst) return on_rst();
  if (state == State::closed) return;
  if (state == State::syn_sent) {
    if (p.kind != K::syn_ack) return;
    state = State::established;
    peer = p.from;
    peer_edge_ = p.wnd;
    if (timer_) world().cancel(timer_);
    timer_ = {};
    ++world().counters_.tcp_connections;
    trace_tcp(world(), "tcp.connect", local, remote);
    send_ack();
    ConnectHandler h = take(connector_);
    std::unique_ptr<net::TcpStream> s = std::make_unique<SimTcpStream>(home(), *this);
    world().complete(std::move(h), net::error_code(), std::move(s));
    return;
  }
  if (p.kind == K::syn_ack) return send_ack();  // our ACK was lost
  if (state == State::syn_received) become_established_server();
  switch (p.kind) {
    case K::ack:
      return on_ack(p);
    case K::data:
      return on_data(p);
    case K::fin:
      on_ack(p, false);  // a FIN also acknowledges what its sender received
      return on_fin(p);
    case K::probe:
      return send_ack();
    default:
      return;
  }
}

// ---- sending

void TcpEnd::try_send() {
  if (state != State::established) return;
  const auto& policy = out_path_->config().tcp.segment;
  while (snd_nxt_ < snd_end()) {
    if (next_segment_ == 0) {
      std::uint64_t lo = std::max<std::uint32_t>(policy.min, 1);
      std::uint64_t hi = std::max<std::uint64_t>(policy.max, lo);
      next_segment_ = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(out_path_->rng().between(lo, hi), k_tcp_buffer));
    }
    std::uint64_t size = std::min<std::uint64_t>(next_segment_, snd_end() - snd_nxt_);
    std::uint64_t usable = peer_edge_ > snd_nxt_ ? peer_edge_ - snd_nxt_ : 0;
    if (usable < size) break;
    send_segment(snd_nxt_, static_cast<std::uint32_t>(size));
    snd_nxt_ += size;
    snd_max_ = std::max(snd_max_, snd_nxt_);
    next_segment_ = 0;
  }
  if (fin_queued_ && !fin_sent_ && snd_nxt_ == snd_end()) {
    fin_sent_ = true;
    TcpPacket p = packet(TcpPacket::Kind::fin);
    p.seq = snd_end();
    fin_out_ = true;
    trace_tcp(world(), "tcp.fin", local, remote, -1, static_cast<std::int64_t>(p.seq));
    if (world().packet_sinks()) record(world(), p, nullptr);
    ship(p);
  }
  bool outstanding = snd_una_ < snd_nxt_ || (fin_sent_ && !fin_acked_);
  bool blocked = snd_nxt_ < snd_end();  // window closed: probe it
  if ((outstanding || blocked) && !timer_) arm_timer(rto_ns());
}

void TcpEnd::send_segment(std::uint64_t seq, std::uint32_t len) {
  auto& w = world();
  ++w.counters_.tcp_segments;
  bool again = seq < snd_max_;
  if (again) ++w.counters_.tcp_retransmits;
  trace_tcp(w, again ? TraceKind("tcp.retransmit") : TraceKind("tcp.segment"), local, remote, len,
            static_cast<std::int64_t>(seq));
  TcpPacket p = packet(TcpPacket::Kind::data);
  p.seq = seq;
  p.len = len;
  if (w.packet_sinks()) {
    std::vector<std::uint8_t> bytes(len);
    snd_.copy_out(seq - snd_una_, bytes.data(), len);
    record(w, p, bytes.data());
  }
  ship(p);
}

void TcpEnd::on_timer() {
  if (state != State::established) return;
  bool outstanding = snd_una_ < snd_nxt_ || (fin_sent_ && !fin_acked_);
  if (!outstanding) {
    if (snd_nxt_ < snd_end()) {  // zero window: probe
      ship(packet(TcpPacket::Kind::probe));
      backoff_ = std::min(backoff_ + 1, 10);
      arm_timer(rto_ns());
    }
    return;
  }
  if (++backoff_ > k_tcp_max_rto) {
    ++world().counters_.tcp_timeouts;
    return fail(net::error::timed_out);
  }
  snd_nxt_ = snd_una_;  // go back N
  next_segment_ = 0;
  if (fin_sent_ && !fin_acked_) fin_sent_ = false;
  try_send();
  if (!timer_) arm_timer(rto_ns());
}

void TcpEnd::send_ack() {
  ack_scheduled_ = false;
  if (state == State::closed) return;
  TcpPacket p = packet(TcpPacket::Kind::ack);
  advertised_edge_ = rcv_nxt_ + p.wnd;
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
}

void TcpEnd::schedule_ack() {
  if (ack_scheduled_) return;
  ack_scheduled_ = true;
  auto& w = world();
  w.at(w.now(), Task([&w, r = self] {
         if (TcpEnd* e = w.end(r); e && e->ack_scheduled_) e->send_ack();
       }));
}

void TcpEnd::send_rst() {
  auto& w = world();
  ++w.counters_.tcp_resets;
  trace_tcp(w, "tcp.rst", local, remote);
  TcpPacket p = packet(TcpPacket::Kind::rst);
  if (w.packet_sinks()) record(w, p, nullptr);
  ship(p);
}

// ---- receiving

void TcpEnd::on_ack(const TcpPacket& p, bool may_free) {
  std::uint64_t data_ack = std::min(p.ack, snd_end());
  bool progress = false;
  if (data_ack > snd_una_) {
    snd_.consume(static_cast<std::size_t>(data_ack - snd_una_));
    snd_una_ = data_ack;
    progress = true;
  }
  if (fin_sent_ && !fin_acked_ && p.ack == snd_end() + 1) {
    fin_acked_ = true;
    progress = true;
  }
  if (data_ack >= snd_una_) peer_edge_ = data_ack + p.wnd;
  if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
  if (progress) backoff_ = 0;
  if (progress || (snd_una_ == snd_nxt_ && peer_edge_ > snd_nxt_)) {
    if (timer_) world().cancel(timer_);
    timer_ = {};
  }
  wake_writer();
  try_send();
  if (may_free) maybe_free();
}

void TcpEnd::on_data(const TcpPacket& p) {
  auto& w = world();
  if (orphaned) {  // data for a socket nobody will read: reset, as Linux does
    send_rst();
    return fail(net::error::connection_reset);
  }
  if (read_shut_) {  // shut down for reading: accepted and discarded
    if (p.seq <= rcv_nxt_ && p.seq + p.len > rcv_nxt_) rcv_nxt_ = p.seq + p.len;
    return schedule_ack();
  }
  if (p.seq > rcv_nxt_ || p.seq + p.len <= rcv_nxt_ || fin_received_) return schedule_ack();
  TcpEnd* sender = w.end(p.from);
  if (!sender || sender->snd_una_ > rcv_nxt_) return;
  std::uint64_t take =
      std::min<std::uint64_t>(p.seq + p.len - rcv_nxt_, k_tcp_buffer - rcv_.size());
  if (take > 0) {
    rcv_.append_from(sender->snd_, static_cast<std::size_t>(rcv_nxt_ - sender->snd_una_),
                     static_cast<std::size_t>(take));
    w.counters_.tcp_bytes += take;
    trace_tcp(w, "tcp.deliver", remote, local, static_cast<std::int64_t>(take),
              static_cast<std::int64_t>(rcv_nxt_));
    rcv_nxt_ += take;
    wake_reader();
  }
  schedule_ack();
}

void TcpEnd::on_fin(const TcpPacket& p) {
  if (p.seq == rcv_nxt_ && !fin_received_) {
    fin_received_ = true;
    wake_reader();
  }
  schedule_ack();
  maybe_free();
}

void TcpEnd::on_rst() {
  if (state == State::closed) return;
  if (state == State::syn_sent) {
    ++world().counters_.tcp_refused;
    trace_tcp(world(), "tcp.refused", local, remote);
    return fail(net::error::connection_refused);
  }
  fail(net::error::connection_reset);
}

// The connection is over: pending operations and the next ones see `ec` once.
void TcpEnd::fail(net::error_code ec) {
  state = State::closed;
  error_ = ec;
  if (timer_) world().cancel(timer_);
  timer_ = {};
  snd_.clear();
  snd_una_ = snd_nxt_ = snd_max_;
  if (listener) {
    listener->forget(*this);
    listener = nullptr;
  }
  if (connector_) {
    ConnectHandler h = take(connector_);
    world().complete(std::move(h), ec, std::unique_ptr<net::TcpStream>());
  }
  wake_reader();
  wake_writer();
  maybe_free();
}

void TcpEnd::maybe_free() {
  if (stream || listener || connector_) return;
  bool done = state == State::closed || (fin_acked_ && fin_received_);
  if (!done) return;
  auto& w = world();
  w.free_end(self);  // destroys *this
}

// ---- app operations

void TcpEnd::wake_reader() {
  if (!reader_) return;
  ReadHandler h = take(reader_);
  read(read_buf_, std::move(h));
}

void TcpEnd::wake_writer() {
  if (!writer_) return;
  ReadHandler h = take(writer_);
  write(write_buf_, std::move(h));
}

void TcpEnd::read(asio::mutable_buffer b, ReadHandler h) {
  auto& w = world();
  if (reader_) cancel_reader();
  if (b.size() == 0) return w.complete(std::move(h), net::error_code(), std::size_t{0});
  if (!rcv_.empty() && !read_shut_) {
    std::size_t n = std::min(b.size(), rcv_.size());
    rcv_.copy_out(0, static_cast<std::uint8_t*>(b.data()), n);
    rcv_.consume(n);
    // Window update once the window we last advertised has shrunk below half the buffer.
    if (state == State::established && advertised_edge_ - rcv_nxt_ < k_tcp_buffer / 2 &&
        advertised_window() >= k_tcp_buffer / 2) {
      schedule_ack();
    }
    return w.complete(std::move(h), net::error_code(), n);
  }
  if (error_ && error_ != net::error::eof) {
    net::error_code ec = error_;
    error_ = net::error::eof;
    return w.complete(std::move(h), ec, std::size_t{0});
  }
  if (error_ || fin_received_ || read_shut_ || state == State::closed) {
    return w.complete(std::move(h), net::error_code(net::error::eof), std::size_t{0});
  }
  reader_.emplace(std::move(h));
  watch_cancel(*reader_, [this] { cancel_reader(); });
  read_buf_ = b;
}

void TcpEnd::write(asio::const_buffer b, ReadHandler h) {
  auto& w = world();
  if (writer_) cancel_writer();
  auto done = [&](net::error_code ec, std::size_t n) { w.complete(std::move(h), ec, n); };
  if (error_ && error_ != net::error::eof) {
    net::error_code ec = error_;
    error_ = net::error::eof;
    return done(ec, 0);
  }
  if (state == State::closed) return done(net::error::broken_pipe, 0);
  if (fin_queued_) return done(net::error::broken_pipe, 0);
  if (b.size() == 0) return done({}, 0);
  std::size_t space = k_tcp_buffer - snd_.size();
  if (space == 0) {
    writer_.emplace(std::move(h));
    watch_cancel(*writer_, [this] { cancel_writer(); });
    write_buf_ = b;
    return;
  }
  std::size_t n = std::min(space, b.size());
  snd_.append(static_cast<const std::uint8_t*>(b.data()), n);
  done({}, n);
  try_send();
}

void TcpEnd::cancel_ops() {
  cancel_reader();
  cancel_writer();
}

void TcpEnd::cancel_reader() {
  if (!reader_) return;
  world().complete(take(reader_), net::error_code(net::error::operation_aborted), std::size_t{0});
}

void TcpEnd::cancel_writer() {
  if (!writer_) return;
  world().complete(take(writer_), net::error_code(net::error::operation_aborted), std::size_t{0});
}

void TcpEnd::shutdown_send() {
  if (fin_queued_ || state == State::closed) return;
  fin_queued_ = true;
  try_send();
}

void TcpEnd::shut_read() {
  read_shut_ = true;
  rcv_.clear();
  wake_reader();
}

void TcpEnd::close_by_app() {
  orphaned = true;
  if (state == State::closed) return maybe_free();
  if (!rcv_.empty()) return abort();  // unread data: RST, as Linux does
  read_shut_ = true;
  shutdown_send();
  maybe_free();
}

void TcpEnd::abort() {
  orphaned = true;
  if (state != State::closed && peer) send_rst();
  fail(asio::error::connection_aborted);
}

void TcpEnd::vanish(std::vector<Task>& grave, Vanish how) {
  if (connector_) grave.emplace_back([h = take(connector_)] {});
  if (reader_) grave.emplace_back([h = take(reader_)] {});
  if (writer_) grave.emplace_back([h = take(writer_)] {});
  connector_.reset();
  reader_.reset();
  writer_.reset();
  if (stream) stream->end_gone();
  stream = nullptr;
  detach();
  if (how == Vanish::kill) {
    // The kernel closes the socket of a dead process: an accepted or connected stream as close()
    // does; a connection its listener never handed out is reset; a connect in progress ends.
    if (listener) return abort();
    if (state == State::syn_sent) return fail(net::error::operation_aborted);
    return close_by_app();
  }
  if (how == Vanish::crash && state != State::closed && peer) send_rst();
  if (timer_) world().cancel(timer_);
  timer_ = {};
  if (listener) listener->forget(*this);
  listener = nullptr;
  world().free_end(self);  // destroys *this
}

}  // namespace simsock::sim
