#include <simsock/sim/link_model.hpp>

#include <algorithm>

#include <simsock/sim/time_math.hpp>

namespace simsock::sim {
namespace {
__extension__ typedef unsigned __int128 u128;

Passage dropped(std::string_view reason) {
  return Passage{Passage::Verdict::dropped, 0, reason, false, std::nullopt};
}
}  // namespace

std::size_t udp_fragments(std::size_t len, std::uint32_t mtu) {
  if (len + 28 <= mtu || mtu < 68) return 1;
  std::size_t per_fragment = (mtu - 20) & ~std::size_t{7};
  return (len + 8 + per_fragment - 1) / per_fragment;
}

LinkModel::LinkModel(std::uint64_t seed, std::string_view stream_name, const LinkConfig& cfg)
    : cfg_(cfg), rng_(seed, stream_name) {}

std::optional<std::int64_t> LinkModel::transit(std::int64_t now, std::size_t wire_bytes) {
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

Passage LinkModel::decide(std::int64_t now, PacketRecord::Proto proto, bool lossy,
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

bool LinkModel::DropScript::take() {
  if (nth.empty()) return false;
  ++seen;
  return std::binary_search(nth.begin(), nth.end(), seen);
}

bool LinkModel::udp_lost() {
  if (cfg_.udp.burst) {
    const auto& ge = *cfg_.udp.burst;
    bool lost = rng_.chance(burst_bad_ ? ge.loss_bad : ge.loss_good);
    burst_bad_ = burst_bad_ ? !rng_.chance(ge.p_bad_to_good) : rng_.chance(ge.p_good_to_bad);
    return lost;
  }
  return rng_.chance(cfg_.udp.loss);
}

std::uint32_t LinkModel::segment_size() {
  std::uint64_t lo = std::max<std::uint32_t>(cfg_.tcp.segment.min, 1);
  std::uint64_t hi = std::max<std::uint64_t>(cfg_.tcp.segment.max, lo);
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(rng_.between(lo, hi), k_link_max_segment));
}

}  // namespace simsock::sim
