// The TCP model: one end of a connection.
//
// What it keeps of TCP: a three-way handshake (connect completes after one round trip), SYN
// retries (1 s, then 2 s; timed_out 4 s after the last, 7 s after connect), RST for a port
// nobody listens on, bounded 64 KiB send and receive buffers, a receive window equal to the free
// receive space, segment sizes drawn per segment from the path's policy, per-connection FIFO
// delivery, cumulative ACKs, go-back-N retransmission after an RTO with exponential backoff
// (head-of-line blocking; nothing is lost or reordered; the connection times out after 15 RTOs),
// zero-window probes, FIN after queued data, half-close, RST on abort, on close with unread data,
// on data to a closed socket and on crash.
// What it simplifies: sequence numbers are stream offsets (sim/pcap_writer.hpp convention), no
// congestion control, no SACK or fast retransmit, no delayed ACKs (ACKs for segments that arrive at
// the same instant are coalesced), only data segments are subject to random loss (control packets
// see partitions, clogs and crashes), no TIME_WAIT. Segment payloads are not copied per hop: the
// receiver copies straight out of the sender's send buffer, which holds every unacknowledged
// byte.
#pragma once

#include <optional>

#include "sim/byte_ring.hpp"
#include "sim/host.hpp"
#include "sim/udp_model.hpp"
#include "sim/world_impl.hpp"

namespace simsock::sim {

inline constexpr std::size_t k_tcp_buffer = 64 * 1024;
inline constexpr int k_tcp_max_rto = 15;
inline constexpr int k_syn_retries = 2;
inline constexpr std::int64_t k_syn_timeout_ns = 1'000'000'000;

class SimTcpStream;
class SimTcpListener;

// One packet of the TCP model as it travels.
struct TcpPacket {
  enum class Kind : std::uint8_t { syn, syn_ack, ack, data, fin, rst, probe } kind;
  EndRef to, from;
  std::uint64_t seq = 0, ack = 0;
  std::uint32_t len = 0, wnd = 0;
  WireEndpoint src, dst;
};

class TcpEnd final : public SimObject {
 public:
  using ReadHandler = asio::any_completion_handler<void(net::error_code, std::size_t)>;
  using ConnectHandler =
      asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)>;
  enum class State : std::uint8_t { syn_sent, syn_received, established, closed };

  TcpEnd(SimNetwork& net, const net::Endpoint& local, const net::Endpoint& remote);
  ~TcpEnd() override;
  void vanish(std::vector<Task>& grave, Vanish how) override;

  // ---- driven by the stream (inside handlers)
  void read(asio::mutable_buffer b, ReadHandler h);
  void write(asio::const_buffer b, ReadHandler h);
  void shutdown_send();
  void shut_read();
  void close_by_app();  // the stream is gone: FIN (or RST when unread data is left)
  void abort();         // RST now
  void cancel_ops();
  void cancel_reader();
  void cancel_writer();

  // ---- the protocol
  void start_connect(ConnectHandler h);
  void receive(const TcpPacket& p);
  void send_syn_ack();

  HostImpl& host() const { return home().host(); }
  HostImpl& peer_host() const { return *peer_host_; }

  EndRef self, peer;
  net::Endpoint local, remote;
  State state = State::syn_sent;
  SimTcpStream* stream = nullptr;
  SimTcpListener* listener = nullptr;  // server side, until accepted
  bool orphaned = false;               // the app closed it
  std::int64_t last_arrival_out = 0;   // arrival time of our latest packet (FIFO)

 private:
  void ship(TcpPacket p);
  TcpPacket packet(TcpPacket::Kind k) const;
  void try_send();
  void send_segment(std::uint64_t seq, std::uint32_t len);
  void send_ack();
  void schedule_ack();
  void arm_timer(std::int64_t delay);
  void on_timer();
  void on_syn_timer();
  void on_ack(const TcpPacket& p, bool may_free = true);
  void on_data(const TcpPacket& p);
  void on_fin(const TcpPacket& p);
  void on_rst();
  void become_established_server();
  void fail(net::error_code ec);
  void wake_reader();
  void wake_writer();
  void send_rst();
  void maybe_free();
  std::uint32_t advertised_window() const;
  std::uint64_t snd_end() const { return snd_una_ + snd_.size(); }
  std::int64_t rto_ns() const;

  HostImpl* peer_host_;
  Path* out_path_;
  // send side: snd_ holds [snd_una_, snd_end())
  ByteRing snd_;
  std::uint64_t snd_una_ = 0, snd_nxt_ = 0, snd_max_ = 0, peer_edge_ = k_tcp_buffer;
  std::uint32_t next_segment_ = 0;
  bool fin_queued_ = false, fin_sent_ = false, fin_acked_ = false, fin_out_ = false;
  // receive side
  ByteRing rcv_;
  std::uint64_t rcv_nxt_ = 0, advertised_edge_ = k_tcp_buffer;
  bool fin_received_ = false, read_shut_ = false, ack_scheduled_ = false;
  // errors: reported once, then reads see eof and writes broken_pipe
  net::error_code error_;
  // timers
  EventId timer_;
  int backoff_ = 0, syn_tries_ = 0;
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

}  // namespace simsock::sim
