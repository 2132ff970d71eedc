// Faults on the timeline: partition/heal, clog/release, crash/restart, set_link. Each is a
// "fault" trace event. Partitions and clogs act on paths (one or both directions); released
// traffic is sent again in its original order, from the release time.
#include <algorithm>

#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {

void LinkPatch::apply_to(LinkConfig& link) const {
  if (latency) link.latency = *latency;
  if (jitter) link.jitter = *jitter;
  if (bandwidth_bps) link.bandwidth_bps = *bandwidth_bps;
  if (queue_bytes) link.queue_bytes = *queue_bytes;
  if (udp_loss) link.udp.loss = *udp_loss;
  if (udp_duplicate) link.udp.duplicate = *udp_duplicate;
  if (udp_reorder) link.udp.reorder = *udp_reorder;
  if (udp_reorder_delay) link.udp.reorder_delay = *udp_reorder_delay;
  if (udp_mtu) link.udp.mtu = *udp_mtu;
  if (udp_burst) link.udp.burst = *udp_burst;
  if (tcp_segment) link.tcp.segment = *tcp_segment;
  if (tcp_loss) link.tcp.loss = *tcp_loss;
  if (tcp_rto) link.tcp.rto = *tcp_rto;
  if (tcp_initial_rto) link.tcp.initial_rto = *tcp_initial_rto;
  if (tcp_syn_retries) link.tcp.syn_retries = *tcp_syn_retries;
  if (tcp_syn_linear_timeouts) link.tcp.syn_linear_timeouts = *tcp_syn_linear_timeouts;
  if (tcp_retries2) link.tcp.retries2 = *tcp_retries2;
  if (tcp_send_buffer) link.tcp.send_buffer = *tcp_send_buffer;
  if (tcp_receive_buffer) link.tcp.receive_buffer = *tcp_receive_buffer;
}

namespace {

std::string describe(const FaultAction& f) {
  auto pair = [](const HostPair& p) { return p.a + (p.both_directions ? "<->" : "->") + p.b; };
  return std::visit(
      [&](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Partition>) return "partition " + pair(a.pair);
        if constexpr (std::is_same_v<T, Heal>) return "heal " + pair(a.pair);
        if constexpr (std::is_same_v<T, Clog>) return "clog " + pair(a.pair);
        if constexpr (std::is_same_v<T, Release>) return "release " + pair(a.pair);
        if constexpr (std::is_same_v<T, Crash>) return "crash " + a.host;
        if constexpr (std::is_same_v<T, Restart>) return "restart " + a.host;
        if constexpr (std::is_same_v<T, Kill>) return "kill " + a.process;
        if constexpr (std::is_same_v<T, SetLink>) return "set_link " + pair(a.pair);
        return "fault";
      },
      f);
}

}  // namespace

void World::Impl::apply(const FaultAction& f) {
  // Perturbation's delayed completions run before a crash or kill, as if their delay were cut
  // short: no handler of a dead host or process runs after its death.
  if (std::holds_alternative<Crash>(f) || std::holds_alternative<Kill>(f)) flush_delayed();
  ++counters_.faults;
  std::string what = describe(f);
  trace(RawEvent{"fault", nullptr, nullptr, -1, -1, {}, what});
  auto host_of = [this](const std::string& name) -> HostImpl& {
    auto* h = find_host(name);
    if (!h) throw std::invalid_argument("fault names unknown host '" + name + "'");
    return *h;
  };
  auto for_paths = [&](const HostPair& pair, auto fn) {
    HostImpl& a = host_of(pair.a);
    HostImpl& b = host_of(pair.b);
    fn(path(a, b));
    if (pair.both_directions) fn(path(b, a));
  };
  auto release = [this](Path& p) {
    p.clogged = false;
    auto held = std::move(p.held);
    p.held.clear();
    for (auto& t : held) t();
  };
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, Partition>) {
          for_paths(a.pair, [](Path& p) { p.partitioned = true; });
        } else if constexpr (std::is_same_v<T, Heal>) {
          for_paths(a.pair, [](Path& p) { p.partitioned = false; });
        } else if constexpr (std::is_same_v<T, Clog>) {
          for_paths(a.pair, [](Path& p) { p.clogged = true; });
        } else if constexpr (std::is_same_v<T, Release>) {
          for_paths(a.pair, release);
        } else if constexpr (std::is_same_v<T, Crash>) {
          host_of(a.host).do_crash();
        } else if constexpr (std::is_same_v<T, Restart>) {
          host_of(a.host).do_restart();
        } else if constexpr (std::is_same_v<T, Kill>) {
          kill_process(a.process);
        } else if constexpr (std::is_same_v<T, SetLink>) {
          auto patch = [&](const std::string& from, const std::string& to) {
            Path& p = path(host_of(from), host_of(to));
            LinkConfig c = p.config();
            a.patch.apply_to(c);
            p.set_config(c);
            p.set_own_config(true);
            links_[{from, to}] = c;
          };
          patch(a.pair.a, a.pair.b);
          if (a.pair.both_directions) patch(a.pair.b, a.pair.a);
        }
      },
      f);
}

void World::trace_chaos(std::string_view detail) {
  impl_->trace(RawEvent{"chaos", nullptr, nullptr, -1, -1, {}, detail});
}

void World::schedule(const Fault& fault) {
  auto& w = *impl_;
  if (const auto* k = std::get_if<Kill>(&fault.action)) {
    bool known = std::any_of(w.processes_.begin(), w.processes_.end(),
                             [&](const ProcessRecord& p) { return p.name == k->process; });
    if (!known) throw std::invalid_argument("kill names unknown process '" + k->process + "'");
  }
  FaultAction action = fault.action;
  if (!w.in_poll() && fault.at.count() <= w.now()) {
    w.apply(action);
    return;
  }
  w.at(fault.at.count(), Task([&w, action = std::move(action)] { w.apply(action); }));
}

}  // namespace simsock::sim
