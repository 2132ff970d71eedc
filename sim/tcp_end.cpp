// The TCP protocol of the model (see tcp_end.hpp for what it keeps and what it simplifies).
#include <simsock/sim/tcp_end.hpp>

#include <algorithm>
#include <vector>

#include <simsock/sim/cancel.hpp>
#include <simsock/sim/tcp_model.hpp>
#include <simsock/sim/time_math.hpp>

namespace simsock::sim {

std::int64_t tcp_model_timeout(std::uint32_t boundary, std::int64_t rto_base) {
  rto_base = std::max<std::int64_t>(rto_base, 1);
  std::uint32_t thresh = 0;  // ilog2(TCP_RTO_MAX / rto_base): doublings before the cap
  for (std::int64_t q = k_tcp_rto_max_ns / rto_base; q > 1; q >>= 1) ++thresh;
  if (boundary <= thresh) return ((std::int64_t{2} << boundary) - 1) * rto_base;
  return ((std::int64_t{2} << thresh) - 1) * rto_base +
         static_cast<std::int64_t>(boundary - thresh) * k_tcp_rto_max_ns;
}

namespace {

using K = TcpPacket::Kind;

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

// Tells the packet sinks what the path decided (PacketPassage), `arrival` after the in-order wait.
void tell_passage(World::Impl& w, const Path& path, const Passage& v, std::int64_t arrival) {
  PacketPassage d;
  d.t = w.now();
  d.from = path.from().name();
  d.to = path.to().name();
  d.verdict = static_cast<PacketPassage::Verdict>(v.verdict);
  d.reason = v.reason;
  d.arrival = v.verdict == Passage::Verdict::arrive ? arrival : -1;
  d.latency = path.config().latency.count();
  w.passage(d);
}

// A RST from a host that has no live end for `p` (closed port, forgotten connection).
void reply_rst(World::Impl& w, HostImpl& host, const TcpPacket& p) {
  HostImpl* back = w.route(host, p.src.addr);
  if (!back) return;
  TcpPacket r{K::rst, 0, p.from, {}, p.ack, 0, 0, 0, p.dst, p.src};
  ++w.counters_.tcp_resets;
  net::Endpoint s = p.dst.to_endpoint(), d = p.src.to_endpoint();
  trace_tcp(w, "tcp.rst", s, d);
  if (w.packet_sinks()) record(w, r, nullptr);
  tcp_ship(w, w.path(host, *back), r);
}

}  // namespace

// ---- the wire --------------------------------------------------------------------------------

// A TCP packet that never arrives: counted in tcp.dropped and traced as tcp.drop with the same
// reasons a datagram's udp.drop gives (partition, loss, scripted, queue_full, host_down).
static void tcp_drop(World::Impl& w, const TcpPacket& p, std::string_view reason) {
  ++w.counters_.tcp_dropped;
  net::Endpoint s = p.src.to_endpoint(), d = p.dst.to_endpoint();
  w.trace(RawEvent{"tcp.drop",
                   &s,
                   &d,
                   p.kind == K::data ? p.len : 0,
                   static_cast<std::int64_t>(p.seq),
                   reason,
                   {}});
}

void tcp_ship(World::Impl& w, Path& path, TcpPacket p) {
  tcp_ship_from(w, path, p, w.end(p.from));
}

void tcp_ship_from(World::Impl& w, Path& path, const TcpPacket& p, TcpEnd* from) {
  const bool data = p.kind == K::data;
  // IP + TCP headers without options: 20 + 20 over IPv4, 40 + 20 over IPv6.
  const std::size_t headers = p.dst.addr.is_v4() ? 40 : 60;
  // The resend maker runs inside pass() (only on a clog), so it takes the packet by reference.
  Passage v = path.pass(w.now(), PacketRecord::Proto::tcp, data, 1, p.len + headers, [&path, &p] {
    return Task([&path, p] { tcp_ship(path.from().world(), path, p); });
  });
  if (v.verdict == Passage::Verdict::held) {
    if (w.packet_sinks()) tell_passage(w, path, v, v.arrival);
    return;
  }
  if (v.verdict == Passage::Verdict::dropped) {
    if (w.packet_sinks()) tell_passage(w, path, v, v.arrival);
    if (data && v.reason != "partition") ++w.counters_.tcp_segments_lost;
    return tcp_drop(w, p, v.reason);
  }
  std::int64_t arrival = v.arrival;
  EventChain* chain = &path.arrivals;
  if (from) {  // one connection's packets never overtake each other
    arrival = std::max(arrival, from->last_arrival_out);
    from->last_arrival_out = arrival;
    chain = &from->arrivals_out;  // not even at one instant, under perturbation
  }
  if (w.packet_sinks()) tell_passage(w, path, v, arrival);
  // The host leads to the world: the task stays within its inline storage.
  w.at(arrival, Task([host = &path.to(), p] { tcp_receive(host->world(), *host, p); }), nullptr,
       chain);
}

void tcp_receive(World::Impl& w, HostImpl& host, const TcpPacket& p) {
  if (!host.up()) return tcp_drop(w, p, "host_down");  // a powered-off host answers nothing
  if (p.kind == K::syn) {
    if (auto* l = host.listener_at(p.dst.addr, p.dst.port)) {
      l->on_syn(p);
    } else {
      reply_rst(w, host, p);
    }
    return;
  }
  TcpEnd* e = w.end(p.to);
  if (!e || &e->host() != &host) {
    if (p.kind != K::rst) reply_rst(w, host, p);
    return;
  }
  e->receive(p);
}

// ---- TcpEnd ----------------------------------------------------------------------------------

TcpEnd::TcpEnd(SimNetwork& net, const net::Endpoint& l, const net::Endpoint& r,
               std::size_t send_buffer, std::size_t receive_buffer)
    : SimObject(net),
      local(l),
      remote(r),
      wire_local_(WireEndpoint::from(l)),
      wire_remote_(WireEndpoint::from(r)),
      local_word_(Tracer::word_of(l)),
      remote_word_(Tracer::word_of(r)) {
  peer_host_ = net.world().route(net.host(), wire_remote_.addr);
  out_path_ = &net.world().path(net.host(), *peer_host_);
  const TcpLinkConfig& c = out_path_->config().tcp;
  send_cap_ = send_buffer ? send_buffer : static_cast<std::size_t>(c.send_buffer);
  rcv_cap_ = receive_buffer ? receive_buffer : static_cast<std::size_t>(c.receive_buffer);
  advertised_edge_ = rcv_cap_;
}

TcpEnd::~TcpEnd() {
  if (holds_port) host().release_connection_port(local, remote);
  if (timer_) world().cancel(timer_);
  if (connect_timer_) world().cancel(connect_timer_);
  if (stream) stream->end_gone();
  if (listener) listener->forget(*this);
}

const TcpLinkConfig& TcpEnd::config() const {
  return out_path_->config().tcp;
}

TcpPacket TcpEnd::packet(K k) const {
  TcpPacket p{k,
              0,
              peer,
              self,
              snd_nxt_ + (fin_sent_ && snd_nxt_ == snd_end() ? 1 : 0),  // a sent FIN took one
              rcv_nxt_ + (fin_received_ ? 1 : 0),
              0,
              advertised_window(),
              wire_local_,
              wire_remote_};
  return p;
}

void TcpEnd::ship(TcpPacket p) {
  tcp_ship_from(world(), *out_path_, p, this);
}

std::uint32_t TcpEnd::advertised_window() const {
  std::size_t free = rcv_cap_ > rcv_.size() ? rcv_cap_ - rcv_.size() : 0;
  return static_cast<std::uint32_t>(std::min<std::size_t>(free, UINT32_MAX));
}

// ---- timing

void TcpEnd::rtt_sample(std::int64_t m) {
  m = std::max<std::int64_t>(m, 1);
  if (srtt_ == 0) {  // RFC 6298 (2.2)
    srtt_ = m;
    rttvar_ = m / 2;
    return;
  }
  std::int64_t err = m - srtt_;  // (2.3): beta = 1/4, alpha = 1/8
  rttvar_ += ((err < 0 ? -err : err) - rttvar_) / 4;
  srtt_ += err / 8;
}

std::int64_t TcpEnd::rto_ns() const {
  std::int64_t base = config().initial_rto.count();
  if (srtt_ > 0) {  // Linux's __tcp_set_rto: the variance term is at least rto_min
    base = srtt_ + std::max<std::int64_t>(4 * rttvar_, config().rto.count());
  }
  base = std::clamp<std::int64_t>(base, 1, k_tcp_rto_max_ns);
  for (std::uint32_t i = 0; i < backoff_ && base < k_tcp_rto_max_ns; ++i) base *= 2;
  return std::min(base, k_tcp_rto_max_ns);
}

void TcpEnd::arm_timer(std::int64_t delay) {
  if (timer_) world().cancel(timer_);
  auto& w = world();
  timer_ = w.at(sat_add(w.now(), delay), Task([&w, r = self] {
                  if (TcpEnd* e = w.end(r)) {
                    e->timer_ = {};
                    e->on_timer();
                  }
                }));
}

void TcpEnd::on_timer() {
  switch (state) {
    case State::syn_sent:
      return on_syn_timer();
    case State::syn_received:
      return on_synack_timer();
    case State::established:
      return on_retransmit_timer();
    case State::closed:
      return;
  }
}

// ---- handshake

void TcpEnd::start_connect(ConnectHandler h, std::int64_t timeout_ns) {
  auto& w = world();
  connector_.emplace(std::move(h));
  watch_cancel(*connector_, [this] { fail(net::error::operation_aborted); });
  if (timeout_ns > 0) {
    connect_timer_ = w.at(sat_add(w.now(), timeout_ns), Task([&w, r = self] {
                            TcpEnd* e = w.end(r);
                            if (!e || !e->connector_) return;
                            e->connect_timer_ = {};
                            ++w.counters_.tcp_timeouts;
                            e->fail(net::error::timed_out);
                          }));
  }
  send_syn();
  arm_timer(rto_ns());
}

void TcpEnd::send_syn() {
  TcpPacket p = packet(K::syn);
  p.seq = 0;
  p.ack = 0;
  p.attempt = static_cast<std::uint8_t>(std::min<std::uint32_t>(syn_tries_, 255));
  if (syn_tries_ < 8) syn_sent_at_[syn_tries_] = world().now();
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
}

// tcp_write_timeout for SYN_SENT: after syn_retries + syn_linear_timeouts retransmissions the next
// expiry gives up. tcp_retransmit_timer keeps the initial RTO for the first syn_linear_timeouts
// expiries, then doubles it.
void TcpEnd::on_syn_timer() {
  const TcpLinkConfig& c = config();
  if (syn_tries_ >= c.syn_retries + c.syn_linear_timeouts) {
    ++world().counters_.tcp_timeouts;
    fail(net::error::timed_out);
    return;
  }
  ++syn_tries_;
  if (syn_tries_ > c.syn_linear_timeouts) ++backoff_;
  send_syn();
  arm_timer(rto_ns());
}

void TcpEnd::on_syn(const TcpPacket& p, SimTcpListener& l) {
  if (state == State::syn_sent) {  // a new half-open end
    state = State::syn_received;
    peer = p.from;
    peer_edge_ = p.wnd;
    listener = &l;
    syn_attempt_ = p.attempt;
    send_syn_ack();
    arm_timer(rto_ns());
    return;
  }
  if (state != State::syn_received) return;
  synack_again_ = true;  // a retransmitted SYN: our SYN-ACK may have been lost
  syn_attempt_ = p.attempt;
  send_syn_ack();
}

void TcpEnd::send_syn_ack() {
  TcpPacket p = packet(K::syn_ack);
  p.seq = 0;
  p.ack = 0;
  p.attempt = syn_attempt_;
  syn_sent_at_[0] = world().now();
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
}

// The request's SYN-ACK timer (tcp_synack_retries): after the last try the request is dropped.
void TcpEnd::on_synack_timer() {
  if (syn_tries_ >= k_tcp_synack_retries) return fail(net::error::timed_out);
  ++syn_tries_;
  backoff_ = syn_tries_;
  synack_again_ = true;
  send_syn_ack();
  arm_timer(rto_ns());
}

// The handshake's last ACK (or data) reached a half-open end. False when the listener's accept
// queue is full: the packet is dropped, as Linux drops it, and the SYN-ACK timer tries again.
bool TcpEnd::become_established_server() {
  if (listener && listener->accept_queue_full()) return false;
  state = State::established;  // counted in tcp.connections by the connecting end
  if (timer_) world().cancel(timer_);
  timer_ = {};
  if (!synack_again_) rtt_sample(world().now() - syn_sent_at_[0]);
  backoff_ = 0;
  syn_tries_ = 0;
  trace_tcp(world(), "tcp.accept", remote, local);
  if (listener) listener->on_established(*this);
  return true;
}

void TcpEnd::receive(const TcpPacket& p) {
  auto& w = world();
  if (linger_until_ && w.now() >= linger_until_) {  // its time was up: the socket is gone
    HostImpl& h = host();
    expire();  // may destroy *this
    if (p.kind != K::rst) reply_rst(w, h, p);
    return;
  }
  if (in_time_wait()) {  // TIME_WAIT: ACK a retransmitted FIN or an old duplicate
    if (p.kind == K::rst) {
      linger_until_ = 0;
      state = State::closed;
      return maybe_free();
    }
    if (p.kind == K::fin || p.kind == K::data) send_ack();
    return;
  }
  if (p.kind == K::rst) return on_rst();
  if (state == State::closed) return reply_rst(w, host(), p);
  if (state == State::syn_sent) {
    if (p.kind != K::syn_ack) return;
    state = State::established;
    peer = p.from;
    peer_edge_ = p.wnd;
    if (timer_) w.cancel(timer_);
    timer_ = {};
    if (connect_timer_) w.cancel(connect_timer_);
    connect_timer_ = {};
    if (p.attempt < 8 && p.attempt <= syn_tries_) rtt_sample(w.now() - syn_sent_at_[p.attempt]);
    backoff_ = 0;
    syn_tries_ = 0;
    ++w.counters_.tcp_connections;
    trace_tcp(w, "tcp.connect", local, remote);
    send_ack();
    ConnectHandler h = take(connector_);
    std::unique_ptr<net::TcpStream> s = std::make_unique<SimTcpStream>(home(), *this);
    w.complete(std::move(h), net::error_code(), std::move(s));
    return;
  }
  if (state == State::syn_received) {
    if (p.kind == K::syn_ack || !become_established_server()) return;
  } else if (p.kind == K::syn_ack) {
    return send_ack();  // our ACK was lost
  }
  switch (p.kind) {
    case K::ack:
      return on_ack(p);
    case K::data:
      on_ack(p, false);  // a segment also acknowledges what its sender received
      return on_data(p);
    case K::fin:
      on_ack(p, false);
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
  while (snd_nxt_ < snd_end()) {
    if (next_segment_ == 0) next_segment_ = out_path_->segment_size();
    std::uint64_t size = std::min<std::uint64_t>(next_segment_, snd_end() - snd_nxt_);
    std::uint64_t usable = peer_edge_ > snd_nxt_ ? peer_edge_ - snd_nxt_ : 0;
    if (usable < size) break;
    send_segment(snd_nxt_, static_cast<std::uint32_t>(size));
    snd_nxt_ += size;
    snd_max_ = std::max(snd_max_, snd_nxt_);
    next_segment_ = 0;
  }
  if (fin_queued_ && !fin_sent_ && snd_nxt_ == snd_end()) send_fin();
  bool blocked = snd_nxt_ < snd_end();  // window closed: probe it
  if ((outstanding() || blocked) && !timer_) {
    armed_at_ = world().now();
    arm_timer(rto_ns());
  }
}

void TcpEnd::send_segment(std::uint64_t seq, std::uint32_t len) {
  auto& w = world();
  ++w.counters_.tcp_segments;
  bool again = seq < snd_max_;
  if (again) {
    ++w.counters_.tcp_retransmits;
  } else if (timed_seq_ == UINT64_MAX) {
    timed_seq_ = seq + len;
    timed_at_ = w.now();
  }
  trace_data(again ? TraceKind("tcp.retransmit") : TraceKind("tcp.segment"), true, len,
             static_cast<std::int64_t>(seq));
  TcpPacket p = packet(K::data);
  p.seq = seq;
  p.len = len;
  if (w.packet_sinks()) {
    std::vector<std::uint8_t> bytes(len);
    snd_.copy_out(seq - snd_una_, bytes.data(), len);
    record(w, p, bytes.data());
  }
  ship(p);
}

void TcpEnd::send_fin() {
  fin_sent_ = true;
  if (!fin_received_) fin_first_ = true;  // the active closer ends in TIME_WAIT
  TcpPacket p = packet(K::fin);
  p.seq = snd_end();
  trace_tcp(world(), "tcp.fin", local, remote, -1, static_cast<std::int64_t>(p.seq));
  if (world().packet_sinks()) record(world(), p, nullptr);
  ship(p);
}

// The retransmission (or, with nothing outstanding and the peer's window closed, the persist)
// timer. Gives up as Linux's tcp_write_timeout does: once the time since the first transmission of
// the oldest unacknowledged byte reaches tcp_model_timeout(retries2, TCP_RTO_MIN).
void TcpEnd::on_retransmit_timer() {
  auto& w = world();
  const std::uint32_t boundary = orphaned ? k_tcp_orphan_retries : config().retries2;
  if (!outstanding()) {
    if (snd_nxt_ < snd_end()) {  // zero window: probe
      if (probes_ >= boundary) {
        ++w.counters_.tcp_timeouts;
        return fail(net::error::timed_out);
      }
      ++probes_;
      ship(packet(K::probe));
      backoff_ = std::min<std::uint32_t>(backoff_ + 1, 31);
      arm_timer(rto_ns());
    }
    return;
  }
  if (retrans_stamp_ < 0) retrans_stamp_ = armed_at_;
  if (w.now() - retrans_stamp_ >= tcp_model_timeout(boundary, k_tcp_rto_min_ns)) {
    ++w.counters_.tcp_timeouts;
    return fail(net::error::timed_out);
  }
  backoff_ = std::min<std::uint32_t>(backoff_ + 1, 31);
  timed_seq_ = UINT64_MAX;  // Karn: no RTT sample from what is sent again
  snd_nxt_ = snd_una_;      // go back N
  next_segment_ = 0;
  if (fin_sent_ && !fin_acked_) fin_sent_ = false;
  try_send();
  if (!timer_) arm_timer(rto_ns());
}

void TcpEnd::send_ack() {
  ack_scheduled_ = false;
  if (state == State::closed) return;
  TcpPacket p = packet(K::ack);
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

inline void TcpEnd::trace_data(TraceKind kind, bool to_peer, std::int64_t len, std::int64_t seq) {
  World::Impl& w = world();
  if (to_peer)
    return w.tracer_.emit_words(w.now(), kind, local, local_word_, remote, remote_word_, len, seq);
  w.tracer_.emit_words(w.now(), kind, remote, remote_word_, local, local_word_, len, seq);
}

void TcpEnd::send_rst() {
  auto& w = world();
  ++w.counters_.tcp_resets;
  trace_tcp(w, "tcp.rst", local, remote);
  TcpPacket p = packet(K::rst);
  if (w.packet_sinks()) record(w, p, nullptr);
  ship(p);
}

// ---- receiving

void TcpEnd::on_ack(const TcpPacket& p, bool may_free) {
  auto& w = world();
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
  if (timed_seq_ != UINT64_MAX && p.ack >= timed_seq_) {
    rtt_sample(w.now() - timed_at_);
    timed_seq_ = UINT64_MAX;
  }
  if (data_ack >= snd_una_) peer_edge_ = data_ack + p.wnd;
  probes_ = 0;  // the peer answers
  if (snd_nxt_ < snd_una_) snd_nxt_ = snd_una_;
  if (progress) {
    backoff_ = 0;
    retrans_stamp_ = -1;
  }
  if (progress || (!outstanding() && peer_edge_ > snd_nxt_)) {
    if (timer_) w.cancel(timer_);
    timer_ = {};
  }
  wake_writer();
  try_send();
  if (fin_acked_ && orphaned && !fin_received_ && !linger_until_) {
    linger(k_tcp_fin_timeout_ns);  // an orphan in FIN_WAIT2 waits this long for the peer's FIN
  }
  after_fin_exchange();
  if (may_free) maybe_free();
}

void TcpEnd::on_data(const TcpPacket& p) {
  auto& w = world();
  if (state != State::established) return;
  bool fresh = p.seq + p.len > rcv_nxt_;
  // New data for a socket whose reading side is shut and whose FIN is out (close(), or
  // shutdown(both)): RST, as Linux's tcp_rcv_state_process does in FIN_WAIT. Old duplicates are
  // only acknowledged.
  if (fresh && (orphaned || (read_shut_ && fin_queued_))) {
    send_rst();
    return fail(net::error::connection_reset);
  }
  if (!fresh || p.seq > rcv_nxt_ || fin_received_) return schedule_ack();
  std::uint64_t una = 0;
  const ByteRing* src = w.sent_bytes(p.from, una);
  if (!src || una > rcv_nxt_) return;  // the sender's bytes are kept until its last segment lands
  std::uint64_t take =
      std::min<std::uint64_t>(p.seq + p.len - rcv_nxt_, rcv_cap_ - std::min(rcv_cap_, rcv_.size()));
  take = std::min<std::uint64_t>(
      take, src->size() - std::min<std::uint64_t>(src->size(), rcv_nxt_ - una));
  if (take > 0) {
    const auto offset = static_cast<std::size_t>(rcv_nxt_ - una);
    const auto n = static_cast<std::size_t>(take);
    // A reader waits on an empty buffer with room for the whole segment: the bytes go straight
    // into its buffer. Staging them in rcv_ would end the same way (the read takes all of them
    // and leaves rcv_ empty), at the cost of a second copy and of growing and releasing rcv_.
    const bool direct = reader_ && rcv_.empty() && read_buf_.size() >= n;
    if (direct) {
      src->copy_out(offset, static_cast<std::uint8_t*>(read_buf_.data()), n);
    } else {
      rcv_.append_from(*src, offset, n);
    }
    w.counters_.tcp_bytes += take;
    trace_data("tcp.deliver", false, static_cast<std::int64_t>(take),
               static_cast<std::int64_t>(rcv_nxt_));
    rcv_nxt_ += take;
    if (direct) {
      ReadHandler h = sim::take(reader_);
      after_read();
      w.complete(std::move(h), net::error_code(), n);
    } else {
      wake_reader();
    }
  }
  schedule_ack();
}

void TcpEnd::on_fin(const TcpPacket& p) {
  if (state != State::established) return;
  if (p.seq == rcv_nxt_ && !fin_received_) {
    fin_received_ = true;
    wake_reader();
  }
  schedule_ack();
  after_fin_exchange();
  maybe_free();
}

// Both FINs are through: the active closer lingers in TIME_WAIT; the passive one is done.
void TcpEnd::after_fin_exchange() {
  if (!fin_acked_ || !fin_received_ || state != State::established) return;
  if (fin_first_) {
    if (!in_time_wait()) linger(k_tcp_time_wait_ns);
    return;
  }
  state = State::closed;
  if (timer_) world().cancel(timer_);
  timer_ = {};
}

void TcpEnd::on_rst() {
  if (state == State::closed) return;
  if (state == State::syn_sent) {
    ++world().counters_.tcp_refused;
    trace_tcp(world(), "tcp.refused", local, remote);
    return fail(net::error::connection_refused);
  }
  // tcp_reset: EPIPE in CLOSE_WAIT (the peer's FIN came, ours did not go), ECONNRESET elsewhere.
  bool close_wait = fin_received_ && !fin_queued_;
  fail(close_wait ? net::error::broken_pipe : net::error::connection_reset);
}

// The connection is over: pending operations and the next ones see `ec` once.
void TcpEnd::fail(net::error_code ec) {
  auto& w = world();
  state = State::closed;
  error_ = ec;
  linger_until_ = 0;
  if (timer_) w.cancel(timer_);
  timer_ = {};
  if (connect_timer_) w.cancel(connect_timer_);
  connect_timer_ = {};
  if (last_arrival_out <= w.now()) snd_.clear();  // else segments on the wire still need bytes
  if (listener) {
    listener->forget(*this);
    listener = nullptr;
  }
  if (connector_) {
    ConnectHandler h = take(connector_);
    w.complete(std::move(h), ec, std::unique_ptr<net::TcpStream>());
  }
  wake_reader();
  wake_writer();
  maybe_free();
}

void TcpEnd::linger(std::int64_t ns) {
  linger_until_ = sat_add(world().now(), ns);
  world().linger(self, linger_until_);
}

void TcpEnd::expire() {
  if (!linger_until_ || world().now() < linger_until_) return;
  linger_until_ = 0;
  if (state != State::closed) {
    state = State::closed;
    if (timer_) world().cancel(timer_);
    timer_ = {};
  }
  maybe_free();
}

void TcpEnd::maybe_free() {
  if (stream || listener || connector_) return;
  if (state == State::closed || (fin_acked_ && fin_received_ && !in_time_wait())) free_now();
}

void TcpEnd::free_now() {
  auto& w = world();
  if (last_arrival_out > w.now()) {
    w.keep_sent_bytes(self, std::move(snd_), snd_una_, last_arrival_out);
  }
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

// Window update once the window we last advertised has shrunk below half the buffer.
void TcpEnd::after_read() {
  if (state == State::established && advertised_edge_ - rcv_nxt_ < rcv_cap_ / 2 &&
      advertised_window() >= rcv_cap_ / 2) {
    schedule_ack();
  }
}

void TcpEnd::read(asio::mutable_buffer b, ReadHandler&& h) {
  auto& w = world();
  if (reader_) cancel_reader();
  if (b.size() == 0) return w.complete(std::move(h), net::error_code(), std::size_t{0});
  if (!rcv_.empty()) {
    std::size_t n = std::min(b.size(), rcv_.size());
    rcv_.copy_out(0, static_cast<std::uint8_t*>(b.data()), n);
    rcv_.consume(n);
    after_read();
    return w.complete(std::move(h), net::error_code(), n);
  }
  // The peer's FIN was read: eof, even when an error is stored (Linux checks SOCK_DONE first).
  if (fin_received_) return w.complete(std::move(h), net::error_code(net::error::eof), 0);
  if (error_ && error_ != net::error::eof) {
    net::error_code ec = error_;
    error_ = net::error::eof;
    return w.complete(std::move(h), ec, std::size_t{0});
  }
  if (error_ || read_shut_ || state == State::closed) {
    return w.complete(std::move(h), net::error_code(net::error::eof), std::size_t{0});
  }
  reader_.emplace(std::move(h));
  watch_cancel(*reader_, [this] { cancel_reader(); });
  read_buf_ = b;
}

void TcpEnd::write(asio::const_buffer b, ReadHandler&& h) {
  auto& w = world();
  if (writer_) cancel_writer();
  auto done = [&](net::error_code ec, std::size_t n) { w.complete(std::move(h), ec, n); };
  if (error_ && error_ != net::error::eof) {
    net::error_code ec = error_;
    error_ = net::error::eof;
    return done(ec, 0);
  }
  if (state == State::closed || fin_queued_) return done(net::error::broken_pipe, 0);
  if (b.size() == 0) return done({}, 0);
  std::size_t space = send_cap_ > snd_.size() ? send_cap_ - snd_.size() : 0;
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

// shutdown(SHUT_RD) as Linux does it: data queued now or arriving later stays readable; a read
// of an empty buffer returns eof at once.
void TcpEnd::shut_read() {
  read_shut_ = true;
  wake_reader();
}

void TcpEnd::close_by_app() {
  orphaned = true;
  if (state == State::closed) return maybe_free();
  if (!rcv_.empty()) return abort();  // unread data: RST, as Linux does
  read_shut_ = true;
  shutdown_send();
  if (fin_acked_ && !fin_received_ && !linger_until_) linger(k_tcp_fin_timeout_ns);
  maybe_free();
}

void TcpEnd::abort() {
  orphaned = true;
  if (state == State::closed) return maybe_free();
  if (peer && !in_time_wait()) send_rst();
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
  // Power-off (or the end of the world): silence. Segments already on the wire still arrive.
  if (timer_) world().cancel(timer_);
  timer_ = {};
  if (listener) listener->forget(*this);
  listener = nullptr;
  free_now();  // destroys *this
}

}  // namespace simsock::sim
