#include "sim/path.hpp"

#include <algorithm>

#include "sim/host.hpp"
#include "sim/time_math.hpp"

namespace simsock::sim {
namespace {
__extension__ typedef unsigned __int128 u128;
}  // namespace

Path::Path(std::uint64_t seed, HostImpl& from, HostImpl& to, const LinkConfig& cfg)
    : from_(&from), to_(&to), cfg_(cfg), rng_(seed, "path:" + from.name() + "->" + to.name()) {}

std::optional<std::int64_t> Path::transit(std::int64_t now, std::size_t wire_bytes) {
  std::int64_t depart = now;
  if (cfg_.bandwidth_bps > 0) {
    std::int64_t start = std::max(now, busy_until_);
    auto backlog_ns = static_cast<u128>(start - now);
    auto backlog_bytes =
        static_cast<std::uint64_t>(backlog_ns * cfg_.bandwidth_bps / 8 / 1'000'000'000ULL);
    if (backlog_bytes + wire_bytes > cfg_.queue_bytes) return std::nullopt;
    auto ser = static_cast<std::int64_t>(static_cast<u128>(wire_bytes) * 8 * 1'000'000'000ULL /
                                         cfg_.bandwidth_bps);
    busy_until_ = sat_add(start, ser);
    depart = busy_until_;
  }
  std::int64_t delay = cfg_.latency.count();
  if (cfg_.jitter.count() > 0) {
    delay = sat_add(delay, static_cast<std::int64_t>(
                               rng_.between(0, static_cast<std::uint64_t>(cfg_.jitter.count()))));
  }
  return sat_add(depart, delay);
}

Passage Path::pass_open(std::int64_t now, PacketRecord::Proto proto, bool lossy,
                        std::size_t fragments, std::size_t wire_bytes) {
  const bool udp = proto == PacketRecord::Proto::udp;
  if (lossy) {
    if (udp) {
      bool lost = false;
      for (std::size_t i = 0; i < fragments; ++i) lost |= udp_lost();
      if (lost) return dropped(fragments > 1 ? "fragment_loss" : "loss");
      if (udp_script.take()) return dropped("scripted");
    } else {
      bool lost = rng_.chance(cfg_.tcp.loss);
      bool scripted = tcp_script.take();  // counts every data segment, lost or not
      if (scripted || lost) return dropped(scripted ? "scripted" : "loss");
    }
  }
  auto arrival = transit(now, wire_bytes);
  if (!arrival) return dropped("queue_full");
  Passage v{Passage::Verdict::arrive, *arrival, {}, false, std::nullopt};
  if (udp) {
    if (rng_.chance(cfg_.udp.reorder)) {
      v.reordered = true;
      v.arrival = sat_add(v.arrival, cfg_.udp.reorder_delay.count());
    }
    if (rng_.chance(cfg_.udp.duplicate)) v.duplicate = transit(now, wire_bytes);
  }
  return v;
}

bool Path::DropScript::take() {
  if (nth.empty()) return false;
  ++seen;
  return std::binary_search(nth.begin(), nth.end(), seen);
}

bool Path::udp_lost() {
  if (cfg_.udp.burst) {
    const auto& ge = *cfg_.udp.burst;
    bool lost = rng_.chance(burst_bad_ ? ge.loss_bad : ge.loss_good);
    burst_bad_ = burst_bad_ ? !rng_.chance(ge.p_bad_to_good) : rng_.chance(ge.p_good_to_bad);
    return lost;
  }
  return rng_.chance(cfg_.udp.loss);
}

}  // namespace simsock::sim
