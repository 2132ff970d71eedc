// Random fault plans: a scenario's `chaos:` section says which kinds of fault may happen, how
// often and for how long; a seed turns it into a plan, an explicit list of timeline faults.
// Partitions (both ways or one way) and clogs of host pairs, host crashes with restarts, process
// kills and link changes (loss, latency, jitter, segment sizes) each arrive as a Poisson process
// of the kind's rate inside the window [from, until), and every fault has ended by `until`, which
// is at most the scenario's end minus a quiet tail. With `swarm`, each seed also chooses which
// kinds are on (each with probability 1/2) and draws each rate in [rate/10, rate], so a sweep
// covers many fault mixes (TigerBeetle's VOPR "swarm testing").
//
// The plan is a function of (spec, seed) alone: every draw comes from sim::Rng streams named
// "chaos:swarm" and "chaos:KIND", so chaos never changes a draw of the paths, the TCP model or
// the perturbation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <simsock/sim/config.hpp>

namespace simsock::scenario {

struct ScenarioSpec;
using sim::Duration;

// One kind of fault in a chaos section.
struct ChaosKind {
  bool on = false;
  double per_second = 0;    // mean arrivals per second of the window (the rate)
  std::string rate_text;    // as written: "1/2s", for messages and reports
  Duration min{0}, max{0};  // how long each lasts (not used by kill)
  bool ends = true;         // false for kill: it is a moment, nothing is undone
};

// What a link change does while it lasts; each field set is drawn afresh per change.
struct ChaosLink {
  std::optional<double> loss;                    // UDP and TCP loss uniform in [0, loss]
  std::optional<Duration> latency;               // extra one-way delay uniform in [0, latency]
  std::optional<Duration> jitter;                // jitter uniform in [0, jitter]
  std::optional<sim::TcpSegmentPolicy> segment;  // segment sizes, on half the changes
};

// A scenario's `chaos:` section (docs/exploring.md).
struct ChaosSpec {
  Duration from{0};
  std::optional<Duration> until;  // default: the scenario's duration minus quiet
  Duration quiet{0};
  bool swarm = false;
  double one_way = 0.5;                // probability a partition or clog cuts one direction only
  std::vector<sim::HostPair> pairs;    // partition, clog and link targets; empty: every pair
  std::vector<std::string> hosts;      // crash targets; empty: every host
  std::vector<std::string> processes;  // kill targets; empty: every process
  ChaosKind partition, clog, crash, kill, link;
  ChaosLink link_change;
  int line = 0;  // where the section starts, for messages

  // The end of the window for a scenario of `duration`.
  Duration window_end(Duration duration) const { return until ? *until : duration - quiet; }
};

// One fault episode of a plan: a partition and its heal, a crash and its restart, a kill.
struct ChaosEpisode {
  std::string kind;    // "partition", "clog", "crash", "kill", "link"
  std::string target;  // "client<->server", "client->server", a host or a process
  Duration at{0};
  std::optional<Duration> until;   // when it is undone; none for a kill
  std::string what;                // a link change's settings: "loss 12% latency +40ms"
  std::vector<sim::Fault> faults;  // the timeline faults it is made of, in time order

  // "1.2s partition client<->server until 1.5s".
  std::string describe() const;
};

struct ChaosPlan {
  // The kinds that are on for this seed with their rates ("partition 0.42/s"), in kind order.
  std::vector<std::string> kinds;
  std::vector<ChaosEpisode> episodes;  // by start time (kind order, then arrival, at ties)

  // Every episode's faults, by time (stable: ties keep episode order).
  std::vector<sim::Fault> faults() const;
};

// The plan for `spec` (which must have a chaos section) and `seed`.
ChaosPlan plan_chaos(const ScenarioSpec& spec, std::uint64_t seed);

// The most episodes one kind may plan in a window: the loader refuses a rate and window whose
// expected count is above it, and planning stops there.
inline constexpr std::uint64_t k_max_chaos_episodes = 10000;

}  // namespace simsock::scenario
