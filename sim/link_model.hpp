// The decisions one direction of a link makes for each packet, without a simulated world: random
// loss (Bernoulli or Gilbert-Elliott), scripted drops, the bandwidth queue, latency + jitter,
// reordering, duplication, and TCP segment sizes. The simulator's Path (sim/path.hpp) and the
// real-socket proxy (tools/proxy/) both decide through this class, so a link means the same
// thing whether the bytes are simulated or real.
//
// Simplifications: time is whatever the caller says `now` is (virtual ns in the simulator,
// nanoseconds since start in the proxy); the bandwidth stage is one serialization queue with
// drop-tail at `queue_bytes`. Every draw comes from one stream named by the caller
// (sim/rng.hpp), in a fixed order per packet, so the same seed and name give the same decisions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <simsock/sim/config.hpp>
#include <simsock/sim/rng.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

// What a link decided for one packet.
struct Passage {
  enum class Verdict : std::uint8_t { arrive, held, dropped } verdict = Verdict::arrive;
  std::int64_t arrival = 0;  // arrive: when it reaches the other end
  std::string_view reason;   // dropped: "partition", "loss", "fragment_loss", "scripted",
                             // "queue_full" (the same words for both protocols)
  bool reordered = false;    // arrive: held back by the reorder stage (UDP)
  std::optional<std::int64_t> duplicate;  // arrive: a second copy arrives then (UDP)
};

// The largest TCP segment a link cuts (a size drawn above it is cut to it).
inline constexpr std::uint32_t k_link_max_segment = 64 * 1024;

// Number of IPv4 fragments a UDP payload of `len` bytes travels as under `mtu` (1 when it fits).
std::size_t udp_fragments(std::size_t len, std::uint32_t mtu);

class LinkModel {
 public:
  // Draws from the stream (seed, stream_name).
  LinkModel(std::uint64_t seed, std::string_view stream_name, const LinkConfig& cfg);

  const LinkConfig& config() const { return cfg_; }
  void set_config(const LinkConfig& cfg) { cfg_ = cfg; }
  Rng& rng() { return rng_; }

  // The stages after partition and clog, for a packet of `wire_bytes` leaving at `now`: random
  // loss (TCP data: tcp.loss; UDP: udp.loss or the burst model, drawn per IP fragment,
  // `fragments` of them) -> scripted drops -> bandwidth queue (dropped when full) -> reordering
  // (UDP) -> latency + jitter -> duplication (UDP). `lossy` false: only a full queue drops it.
  // Never returns Verdict::held.
  Passage decide(std::int64_t now, PacketRecord::Proto proto, bool lossy, std::size_t fragments,
                 std::size_t wire_bytes);

  // Bandwidth (serialization and a bounded queue) and latency + jitter: the arrival time of a
  // packet of `wire_bytes` leaving at `now`, or nullopt when the bandwidth queue is full.
  std::optional<std::int64_t> transit(std::int64_t now, std::size_t wire_bytes);
  // The Gilbert-Elliott or Bernoulli UDP loss decision for one fragment.
  bool udp_lost();
  // The size of the next TCP segment: uniform in the tcp.segment bounds (no draw when they are
  // equal), at most k_link_max_segment.
  std::uint32_t segment_size();
  // When the bandwidth stage is free again (ns, on the caller's clock); 0 when never used.
  std::int64_t busy_until() const { return busy_until_; }

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
  LinkConfig cfg_;
  Rng rng_;
  std::int64_t busy_until_ = 0;
  bool burst_bad_ = false;
};

}  // namespace simsock::sim
