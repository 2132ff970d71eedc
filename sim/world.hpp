// The simulated world: virtual time, the event queue, seeded randomness, hosts, paths between
// them, processes, faults, counters and the trace. Single-threaded; no globals; any number of
// worlds per process (each owns everything it uses).
//
// Code runs on hosts through net::Network (Host::network()), with Asio completion tokens working
// exactly as on real sockets: the world runs them on its own single-threaded scheduler (a FIFO of
// ready handlers, sim/loop.hpp) and advances virtual time between rounds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include <simsock/net/network.hpp>
#include <simsock/sim/config.hpp>
#include <simsock/sim/perturb.hpp>

namespace simsock::sim {

namespace asio = boost::asio;

// ---- observation ---------------------------------------------------------------------------

// One event of the trace (`--trace`; docs/scenario-format.md). Fields that do not apply are
// empty/0.
struct TraceEvent {
  std::int64_t t = 0;       // virtual ns
  std::string_view kind;    // "udp.send", "tcp.segment", "process.exit", ...
  std::string src, dst;     // "10.0.0.2:40001"
  std::int64_t len = -1;    // payload bytes, -1 when not applicable
  std::int64_t seq = -1;    // tcp.segment / tcp.retransmit: stream offset
  std::string_view reason;  // udp.drop: "loss", "partition", "no_listener", "overflow", ...
  std::string detail;       // free text: process name, fault description, exit code
};

// Receives every trace event, in virtual-time order.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void on_event(const TraceEvent& e) = 0;
};

// One packet put on the (virtual) wire, for the pcap writer.
struct PacketRecord {
  std::int64_t t = 0;  // virtual ns at which it left the sender
  enum class Proto { tcp, udp } proto = Proto::udp;
  net::Endpoint src, dst;
  // TCP only: sequence/ack numbers relative to the stream (offset 0 = first data byte), flags.
  std::uint32_t seq = 0, ack = 0;
  bool syn = false, fin = false, rst = false, ack_flag = false;
  std::uint16_t window = 65535;
  const std::uint8_t* payload = nullptr;  // valid only during the callback
  std::size_t payload_len = 0;
};

// What the path decided for the packet of the latest on_packet call (told right after it, in the
// same call), or for a packet a clog held and now releases (told on release, with no on_packet
// before it; held packets of one path are released in the order they were held).
struct PacketPassage {
  std::int64_t t = 0;         // virtual ns of the decision
  std::string_view from, to;  // the path's hosts
  enum class Verdict : std::uint8_t { arrive, held, dropped } verdict = Verdict::arrive;
  std::string_view reason;         // dropped: "partition", "loss", "scripted", "queue_full", ...
  std::int64_t arrival = -1;       // arrive: virtual ns at which it reaches `to`
  std::int64_t latency = 0;        // the path's one-way latency (arrival - t - latency: jitter,
                                   // serialization, queueing, reordering, TCP in-order wait)
  bool reordered = false;          // arrive: held back by the reorder stage (UDP)
  std::int64_t duplicate_at = -1;  // arrive: a second copy arrives then (UDP), else -1
};

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(const PacketRecord& p) = 0;
  // The path's decision for a packet (see PacketPassage). The default ignores it.
  virtual void on_passage(const PacketPassage& /*d*/) {}
};

// The counters of the run report ("udp.sent", "tcp.segments", ...), and any others the
// models keep, by name, in name order.
using Stats = std::map<std::string, std::uint64_t, std::less<>>;

// ---- processes -----------------------------------------------------------------------------

enum class ProcessState { running, exited, crashed, failed, killed };
std::string_view to_string(ProcessState s);

// Captured standard streams of a simulated process.
struct ProcessIo {
  std::string in;          // whole standard input
  std::size_t in_pos = 0;  // how much has been read
  std::string out, err;
};

// A process body: runs on `net` (its host's network) and returns an exit code. Called again
// from scratch when the host restarts.
using ProcessBody = std::function<asio::awaitable<int>(net::Network& net, ProcessIo& io)>;

struct ProcessResult {
  std::string name, host, app;
  ProcessState state = ProcessState::running;
  std::optional<int> exit_code;
  std::string out, err;
  std::string failure;  // what was thrown, for state failed
};

// ---- the world -----------------------------------------------------------------------------

class Host;

// Thrown by the running calls of World when the virtual clock stops advancing: more than
// World::max_events_per_instant() events and handlers ran at one virtual instant (a loop over
// zero-latency paths, or handlers that re-post themselves forever). The world is left as it was
// at that instant; what() names the instant and the count.
class Stalled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class World {
 public:
  explicit World(std::uint64_t seed = 1);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  std::uint64_t seed() const;

  // Hosts. A host has one or more addresses, IPv4 ("10.0.0.1") or IPv6 ("fd00::1"), each a
  // unicast address that is neither loopback, unspecified, multicast, broadcast nor IPv4-mapped.
  // Names and addresses must be unique (std::invalid_argument otherwise, naming the host and the
  // address). Its first address of each family is the source of its traffic in that family.
  Host& add_host(const std::string& name, const std::string& address);
  Host& add_host(const std::string& name, const std::vector<std::string>& addresses);
  Host* find_host(std::string_view name);
  Host& host(std::string_view name);  // throws std::out_of_range

  // Paths. The default applies to every ordered pair without its own setting.
  void set_default_link(const LinkConfig& link);
  void set_link(const std::string& from, const std::string& to, const LinkConfig& link);
  const LinkConfig& link(const std::string& from, const std::string& to) const;

  // The virtual wall clock at t = 0 (default 2000-01-01T00:00:00Z).
  void set_start_time(std::chrono::system_clock::time_point t);

  // Starts `body` as process `name` on `host` at virtual time `start`.
  void spawn(const std::string& name, const std::string& host, const std::string& app,
             ProcessBody body, std::string stdin_text = {}, Duration start = Duration(0));

  // Scripted drops on the path from -> to (ns-3's ReceiveListErrorModel): drops exactly the
  // listed packets, numbered from 1 starting now: TCP data segments (retransmissions included;
  // the model retransmits them as for any loss) or UDP datagrams (trace reason "scripted").
  // Replaces an earlier script for the same path and protocol. std::out_of_range for an unknown
  // host.
  void drop_nth(const std::string& from, const std::string& to, PacketRecord::Proto proto,
                std::vector<std::uint64_t> nth);

  // Adds a "chaos" trace event at the current time with `detail` (a planned random fault, so
  // that a trace shows the plan it ran under). Counts in the digest like every event.
  void trace_chaos(std::string_view detail);

  // Schedules a fault (or runs it now if its time has passed). A Kill must name a process spawned
  // already (std::invalid_argument otherwise); other faults name hosts, checked when they apply.
  void schedule(const Fault& fault);
  // Runs `fn` at virtual time `t` (from the world loop, not inside any handler).
  void at(Duration t, std::function<void()> fn);

  // Schedule perturbation (sim/perturb.hpp): applies to events and completions queued from now
  // on; call it before building the world for a whole perturbed run. Off until called.
  void set_perturb(const PerturbOptions& options);
  const PerturbOptions& perturb() const;

  // Running. run(): until nothing is left to do. run_until(t): events up to and including t,
  // then the clock reads t. run_for(d): run_until(now() + d). step(): one event; false if none.
  void run();
  void run_until(Duration t);
  void run_for(Duration d);
  bool step();
  // Runs until `done()` holds (checked before anything runs and after every handler round and
  // event) or the next event lies beyond `deadline` (the clock then reads `deadline`). Returns
  // whether `done()` holds.
  bool run_until_done(const std::function<bool()>& done, Duration deadline);
  Duration now() const;
  // The livelock guard: at most this many events and handlers at one virtual instant before the
  // running calls throw Stalled. Default 10,000,000 (a few seconds of work); 0 turns it off.
  std::uint64_t max_events_per_instant() const;
  void set_max_events_per_instant(std::uint64_t n);
  // Agenda events run plus completion handlers run (each handler the scheduler runs counts).
  std::uint64_t events_processed() const;

  // Results, in spawn order (running processes report state running).
  std::vector<ProcessResult> processes() const;

  // Observation. The digest covers every trace event (whether or not a sink is attached).
  const Stats& stats() const;
  std::uint64_t digest() const;
  std::string digest_hex() const;          // 16 lower-case hex digits
  void add_trace_sink(TraceSink* sink);    // not owned; must outlive the world's run
  void add_packet_sink(PacketSink* sink);  // not owned

  class Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class Host {
 public:
  virtual ~Host() = default;
  virtual const std::string& name() const = 0;
  // The host's first address (as given to World::add_host).
  virtual const asio::ip::address& address() const = 0;
  // Every address of the host, in the order World::add_host was given them (loopback not
  // included); a name lookup of the host returns them in this order.
  virtual const std::vector<asio::ip::address>& addresses() const = 0;
  // A Network for code running on this host (tests, user coroutines). Objects made from it
  // vanish when the host crashes.
  virtual net::Network& network() = 0;
  virtual void crash() = 0;
  virtual void restart() = 0;
};

}  // namespace simsock::sim
