// Pairing a timeline's faults with their undos (tools/scenario/fault_pairs.hpp).
#include <simsock/tools/scenario/fault_pairs.hpp>

#include <algorithm>
#include <type_traits>

namespace simsock::scenario {

namespace {

bool same_hosts(const sim::HostPair& x, const sim::HostPair& y) {
  return (x.a == y.a && x.b == y.b) || (x.a == y.b && x.b == y.a);
}

// Whether an undo on `undo` ends a fault on `fault`: the same directed pair, or the same hosts
// with a two-way undo (healing both directions ends a one-way partition too).
bool covers(const sim::HostPair& undo, const sim::HostPair& fault) {
  if (undo.both_directions) {
    return same_hosts(undo, fault);
  }
  return !fault.both_directions && undo.a == fault.a && undo.b == fault.b;
}

// The settings a patch sets: one bit per field.
unsigned fields_of(const sim::LinkPatch& p) {
  unsigned bits = 0, bit = 1;
  auto mark = [&](bool set) {
    if (set) bits |= bit;
    bit <<= 1;
  };
  mark(p.latency.has_value());
  mark(p.jitter.has_value());
  mark(p.bandwidth_bps.has_value());
  mark(p.queue_bytes.has_value());
  mark(p.udp_loss.has_value());
  mark(p.udp_duplicate.has_value());
  mark(p.udp_reorder.has_value());
  mark(p.udp_reorder_delay.has_value());
  mark(p.udp_mtu.has_value());
  mark(p.udp_burst.has_value());
  mark(p.tcp_segment.has_value());
  mark(p.tcp_loss.has_value());
  mark(p.tcp_rto.has_value());
  mark(p.tcp_initial_rto.has_value());
  mark(p.tcp_syn_retries.has_value());
  mark(p.tcp_syn_linear_timeouts.has_value());
  mark(p.tcp_retries2.has_value());
  mark(p.tcp_send_buffer.has_value());
  mark(p.tcp_receive_buffer.has_value());
  return bits;
}

// Whether `later` undoes `earlier`.
bool undoes(const sim::Fault& later, const sim::Fault& earlier) {
  return std::visit(
      [&](const auto& u) {
        using U = std::decay_t<decltype(u)>;
        if constexpr (std::is_same_v<U, sim::Heal>) {
          const auto* f = std::get_if<sim::Partition>(&earlier.action);
          return f && covers(u.pair, f->pair);
        } else if constexpr (std::is_same_v<U, sim::Release>) {
          const auto* f = std::get_if<sim::Clog>(&earlier.action);
          return f && covers(u.pair, f->pair);
        } else if constexpr (std::is_same_v<U, sim::Restart>) {
          const auto* f = std::get_if<sim::Crash>(&earlier.action);
          return f && f->host == u.host;
        } else if constexpr (std::is_same_v<U, sim::SetLink>) {
          const auto* f = std::get_if<sim::SetLink>(&earlier.action);
          return f && f->pair.a == u.pair.a && f->pair.b == u.pair.b &&
                 f->pair.both_directions == u.pair.both_directions &&
                 fields_of(f->patch) == fields_of(u.patch);
        } else {
          return false;
        }
      },
      later.action);
}

}  // namespace

bool is_undo(const sim::Fault& f) {
  return std::holds_alternative<sim::Heal>(f.action) ||
         std::holds_alternative<sim::Release>(f.action) ||
         std::holds_alternative<sim::Restart>(f.action);
}

std::vector<FaultUnit> fault_units(const std::vector<sim::Fault>& faults) {
  const std::size_t n = faults.size();
  std::vector<std::optional<std::size_t>> undo_of(n);  // fault -> its undo
  std::vector<bool> taken(n, false);                   // paired, as a fault or as an undo
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i; j-- > 0;) {
      if (taken[j] || faults[j].at >= faults[i].at || !undoes(faults[i], faults[j])) continue;
      undo_of[j] = i;
      taken[i] = taken[j] = true;
      break;
    }
  }
  std::vector<FaultUnit> units;
  for (std::size_t i = 0; i < n; ++i) {
    if (undo_of[i]) {
      units.push_back({i, undo_of[i]});
    } else if (!taken[i]) {
      units.push_back({i, std::nullopt});
    }
  }
  return units;
}

}  // namespace simsock::scenario
