// The simulator's configuration vocabulary: the same names and units as the scenario keys of
// the scenario format (docs/scenario-format.md), so a scenario file, the C++ testing kit and the
// world share one meaning. Plain data; validated by the scenario loader and by World when applied.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace simsock::sim {

using Duration = std::chrono::nanoseconds;

// Gilbert-Elliott two-state burst loss: in the good state datagrams are lost with `loss_good`, in
// the bad state with `loss_bad`; after each datagram the state flips with the given probability.
struct GilbertElliott {
  double p_good_to_bad = 0.0;
  double p_bad_to_good = 1.0;
  double loss_good = 0.0;
  double loss_bad = 1.0;
};

struct UdpLinkConfig {
  double loss = 0.0;       // Bernoulli loss per datagram (per fragment when fragmented)
  double duplicate = 0.0;  // probability a delivered datagram is delivered twice
  double reorder = 0.0;    // probability a datagram is held back and overtaken (extra delay)
  Duration reorder_delay = std::chrono::milliseconds(10);  // how long a reordered one is held
  std::uint32_t mtu = 1500;             // IP MTU; larger datagrams travel as fragments
  std::optional<GilbertElliott> burst;  // if set, replaces `loss` with the burst model
};

struct TcpSegmentPolicy {
  std::uint32_t min = 1460;  // segment size bounds in bytes; min == max: fixed size
  std::uint32_t max = 1460;
};

// TCP timing and buffers of the connections that start on a path, with Linux's defaults (the
// sysctls and constants named beside each field).
struct TcpLinkConfig {
  TcpSegmentPolicy segment;
  double loss = 0.0;  // per data segment
  // Minimum retransmission timeout (Linux TCP_RTO_MIN, the per-route `rto_min`). The RTO itself
  // is computed from the measured round-trip time.
  Duration rto = std::chrono::milliseconds(200);
  Duration initial_rto = std::chrono::seconds(1);  // before any RTT sample (TCP_TIMEOUT_INIT)
  std::uint32_t syn_retries = 6;                   // net.ipv4.tcp_syn_retries
  // net.ipv4.tcp_syn_linear_timeouts (Linux 6.x): the first SYN retransmissions that keep the
  // initial RTO before it doubles; they add to syn_retries. 0 gives the classic schedule.
  std::uint32_t syn_linear_timeouts = 4;
  std::uint32_t retries2 = 15;  // net.ipv4.tcp_retries2
  // Largest send buffer (net.ipv4.tcp_wmem max) and the receive buffer (tcp_rmem default), in
  // bytes of payload.
  std::uint64_t send_buffer = 4 * 1024 * 1024;
  std::uint64_t receive_buffer = 128 * 1024;
};

// One direction of traffic between two hosts.
struct LinkConfig {
  Duration latency = std::chrono::milliseconds(1);  // one-way delay
  Duration jitter{0};                               // extra uniform delay in [0, jitter]
  std::uint64_t bandwidth_bps = 0;                  // bits per second; 0 = unlimited
  std::uint64_t queue_bytes = 1 << 20;              // bounded queue when bandwidth-limited
  UdpLinkConfig udp;
  TcpLinkConfig tcp;
};

// Per-field overrides applied on top of an existing LinkConfig (set_link faults, links entries
// that only name some keys). Unset fields keep their value.
struct LinkPatch {
  std::optional<Duration> latency, jitter;
  std::optional<std::uint64_t> bandwidth_bps, queue_bytes;
  std::optional<double> udp_loss, udp_duplicate, udp_reorder;
  std::optional<Duration> udp_reorder_delay;
  std::optional<std::uint32_t> udp_mtu;
  std::optional<GilbertElliott> udp_burst;
  std::optional<TcpSegmentPolicy> tcp_segment;
  std::optional<double> tcp_loss;
  std::optional<Duration> tcp_rto, tcp_initial_rto;
  std::optional<std::uint32_t> tcp_syn_retries, tcp_syn_linear_timeouts, tcp_retries2;
  std::optional<std::uint64_t> tcp_send_buffer, tcp_receive_buffer;

  void apply_to(LinkConfig& link) const;
};

// Which ordered host pairs a link setting or fault applies to.
struct HostPair {
  std::string a, b;
  bool both_directions = true;  // false: only a -> b
};

// Faults on the timeline (a scenario file's `faults:`).
struct Partition {
  HostPair pair;
};  // traffic between them is dropped
struct Heal {
  HostPair pair;
};  // undo a partition
struct Clog {
  HostPair pair;
};  // traffic is held, not dropped
struct Release {
  HostPair pair;
};  // held traffic is delivered
struct Crash {
  std::string host;
};  // processes stop, sockets vanish (peers see RST)
struct Restart {
  std::string host;
};  // processes start again from scratch
struct Kill {
  std::string process;
};  // the process dies as a killed process does: its sockets are closed by the kernel
struct SetLink {
  HostPair pair;
  LinkPatch patch;
};
using FaultAction = std::variant<Partition, Heal, Clog, Release, Crash, Restart, Kill, SetLink>;

struct Fault {
  Duration at{0};
  FaultAction action;
};

}  // namespace simsock::sim
