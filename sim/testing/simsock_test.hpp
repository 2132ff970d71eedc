// The GoogleTest kit: build a simulated world in a few lines, run your own network code in it,
// and read what happened. docs/writing-tests.md walks through it.
//
//   TEST(Echo, SurvivesTinySegments) {
//     simsock::test::for_each_seed([](std::uint64_t seed) {
//       simsock::test::Sim sim(seed);
//       sim.add_host("server", "10.0.0.1");
//       sim.add_host("client", "10.0.0.2");
//       sim.set_link("client", "server", "{latency: 20ms, tcp: {segment: {min: 1, max: 8}}}");
//       sim.spawn("srv", "server", [](net::Network& net) -> asio::awaitable<int> { ... });
//       sim.spawn("cb", "server", [](net::Network& net, test::Process& p) { ... });  // callbacks
//       sim.start_app("cli", "client", "tcp-ts-client",
//                     {{"connect", "server:21567"}, {"message", "hi"}}, "100ms");
//       sim.run_for("2s");
//       EXPECT_EQ(sim.process("cli").exit_code, 0);
//     }, /*default_count=*/20);
//   }
//
// Every call naming a host throws std::invalid_argument when there is no such host. Link settings
// are written exactly as a scenario file's LINK (docs/scenario-format.md: latency,
// jitter, bandwidth, queue, udp: {loss, duplicate, reorder, reorder_delay, mtu, burst},
// tcp: {segment: {min, max}, loss, rto}), checked by the scenario loader with its messages.
// Durations are "20ms"-style strings or std::chrono durations.
//
// Every host's code (spawned coroutines, apps, network()) goes through a FaultyNetwork, so
// faults(host) can fail the Nth operation, cap reads and writes, or drop scripted datagrams.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/sim/testing/fault_injection.hpp>
#include <simsock/sim/testing/process.hpp>
#include <simsock/sim/testing/seeds.hpp>
#include <simsock/sim/world.hpp>
#include <simsock/tools/scenario/report.hpp>

namespace simsock::report {
class HtmlRecorder;
}

namespace simsock::test {

namespace asio = boost::asio;
using sim::Duration;

// A duration as a scenario file writes it ("20ms", "1.5s", "0"). Throws std::invalid_argument
// with the accepted spellings when malformed.
Duration duration(std::string_view text);

// A LINK written as in a scenario file, as flow YAML: "{latency: 20ms, udp: {loss: 20%}}".
// Throws std::invalid_argument with the loader's message (key, bad value, what is accepted).
sim::LinkPatch link(std::string_view yaml);

// One trace event with owned strings (sim::TraceEvent's views die with the callback).
struct TraceRecord {
  std::int64_t t = 0;
  std::string kind, src, dst;
  std::int64_t len = -1, seq = -1;
  std::string reason, detail;
};

// A process body with no standard streams: code on a host's network returning an exit code.
using Coroutine = std::function<asio::awaitable<int>(net::Network& net)>;

// A simulated world for one test run, with the kit's conveniences. Not copyable.
//
// With the environment variable SIMSOCK_HTML_DIR set, every Sim records its run, and one whose
// test failed while it lived writes the HTML timeline of that run (the page `simsock run --html`
// writes, docs/reports.md) to SIMSOCK_HTML_DIR/SUITE.TEST-seed-N.html when it is destroyed, and
// says so on stderr. The header lists the test's failures and the replay command.
class Sim {
 public:
  explicit Sim(std::uint64_t seed = seed_range().first);
  ~Sim();
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  sim::World& world() { return *world_; }
  std::uint64_t seed() const { return world_->seed(); }

  // ---- topology
  // Adds a host; an empty address picks 10.0.0.N (N = 1, 2, ... in order of addition). The
  // address may be IPv6 ("fd00::1"); the second form gives a host several addresses, IPv4 and
  // IPv6 (`{"10.0.0.1", "fd00::1"}`: its name resolves to them in this order). Bad addresses:
  // std::invalid_argument, as World::add_host.
  sim::Host& add_host(const std::string& name, const std::string& address = "");
  sim::Host& add_host(const std::string& name, const std::vector<std::string>& addresses);
  // The names of the hosts added, in name order.
  std::vector<std::string> host_names() const;
  // Applies a LINK (see link()) to the default of every pair, or to a -> b and b -> a (a -> b
  // only without both_directions). A bad LINK throws std::invalid_argument naming the link as
  // set and the key: "link client->server: tcp.segment.min: ..." ("default link: ..." for the
  // default); an unknown host, or a == b, too.
  void set_default_link(std::string_view yaml);
  void set_link(const std::string& a, const std::string& b, std::string_view yaml,
                bool both_directions = true);
  void set_link(const std::string& a, const std::string& b, const sim::LinkPatch& patch,
                bool both_directions = true);

  // ---- faults on the timeline (`at` is absolute virtual time; default now)
  void partition(const std::string& a, const std::string& b, Duration at = Duration(-1));
  void heal(const std::string& a, const std::string& b, Duration at = Duration(-1));
  // Holds the traffic between a and b (both ways) until release(): nothing is lost.
  void clog(const std::string& a, const std::string& b, Duration at = Duration(-1));
  void release(const std::string& a, const std::string& b, Duration at = Duration(-1));
  // Drops exactly the listed packets on the path from -> to, numbered from 1 starting now
  // (ns-3's ReceiveListErrorModel): "tcp" counts data segments (the stream recovers them by
  // retransmission), "udp" datagrams (trace reason "scripted"). std::invalid_argument otherwise.
  void drop_nth(const std::string& from, const std::string& to, std::string_view proto,
                std::vector<std::uint64_t> nth);
  // Powers `host` off: its processes stop, its sockets vanish without a word (peers notice by
  // their own time-outs); restart() boots it and its processes start again.
  void crash(const std::string& host, Duration at = Duration(-1));
  void restart(const std::string& host, Duration at = Duration(-1));
  // Kills process `name` (spawned with spawn()) as a killed process dies on Linux: the kernel
  // closes its sockets (FIN, or RST where data was unread); its state becomes killed.
  // std::invalid_argument for an unknown process.
  void kill(const std::string& name, Duration at = Duration(-1));

  // ---- code on hosts
  // The network code on `host` uses (through its FaultPlan), for test-driver code outside any
  // process. Valid while the Sim lives. Objects made from it vanish when the host crashes and
  // nothing started on it starts again at restart: code that must come back with its host
  // belongs in spawn().
  net::Network& network(const std::string& host);
  // The targeted faults of `host`'s code (fault_injection.hpp).
  FaultPlan& faults(const std::string& host);
  // Starts `body` as process `name` on `host` at `start`; process(name) says how it went. It
  // starts again from scratch each time its host restarts after a crash, as apps do. `body` is
  // one of (process.hpp):
  //  - a coroutine `asio::awaitable<int>(net::Network&)` or `(net::Network&, Stdio&)`: the
  //    process ends when it returns, with that exit status;
  //  - callback code `void(net::Network&)` or `void(net::Network&, Process&)`: it starts
  //    operations and returns; the process ends with 0 once none is pending, or with
  //    Process::exit(code).
  // Stdio::out()/err() write to process(name).out/.err. std::invalid_argument for an unknown
  // host.
  template <typename Body>
  void spawn(const std::string& name, const std::string& host, Body body,
             Duration start = Duration(0));
  // Starts the app called `app` (a built-in app, or one of those given to use_apps) with options
  // as (name, value) pairs, checked like a scenario's `args:` (std::invalid_argument naming the
  // option otherwise).
  void start_app(const std::string& name, const std::string& host, const std::string& app,
                 const std::vector<std::pair<std::string, std::string>>& args = {},
                 std::string_view start = "0", std::string stdin_text = {});
  // The same for an app declared in the test itself (no catalog needed).
  void start_app(const std::string& name, const std::string& host, const apps::AppSpec& app,
                 const std::vector<std::pair<std::string, std::string>>& args = {},
                 std::string_view start = "0", std::string stdin_text = {});
  // Adds the user's apps to those start_app knows by name (checked as apps::with_builtin_apps
  // does: std::invalid_argument for a taken name or a malformed declaration).
  void use_apps(std::vector<apps::AppSpec> own);
  // The apps start_app knows by name: the built-in ones and those given to use_apps.
  const std::vector<apps::AppSpec>& catalog() const { return catalog_; }
  // Runs `fn` at virtual time `t` from the world loop.
  void at(Duration t, std::function<void()> fn);

  // ---- running
  void run_for(Duration d);
  void run_for(std::string_view d) { run_for(duration(d)); }
  // Runs until `done()` holds (checked after every event) or `limit` of virtual time passes.
  // Returns whether it holds.
  bool run_until(const std::function<bool()>& done, Duration limit);
  Duration now() const { return world_->now(); }

  // ---- observation
  std::uint64_t stat(std::string_view name) const;  // 0 when never counted
  const sim::Stats& stats() const { return world_->stats(); }
  const std::vector<TraceRecord>& trace() const { return trace_; }
  // The trace events of one kind ("tcp.segment", ...).
  std::vector<TraceRecord> trace(std::string_view kind) const;
  // The process called `name` (std::out_of_range when there is none).
  sim::ProcessResult process(const std::string& name) const;
  std::string digest() const { return world_->digest_hex(); }

 private:
  struct HostState;
  class Recorder;
  HostState& state(const std::string& host);
  // Throws std::invalid_argument "CALL: no host called 'HOST' (hosts: a, b)" unless it exists.
  void require_host(std::string_view call, const std::string& host) const;
  void require_pair(std::string_view call, const std::string& a, const std::string& b) const;
  void write_failure_report();
  void schedule(Duration at, sim::FaultAction action);
  void spawn_callback(const std::string& name, const std::string& host, ProcessCallback body,
                      Duration start);
  void spawn_stdio(const std::string& name, const std::string& host, StdioCoroutine body,
                   Duration start);

  std::unique_ptr<sim::World> world_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<report::HtmlRecorder> html_;  // with SIMSOCK_HTML_DIR
  int parts_at_start_ = 0;                      // the test's results when the Sim was made
  int seed_parts_at_start_ = 0;                 // and its seed's intercepted ones
  std::vector<TraceRecord> trace_;
  std::map<std::string, std::unique_ptr<HostState>, std::less<>> hosts_;
  sim::LinkConfig default_link_;
  int next_address_ = 1;
  std::vector<apps::AppSpec> catalog_ = apps::all_apps();
};

template <typename Body>
void Sim::spawn(const std::string& name, const std::string& host, Body body, Duration start) {
  using net::Network;
  if constexpr (std::is_invocable_v<Body&, Network&, Process&>) {
    using R = std::invoke_result_t<Body&, Network&, Process&>;
    if constexpr (std::is_void_v<R>) {
      spawn_callback(name, host, ProcessCallback(std::move(body)), start);
    } else {
      static_assert(std::is_convertible_v<R, asio::awaitable<int>>,
                    "spawn: a body taking (Network&, Stdio&) returns asio::awaitable<int>");
      spawn_stdio(name, host, StdioCoroutine(std::move(body)), start);
    }
  } else {
    static_assert(std::is_invocable_v<Body&, Network&>,
                  "spawn: the body takes (net::Network&) or (net::Network&, Process&)");
    using R = std::invoke_result_t<Body&, Network&>;
    if constexpr (std::is_void_v<R>) {
      spawn_callback(
          name, host, [cb = Callback(std::move(body))](Network& net, Process&) { cb(net); }, start);
    } else {
      static_assert(std::is_convertible_v<R, asio::awaitable<int>>,
                    "spawn: a coroutine body returns asio::awaitable<int>");
      spawn_stdio(
          name, host, [co = Coroutine(std::move(body))](Network& net, Stdio&) { return co(net); },
          start);
    }
  }
}

// A fixture: sim() is a world seeded with seed_range().first (SIMSOCK_SEED replays a seed,
// --gtest_repeat advances it), and every failure of the test carries the seed and its replay
// command, on a trace line that points at the test's own TEST_F. For sweeps over many seeds, use
// for_each_seed with a Sim per seed instead.
class SimTest : public ::testing::Test {
 protected:
  SimTest();
  Sim& sim() { return sim_; }
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  ::testing::ScopedTrace trace_;
  Sim sim_;
};

// Loads a scenario file and runs it (with its own seed, or `seed`), returning the report object
// `simsock run --json` prints. Its `app:` keys may name any app of `catalog` (for a user's apps:
// apps::with_builtin_apps(own)). Throws scenario::ScenarioError for an invalid file.
scenario::RunResult run_scenario_file(const std::string& path,
                                      std::optional<std::uint64_t> seed = std::nullopt,
                                      const std::vector<apps::AppSpec>& catalog = apps::all_apps());

// Runs `body` on a fresh Sim twice with `seed` and compares the digests, counters and process
// results. Fails with both digests and the replay command when they differ.
::testing::AssertionResult deterministic(const std::function<void(Sim&)>& body, std::uint64_t seed);

}  // namespace simsock::test
