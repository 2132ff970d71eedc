// Planning chaos: each kind of fault is a Poisson process over the window, drawn from its own
// stream. Arrival gaps are exponential (-ln(1 - u) / rate, u uniform in [0, 1) from the top 53
// bits); an arrival whose target is still faulted by the same kind is skipped, so faults of one
// kind never overlap on one target and every undo fault undoes exactly one fault.
#include <simsock/tools/scenario/chaos.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <simsock/net/units.hpp>
#include <simsock/sim/rng.hpp>
#include <simsock/sim/time_math.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

namespace {

std::string pair_text(const sim::HostPair& p) {
  return p.a + (p.both_directions ? "<->" : "->") + p.b;
}

std::string percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%%", p * 100.0);
  return buf;
}

// The link of from -> to as the runner configures it: the built-in link, network.default, then
// the pair's own entry.
sim::LinkConfig configured(const ScenarioSpec& spec, const std::string& from,
                           const std::string& to) {
  sim::LinkConfig c;
  spec.default_link.apply_to(c);
  for (const auto& l : spec.links) {
    bool match = (l.pair.a == from && l.pair.b == to) ||
                 (l.pair.both_directions && l.pair.a == to && l.pair.b == from);
    if (match) l.patch.apply_to(c);
  }
  return c;
}

std::vector<sim::HostPair> candidate_pairs(const ScenarioSpec& spec, const ChaosSpec& chaos) {
  if (!chaos.pairs.empty()) return chaos.pairs;
  std::vector<sim::HostPair> out;
  for (std::size_t i = 0; i < spec.hosts.size(); ++i) {
    for (std::size_t j = i + 1; j < spec.hosts.size(); ++j) {
      out.push_back({spec.hosts[i].name, spec.hosts[j].name, true});
    }
  }
  return out;
}

std::vector<std::string> candidate_hosts(const ScenarioSpec& spec, const ChaosSpec& chaos) {
  if (!chaos.hosts.empty()) return chaos.hosts;
  std::vector<std::string> out;
  for (const auto& h : spec.hosts) out.push_back(h.name);
  return out;
}

std::vector<std::string> candidate_processes(const ScenarioSpec& spec, const ChaosSpec& chaos) {
  if (!chaos.processes.empty()) return chaos.processes;
  std::vector<std::string> out;
  for (const auto& p : spec.processes) out.push_back(p.name);
  return out;
}

// The next arrival after `t` for `per_second`, saturating at the end of the clock.
// Arrivals are on whole milliseconds (the next one after t), and durations of a millisecond or
// more are too, so plans and shrunk files read as "at: 4831ms".
constexpr std::int64_t k_ms = 1'000'000;

std::int64_t next_arrival(sim::Rng& rng, std::int64_t t, double per_second) {
  double gap_s = -std::log1p(-rng.real()) / per_second;
  double gap_ns = gap_s * 1e9;
  if (!(gap_ns < 9e18)) return INT64_MAX;
  std::int64_t next = sim::sat_add(t, static_cast<std::int64_t>(gap_ns) + 1);
  if (next > INT64_MAX - k_ms) return INT64_MAX;
  return (next + k_ms - 1) / k_ms * k_ms;
}

Duration draw_duration(sim::Rng& rng, const ChaosKind& k) {
  auto lo = static_cast<std::uint64_t>(k.min.count());
  auto hi = static_cast<std::uint64_t>(k.max.count());
  auto d = static_cast<std::int64_t>(rng.between(lo, hi));
  if (lo >= static_cast<std::uint64_t>(k_ms)) {
    d = std::clamp((d + k_ms / 2) / k_ms * k_ms, k.min.count(), k.max.count());
  }
  return Duration(d);
}

// A link change for one direction: the drawn settings, and the patch that restores `base`.
struct LinkChange {
  sim::LinkPatch apply, undo;
};

struct Planner {
  const ScenarioSpec& spec;
  const ChaosSpec& chaos;
  std::int64_t from, until;
  ChaosPlan plan;

  void run_kind(const std::string& name, const ChaosKind& kind, double per_second,
                std::uint64_t seed) {
    sim::Rng rng(seed, "chaos:" + name);
    const auto pairs = candidate_pairs(spec, chaos);
    const auto hosts = candidate_hosts(spec, chaos);
    const auto procs = candidate_processes(spec, chaos);
    std::size_t targets = name == "crash"  ? hosts.size()
                          : name == "kill" ? procs.size()
                                           : pairs.size();
    if (targets == 0 || per_second <= 0) return;
    std::map<std::size_t, std::int64_t> busy_until;  // target index -> end of its fault
    std::uint64_t planned = 0;
    for (std::int64_t t = next_arrival(rng, from, per_second);
         t < until && planned < k_max_chaos_episodes; t = next_arrival(rng, t, per_second)) {
      std::size_t target = rng.below(targets);
      auto busy = busy_until.find(target);
      if (busy != busy_until.end() && busy->second >= t) continue;
      ChaosEpisode e;
      e.kind = name;
      e.at = Duration(t);
      ++planned;
      if (kind.ends) {
        std::int64_t end = std::min(sim::sat_add(t, draw_duration(rng, kind).count()), until);
        e.until = Duration(end);
        busy_until[target] = end;
      }
      if (name == "partition" || name == "clog") {
        sim::HostPair p = pairs[target];
        if (p.both_directions && rng.chance(chaos.one_way)) {
          p.both_directions = false;
          if (rng.chance(0.5)) std::swap(p.a, p.b);
        }
        e.target = pair_text(p);
        if (name == "partition") {
          e.faults = {{e.at, sim::Partition{p}}, {*e.until, sim::Heal{p}}};
        } else {
          e.faults = {{e.at, sim::Clog{p}}, {*e.until, sim::Release{p}}};
        }
      } else if (name == "crash") {
        e.target = hosts[target];
        e.faults = {{e.at, sim::Crash{e.target}}, {*e.until, sim::Restart{e.target}}};
      } else if (name == "kill") {
        e.target = procs[target];
        e.faults = {{e.at, sim::Kill{e.target}}};
      } else {
        link_episode(rng, pairs[target], e);
      }
      plan.episodes.push_back(std::move(e));
    }
  }

  void link_episode(sim::Rng& rng, const sim::HostPair& p, ChaosEpisode& e) {
    e.target = pair_text(p);
    const ChaosLink& c = chaos.link_change;
    std::optional<double> loss;
    std::optional<Duration> extra, jitter;
    std::optional<sim::TcpSegmentPolicy> segment;
    // Every draw is made whatever is configured, so one setting never shifts another's draws.
    double u_loss = rng.real(), u_latency = rng.real(), u_jitter = rng.real();
    bool segments = rng.chance(0.5);
    if (c.loss) loss = std::min(*c.loss * u_loss, 0.99);
    // Link settings on whole microseconds.
    auto us = [](double ns) { return Duration(static_cast<std::int64_t>(ns / 1000) * 1000); };
    if (c.latency) extra = us(static_cast<double>(c.latency->count()) * u_latency);
    if (c.jitter) jitter = us(static_cast<double>(c.jitter->count()) * u_jitter);
    if (c.segment && segments) segment = c.segment;
    if (loss) e.what += "loss " + percent(*loss) + " ";
    if (extra) e.what += "latency +" + net::format_duration(*extra) + " ";
    if (jitter) e.what += "jitter " + net::format_duration(*jitter) + " ";
    if (segment) {
      e.what +=
          "segment " + std::to_string(segment->min) + ".." + std::to_string(segment->max) + " ";
    }
    if (!e.what.empty()) e.what.pop_back();
    auto change = [&](const std::string& a, const std::string& b) {
      sim::LinkConfig base = configured(spec, a, b);
      LinkChange ch;
      if (loss) {
        ch.apply.udp_loss = ch.apply.tcp_loss = *loss;
        ch.undo.udp_loss = base.udp.loss;
        ch.undo.tcp_loss = base.tcp.loss;
      }
      if (extra) {
        ch.apply.latency = Duration(sim::sat_add(base.latency.count(), extra->count()));
        ch.undo.latency = base.latency;
      }
      if (jitter) {
        ch.apply.jitter = *jitter;
        ch.undo.jitter = base.jitter;
      }
      if (segment) {
        ch.apply.tcp_segment = *segment;
        ch.undo.tcp_segment = base.tcp.segment;
      }
      e.faults.push_back({e.at, sim::SetLink{{a, b, false}, ch.apply}});
      e.faults.push_back({*e.until, sim::SetLink{{a, b, false}, ch.undo}});
    };
    change(p.a, p.b);
    if (p.both_directions) change(p.b, p.a);
    std::stable_sort(e.faults.begin(), e.faults.end(),
                     [](const sim::Fault& x, const sim::Fault& y) { return x.at < y.at; });
  }
};

std::string rate_text(double per_second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g/s", per_second);
  return buf;
}

}  // namespace

std::string ChaosEpisode::describe() const {
  std::string s = net::format_duration(at) + " " + kind + " " + target;
  if (!what.empty()) s += " (" + what + ")";
  if (until) s += " until " + net::format_duration(*until);
  return s;
}

std::vector<sim::Fault> ChaosPlan::faults() const {
  std::vector<sim::Fault> out;
  for (const auto& e : episodes) out.insert(out.end(), e.faults.begin(), e.faults.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const sim::Fault& x, const sim::Fault& y) { return x.at < y.at; });
  return out;
}

ChaosPlan plan_chaos(const ScenarioSpec& spec, std::uint64_t seed) {
  const ChaosSpec& chaos = *spec.chaos;
  Planner p{spec, chaos, chaos.from.count(), chaos.window_end(spec.duration).count(), {}};
  sim::Rng swarm(seed, "chaos:swarm");
  struct Entry {
    const char* name;
    const ChaosKind* kind;
  };
  const Entry kinds[] = {{"partition", &chaos.partition},
                         {"clog", &chaos.clog},
                         {"crash", &chaos.crash},
                         {"kill", &chaos.kill},
                         {"link", &chaos.link}};
  for (const auto& [name, kind] : kinds) {
    // Both swarm draws are made for every kind, on or not, so kinds do not shift each other.
    bool on = swarm.chance(0.5);
    double factor = 0.1 + 0.9 * swarm.real();
    if (!kind->on) continue;
    double rate = kind->per_second;
    if (chaos.swarm) {
      if (!on) continue;
      rate *= factor;
    }
    p.plan.kinds.push_back(std::string(name) + " " + rate_text(rate));
    p.run_kind(name, *kind, rate, seed);
  }
  std::stable_sort(p.plan.episodes.begin(), p.plan.episodes.end(),
                   [](const ChaosEpisode& x, const ChaosEpisode& y) { return x.at < y.at; });
  return p.plan;
}

}  // namespace simsock::scenario
