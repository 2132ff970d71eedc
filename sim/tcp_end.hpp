// The TCP model: one end of a connection, timed as Linux times it.
//
// What it keeps of TCP (Linux 6.x as the reference; docs/fidelity.md names the source of each
// figure):
// - Handshake: connect completes after one round trip. SYNs are retransmitted after the initial
//   RTO (1 s), which stays 1 s for `syn_linear_timeouts` (4) expiries and then doubles, for
//   `syn_retries` (6) + 4 retransmissions: connect reports timed_out 131 s after the first SYN
//   (127 s with syn_linear_timeouts 0, as kernels before that sysctl). A half-open connection on
//   the server retransmits its SYN-ACK, doubling, 5 times.
// - RTO from the measured round-trip time (RFC 6298 with Linux's floor: RTO = SRTT +
//   max(4 RTTVAR, rto_min), at most 120 s), Karn's rule (no sample from a retransmitted segment;
//   the handshake's sample comes from the SYN the SYN-ACK answers, as Linux's timestamps allow),
//   exponential backoff. Data unacknowledged for Linux's `tcp_retries2` time budget (924.6 s for 15
//   retries; 8 for an orphaned socket) fails the connection with timed_out.
// - Buffers: a send buffer (default 4 MiB) bounds what a writer can queue; the receive window is
//   the free part of the receive buffer (default 128 KiB). Zero-window probes with backoff.
// - Close: FIN after queued data; CLOSE_WAIT, LAST_ACK, FIN_WAIT and a 60 s TIME_WAIT that ACKs a
//   retransmitted FIN. Old duplicates are ACKed, never answered with RST. close() with unread data,
//   new data for a closed socket and abort send RST. A RST in CLOSE_WAIT is broken_pipe, elsewhere
//   connection_reset (refused while connecting). A read after the peer's FIN is eof even when an
//   error is stored; each error is reported once, then reads see eof and writes broken_pipe.
// - Segments keep their bytes after their sender is gone: bytes on the wire when a sender aborts,
//   is killed or loses power still arrive (sim/world_impl.hpp keeps the sender's buffer until its
//   last segment has landed).
// What it simplifies: sequence numbers are stream offsets (sim/pcap_writer.hpp convention), no
// congestion control, no SACK or fast retransmit (go-back-N after an RTO), no delayed ACKs (ACKs
// for segments that arrive at the same instant are coalesced), no Nagle, only data segments are
// subject to random loss (control packets see partitions, clogs and crashes), the send buffer does
// not grow (it starts at its maximum), no keepalive.
#pragma once

#include <optional>

#include <simsock/sim/byte_ring.hpp>
#include <simsock/sim/host.hpp>
#include <simsock/sim/udp_model.hpp>
#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {

inline constexpr std::size_t k_tcp_max_segment = 64 * 1024;
inline constexpr std::int64_t k_tcp_rto_max_ns = 120'000'000'000;     // TCP_RTO_MAX
inline constexpr std::int64_t k_tcp_rto_min_ns = 200'000'000;         // TCP_RTO_MIN
inline constexpr std::int64_t k_tcp_time_wait_ns = 60'000'000'000;    // TCP_TIMEWAIT_LEN
inline constexpr std::int64_t k_tcp_fin_timeout_ns = 60'000'000'000;  // tcp_fin_timeout
inline constexpr std::uint32_t k_tcp_synack_retries = 5;              // tcp_synack_retries
inline constexpr std::uint32_t k_tcp_orphan_retries = 8;              // tcp_orphan_retries 0

// Linux's tcp_model_timeout(): how long `boundary` retransmissions take when the RTO starts at
// `rto_base` and doubles up to TCP_RTO_MAX.
std::int64_t tcp_model_timeout(std::uint32_t boundary, std::int64_t rto_base);

class SimTcpStream;
class SimTcpListener;

// One packet of the TCP model as it travels.
struct TcpPacket {
  enum class Kind : std::uint8_t { syn, syn_ack, ack, data, fin, rst, probe } kind;
  // SYN: which try this is (0 = the first); SYN-ACK: the SYN try it answers (as Linux's
  // timestamps echo it), so the handshake yields an RTT sample even after a retransmission.
  std::uint8_t attempt = 0;
  EndRef to, from;
  std::uint64_t seq = 0, ack = 0;
  std::uint32_t len = 0, wnd = 0;  // payload bytes, advertised window
  WireEndpoint src, dst;
};
// A packet in flight is a task holding the packet and its destination host: it must fit the
// task's inline storage, or every segment would cost a heap allocation.
static_assert(sizeof(TcpPacket) + sizeof(void*) <= Task::inline_size);

class TcpEnd final : public SimObject {
 public:
  using ReadHandler = net::detail::QueueCompletion<void(net::error_code, std::size_t)>;
  using ConnectHandler =
      asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)>;
  enum class State : std::uint8_t { syn_sent, syn_received, established, closed };

  // `send_buffer` / `receive_buffer`: bytes, 0 for the path's defaults.
  TcpEnd(SimNetwork& net, const net::Endpoint& local, const net::Endpoint& remote,
         std::size_t send_buffer = 0, std::size_t receive_buffer = 0);
  ~TcpEnd() override;
  void vanish(std::vector<Task>& grave, Vanish how) override;

  // ---- driven by the stream (inside handlers)
  void read(asio::mutable_buffer b, ReadHandler&& h);
  void write(asio::const_buffer b, ReadHandler&& h);
  void shutdown_send();
  void shut_read();
  void close_by_app();  // the stream is gone: FIN (or RST when unread data is left)
  void abort();         // RST now
  void cancel_ops();
  void cancel_reader();
  void cancel_writer();

  // ---- the protocol
  // Sends the first SYN. `timeout_ns` > 0: connect fails with timed_out after that long.
  void start_connect(ConnectHandler h, std::int64_t timeout_ns = 0);
  void receive(const TcpPacket& p);
  // Server side: a SYN arrived for this new or half-open end of `l`; answers with a SYN-ACK.
  void on_syn(const TcpPacket& p, SimTcpListener& l);
  // Timed states (TIME_WAIT, an orphan's FIN_WAIT2) whose time is up end now.
  void expire();

  HostImpl& host() const { return home().host(); }
  HostImpl& peer_host() const { return *peer_host_; }
  // The send buffer, whose front is stream offset `una` (receivers copy segments out of it).
  const ByteRing* send_buffer(std::uint64_t& una) const {
    una = snd_una_;
    return &snd_;
  }
  // True while the end lingers only to answer for a closed connection (TIME_WAIT).
  bool in_time_wait() const { return linger_until_ > 0 && fin_acked_ && fin_received_; }

  EndRef self, peer;
  net::Endpoint local, remote;
  State state = State::syn_sent;
  SimTcpStream* stream = nullptr;
  SimTcpListener* listener = nullptr;  // server side, until accepted
  bool orphaned = false;               // the app closed it
  bool holds_port = false;             // made by connect: its local port is released with it
  std::int64_t last_arrival_out = 0;   // arrival time of our latest packet (FIFO)
  EventChain arrivals_out;             // our packets' arrivals: perturbation keeps their order

 private:
  const TcpLinkConfig& config() const;
  void ship(TcpPacket p);
  TcpPacket packet(TcpPacket::Kind k) const;
  void send_syn();
  void send_syn_ack();
  void try_send();
  void send_segment(std::uint64_t seq, std::uint32_t len);
  void send_fin();
  void send_ack();
  void schedule_ack();
  void arm_timer(std::int64_t delay);
  void on_timer();
  void on_syn_timer();
  void on_synack_timer();
  void on_retransmit_timer();
  void on_ack(const TcpPacket& p, bool may_free = true);
  void on_data(const TcpPacket& p);
  void on_fin(const TcpPacket& p);
  void on_rst();
  void after_fin_exchange();
  bool become_established_server();
  void fail(net::error_code ec);
  void wake_reader();
  void wake_writer();
  // Bytes were read out of the receive buffer: a window update if the window has opened enough.
  void after_read();
  void send_rst();
  // Traces a data event of this connection, `to_peer` from local to remote, else the reverse.
  void trace_data(TraceKind kind, bool to_peer, std::int64_t len, std::int64_t seq);
  void maybe_free();
  void free_now();
  void linger(std::int64_t ns);
  std::uint32_t advertised_window() const;
  std::uint64_t snd_end() const { return snd_una_ + snd_.size(); }
  bool outstanding() const { return snd_una_ < snd_nxt_ || (fin_sent_ && !fin_acked_); }
  void rtt_sample(std::int64_t m);
  std::int64_t rto_ns() const;  // with backoff

  WireEndpoint wire_local_, wire_remote_;   // local, remote as packets carry them
  std::uint64_t local_word_, remote_word_;  // local, remote as the trace digest folds them
  HostImpl* peer_host_;
  Path* out_path_;
  std::size_t send_cap_, rcv_cap_;
  // send side: snd_ holds [snd_una_, snd_end())
  ByteRing snd_;
  std::uint64_t snd_una_ = 0, snd_nxt_ = 0, snd_max_ = 0, peer_edge_ = 0;
  std::uint32_t next_segment_ = 0;
  bool fin_queued_ = false, fin_sent_ = false, fin_acked_ = false, fin_first_ = false;
  // receive side
  ByteRing rcv_;
  std::uint64_t rcv_nxt_ = 0, advertised_edge_ = 0;
  bool fin_received_ = false, read_shut_ = false, ack_scheduled_ = false;
  // errors: reported once, then reads see eof and writes broken_pipe
  net::error_code error_;
  // timing (nanoseconds of virtual time)
  EventId timer_, connect_timer_;
  std::int64_t srtt_ = 0, rttvar_ = 0;    // 0: no sample yet
  std::uint32_t backoff_ = 0;             // RTO expiries since the last progress
  std::uint32_t probes_ = 0;              // unanswered zero-window probes
  std::uint32_t syn_tries_ = 0;           // SYN / SYN-ACK retransmissions
  std::int64_t syn_sent_at_[8] = {};      // when each of the first SYN (or SYN-ACK) tries left
  std::uint8_t syn_attempt_ = 0;          // server: the latest SYN try seen
  bool synack_again_ = false;             // server: a SYN-ACK was sent more than once
  std::uint64_t timed_seq_ = UINT64_MAX;  // end of the segment being timed (Karn's rule)
  std::int64_t timed_at_ = 0;
  std::int64_t armed_at_ = 0;        // when the retransmission timer was armed from idle
  std::int64_t retrans_stamp_ = -1;  // first retransmission's head send time, -1: none
  std::int64_t linger_until_ = 0;    // TIME_WAIT / FIN_WAIT2 deadline, 0: none
  // pending operations
  std::optional<ReadHandler> reader_, writer_;
  asio::mutable_buffer read_buf_;
  asio::const_buffer write_buf_;
  std::optional<ConnectHandler> connector_;

  friend void tcp_receive(World::Impl& w, HostImpl& host, const TcpPacket& p);
};

// Delivery of a packet at its destination host (the world loop).
void tcp_receive(World::Impl& w, HostImpl& host, const TcpPacket& p);
// Puts a packet on the path from -> to, through the path's stages.
void tcp_ship(World::Impl& w, Path& path, TcpPacket p);
// tcp_ship() for a packet of `from`, the live end p.from names (null: none), which the caller has
// at hand.
void tcp_ship_from(World::Impl& w, Path& path, const TcpPacket& p, TcpEnd* from);

}  // namespace simsock::sim
