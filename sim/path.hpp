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

#include "sim/config.hpp"
#include "sim/rng.hpp"
#include "sim/task.hpp"
#include "sim/world.hpp"

namespace simsock::sim {

class HostImpl;

// What the path decided for one packet (Path::pass).
struct Passage {
  enum class Verdict : std::uint8_t { arrive, held, dropped } verdict = Verdict::arrive;
  std::int64_t arrival = 0;  // arrive: when it reaches the other end
  std::string_view reason;   // dropped: "partition", "loss", "fragment_loss", "scripted",
                             // "queue_full" (the same words for both protocols)
  bool reordered = false;    // arrive: held back by the reorder stage (UDP)
  std::optional<std::int64_t> duplicate;  // arrive: a second copy arrives then (UDP)
};

class Path {
 public:
  Path(std::uint64_t seed, HostImpl& from, HostImpl& to, const LinkConfig& cfg);

  HostImpl& from() const { return *from_; }
  HostImpl& to() const { return *to_; }
  const LinkConfig& config() const { return cfg_; }
  void set_config(const LinkConfig& cfg) { cfg_ = cfg; }
  bool has_own_config() const { return own_config_; }
  void set_own_config(bool v) { own_config_ = v; }
  Rng& rng() { return rng_; }

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
    return pass_open(now, proto, lossy, fragments, wire_bytes);
  }

  // Bandwidth (serialization and a bounded queue) and latency + jitter: the arrival time of a
  // packet of `wire_bytes` leaving at `now`, or nullopt when the bandwidth queue is full.
  std::optional<std::int64_t> transit(std::int64_t now, std::size_t wire_bytes);
  // The Gilbert-Elliott or Bernoulli UDP loss decision for one fragment.
  bool udp_lost();

  bool partitioned = false;
  bool clogged = false;
  // Stage order for every packet (tcp_model.cpp, udp_model.cpp): partition (drop) -> clog (hold
  // here, in send order, until release) -> loss -> duplicate -> reorder -> bandwidth -> delay.
  std::vector<Task> held;

  // Scripted drops (ns-3's ReceiveListErrorModel): the listed 1-based indices of the packets
  // counted since the script was set are dropped, on top of random loss (whose draws are not
  // disturbed). TCP counts data segments (retransmissions included); UDP counts datagrams.
  struct DropScript {
    std::vector<std::uint64_t> nth;  // sorted
    std::uint64_t seen = 0;
    // Counts one packet; true when it is one of the listed ones.
    bool take();
  };
  DropScript tcp_script, udp_script;

 private:
  static Passage dropped(std::string_view reason) {
    return Passage{Passage::Verdict::dropped, 0, reason, false, std::nullopt};
  }
  // The stages after partition and clog.
  Passage pass_open(std::int64_t now, PacketRecord::Proto proto, bool lossy, std::size_t fragments,
                    std::size_t wire_bytes);

  HostImpl* from_;
  HostImpl* to_;
  LinkConfig cfg_;
  bool own_config_ = false;
  Rng rng_;
  std::int64_t busy_until_ = 0;
  bool burst_bad_ = false;
};

}  // namespace simsock::sim
