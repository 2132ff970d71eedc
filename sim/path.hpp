// One direction of traffic between two hosts (or a host and itself: the loopback path), and the
// one pipeline every packet, TCP segment or UDP datagram, takes along it (Path::pass).
//
// Simplifications: a path is a single queue with a fixed one-way latency plus uniform jitter;
// bandwidth is a serialization delay with a bounded byte queue (drop-tail), no routers or
// cross-traffic. Partitions drop at the sender; clogs hold packets at the sender and release them
// in order. Each path draws from its own random stream, derived from the seed and "from->to".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/sim/config.hpp>
#include <simsock/sim/event_queue.hpp>
#include <simsock/sim/link_model.hpp>
#include <simsock/sim/task.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

class HostImpl;

// The link decisions (loss, queue, delays, segment sizes) are LinkModel's, drawn from the stream
// "path:FROM->TO"; the path adds the partition and clog stages, which need the simulated world.
class Path : public LinkModel {
 public:
  Path(std::uint64_t seed, HostImpl& from, HostImpl& to, const LinkConfig& cfg);

  HostImpl& from() const { return *from_; }
  HostImpl& to() const { return *to_; }
  bool has_own_config() const { return own_config_; }
  void set_own_config(bool v) { own_config_ = v; }

  // The pipeline, in order, for a packet of `wire_bytes` leaving at `now`:
  //   partition (drop) -> clog (hold: `resend()` makes the task that sends it again on release)
  //   -> random loss (TCP data segments: tcp.loss; UDP: udp.loss or the burst model, drawn per
  //   IP fragment, `fragments` of them) -> scripted drops (drop_nth) -> bandwidth queue (drop
  //   when full) -> reordering (UDP) -> latency + jitter -> duplication (UDP).
  // `lossy` is false for TCP control packets, which only partitions, clogs and full queues stop.
  // The caller counts and traces the verdict (udp.drop / tcp.drop with the same reasons).
  template <typename Resend>
  Passage pass(std::int64_t now, PacketRecord::Proto proto, bool lossy, std::size_t fragments,
               std::size_t wire_bytes, Resend&& resend) {
    if (partitioned) return dropped("partition");
    if (clogged) {
      held.emplace_back(resend());
      return Passage{Passage::Verdict::held, 0, {}, false, std::nullopt};
    }
    return decide(now, proto, lossy, fragments, wire_bytes);
  }

  bool partitioned = false;
  bool clogged = false;
  // Stage order for every packet (tcp_model.cpp, udp_model.cpp): partition (drop) -> clog (hold
  // here, in send order, until release) -> loss -> duplicate -> reorder -> bandwidth -> delay.
  std::vector<Task> held;
  // The arrivals of the datagrams over this path (and of TCP packets whose sender end is gone):
  // packets that land at the same instant keep their send order under schedule perturbation.
  EventChain arrivals;

 private:
  static Passage dropped(std::string_view reason) {
    return Passage{Passage::Verdict::dropped, 0, reason, false, std::nullopt};
  }
  HostImpl* from_;
  HostImpl* to_;
  bool own_config_ = false;
};

}  // namespace simsock::sim
