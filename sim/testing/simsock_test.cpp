#include <simsock/sim/testing/simsock_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <simsock/apps/app.hpp>
#include <simsock/net/units.hpp>
#include <simsock/sim/testing/process_body.hpp>
#include <simsock/tools/app_process.hpp>
#include <simsock/tools/report/html_recorder.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>

namespace simsock::test {
namespace {

// Runs `body` on a FaultyNetwork over the process's own network. A free function, so that the
// body and the plan live in the coroutine frame.
asio::awaitable<int> run_with_faults(std::shared_ptr<FaultPlan> plan, sim::ProcessBody body,
                                     net::Network& net, sim::ProcessIo& io) {
  FaultyNetwork faulty(net, std::move(plan));
  co_return co_await body(faulty, io);
}

sim::ProcessBody with_faults(std::shared_ptr<FaultPlan> plan, sim::ProcessBody body) {
  return [plan = std::move(plan), body = std::move(body)](net::Network& net, sim::ProcessIo& io) {
    return run_with_faults(plan, body, net, io);
  };
}

}  // namespace

Duration duration(std::string_view text) {
  auto d = net::parse_duration(text);
  if (!d)
    throw std::invalid_argument(
        "'" + std::string(text) +
        "' is not a duration (a number with ns, us, ms, s or m: 20ms, 1.5s)");
  return *d;
}

namespace {

// The LINK `yaml` as the loader reads network.default, with its messages about `label` (the
// link as the user set it) instead of about network.default.
sim::LinkPatch parse_link(std::string_view yaml, const std::string& label) {
  std::string text = "network: {default: " + std::string(yaml) +
                     "}\nname: link\nduration: 1s\nhosts: [{name: a, address: 10.0.0.1}]\n";
  try {
    return scenario::load_scenario_text(text, "<link>").default_link;
  } catch (const scenario::ScenarioError& e) {
    std::string message = e.message();
    for (std::string_view key : {"network.default.", "network.default"}) {
      for (std::size_t at; (at = message.find(key)) != std::string::npos;)
        message.erase(at, key.size());
    }
    throw std::invalid_argument(label + ": " + message + " (in " + std::string(yaml) + ")");
  }
}

}  // namespace

sim::LinkPatch link(std::string_view yaml) {
  return parse_link(yaml, "link");
}

struct Sim::HostState {
  std::shared_ptr<FaultPlan> plan = std::make_shared<FaultPlan>();
  std::unique_ptr<FaultyNetwork> network;
};

std::vector<std::string> Sim::host_names() const {
  std::vector<std::string> out;
  for (const auto& [name, state] : hosts_) out.push_back(name);
  return out;
}

class Sim::Recorder final : public sim::TraceSink {
 public:
  explicit Recorder(std::vector<TraceRecord>& out) : out_(out) {}
  void on_event(const sim::TraceEvent& e) override {
    out_.push_back(TraceRecord{e.t, std::string(e.kind), e.src, e.dst, e.len, e.seq,
                               std::string(e.reason), e.detail});
  }

 private:
  std::vector<TraceRecord>& out_;
};

Sim::Sim(std::uint64_t seed)
    : world_(std::make_unique<sim::World>(seed)), recorder_(std::make_unique<Recorder>(trace_)) {
  world_->add_trace_sink(recorder_.get());
  const char* dir = std::getenv("SIMSOCK_HTML_DIR");
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (dir && *dir && test) {
    html_ = std::make_unique<report::HtmlRecorder>(*world_);
    parts_at_start_ = test->result()->total_part_count();
    if (const auto* seed = detail::seed_failures()) seed_parts_at_start_ = seed->size();
  }
}

Sim::~Sim() {
  if (html_) {
    try {
      write_failure_report();
    } catch (const std::exception& e) {
      std::cerr << "simsock: no HTML report of the failing run: " << e.what() << "\n";
    }
  }
  // Objects made through the wrappers belong to the world's coroutines: end the world first.
  world_.reset();
}

// The test's failures since this Sim was made, as the report's checks; nothing when there are
// none (a later seed of a for_each_seed loop does not inherit an earlier seed's failure).
void Sim::write_failure_report() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!test) return;
  const auto* result = test->result();
  report::ReportHeader h;
  auto add = [&h](const ::testing::TestPartResult& part) {
    if (!part.failed()) return;
    std::string where =
        part.file_name() ? std::string(part.file_name()) + ":" + std::to_string(part.line_number())
                         : std::string("failure");
    h.checks.push_back({where, false, part.summary()});
  };
  for (int i = parts_at_start_; i < result->total_part_count(); ++i) {
    add(result->GetTestPartResult(i));
  }
  // Inside for_each_seed the seed's failures are held back until the seed ends.
  if (const auto* seed = detail::seed_failures()) {
    for (int i = seed_parts_at_start_; i < seed->size(); ++i) add(seed->GetTestPartResult(i));
  }
  if (h.checks.empty()) return;
  const std::string name = std::string(test->test_suite_name()) + "." + test->name();
  h.title = name;
  h.seed = world_->seed();
  h.passed = false;
  h.replay = replay_command(world_->seed());
  h.digest = world_->digest_hex();
  h.virtual_time_ns = world_->now().count();
  for (const auto& p : world_->processes()) {
    h.processes.push_back(
        {p.name, p.host, p.app, std::string(sim::to_string(p.state)), p.exit_code});
  }
  h.stats = world_->stats();
  std::string file = name + "-seed-" + std::to_string(h.seed) + ".html";
  for (char& c : file) {
    if (c == '/' || c == '\\' || c == ' ') c = '_';
  }
  const auto path = std::filesystem::path(std::getenv("SIMSOCK_HTML_DIR")) / file;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << html_->render(h);
  out.flush();
  if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
  std::cerr << "simsock: HTML report of the failing run: " << path.string() << "\n";
}

sim::Host& Sim::add_host(const std::string& name, const std::string& address) {
  return add_host(name, std::vector<std::string>{
                            address.empty() ? "10.0.0." + std::to_string(next_address_) : address});
}

sim::Host& Sim::add_host(const std::string& name, const std::vector<std::string>& addresses) {
  sim::Host& h = world_->add_host(name, addresses);
  ++next_address_;
  if (html_) {
    for (const auto& a : addresses) html_->add_lane(name, a);
  }
  auto st = std::make_unique<HostState>();
  st->network = std::make_unique<FaultyNetwork>(h.network(), st->plan);
  hosts_.emplace(name, std::move(st));
  return h;
}

Sim::HostState& Sim::state(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) require_host("network", host);
  return *it->second;
}

void Sim::require_host(std::string_view call, const std::string& host) const {
  if (hosts_.count(host)) return;
  std::string known;
  for (const auto& [name, st] : hosts_) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument(std::string(call) + ": no host called '" + host +
                              "' (hosts: " + (known.empty() ? "none yet" : known) + ")");
}

void Sim::require_pair(std::string_view call, const std::string& a, const std::string& b) const {
  require_host(call, a);
  require_host(call, b);
  if (a == b)
    throw std::invalid_argument(std::string(call) + ": host '" + a +
                                "' cannot be paired with itself");
}

void Sim::set_default_link(std::string_view yaml) {
  parse_link(yaml, "default link").apply_to(default_link_);
  world_->set_default_link(default_link_);
}

void Sim::set_link(const std::string& a, const std::string& b, std::string_view yaml,
                   bool both_directions) {
  require_pair("set_link", a, b);
  set_link(a, b, parse_link(yaml, "link " + a + (both_directions ? "<->" : "->") + b),
           both_directions);
}

void Sim::set_link(const std::string& a, const std::string& b, const sim::LinkPatch& patch,
                   bool both_directions) {
  require_pair("set_link", a, b);
  sim::LinkConfig ab = world_->link(a, b);
  patch.apply_to(ab);
  world_->set_link(a, b, ab);
  if (both_directions) {
    sim::LinkConfig ba = world_->link(b, a);
    patch.apply_to(ba);
    world_->set_link(b, a, ba);
  }
}

void Sim::schedule(Duration at, sim::FaultAction action) {
  world_->schedule(sim::Fault{at < Duration(0) ? world_->now() : at, std::move(action)});
}

void Sim::partition(const std::string& a, const std::string& b, Duration at) {
  require_pair("partition", a, b);
  schedule(at, sim::Partition{{a, b, true}});
}
void Sim::heal(const std::string& a, const std::string& b, Duration at) {
  require_pair("heal", a, b);
  schedule(at, sim::Heal{{a, b, true}});
}
void Sim::clog(const std::string& a, const std::string& b, Duration at) {
  require_pair("clog", a, b);
  schedule(at, sim::Clog{{a, b, true}});
}
void Sim::release(const std::string& a, const std::string& b, Duration at) {
  require_pair("release", a, b);
  schedule(at, sim::Release{{a, b, true}});
}
void Sim::drop_nth(const std::string& from, const std::string& to, std::string_view proto,
                   std::vector<std::uint64_t> nth) {
  require_pair("drop_nth", from, to);
  if (proto != "tcp" && proto != "udp") {
    throw std::invalid_argument("drop_nth: protocol '" + std::string(proto) +
                                "' is not tcp or udp");
  }
  world_->drop_nth(from, to,
                   proto == "tcp" ? sim::PacketRecord::Proto::tcp : sim::PacketRecord::Proto::udp,
                   std::move(nth));
}

void Sim::crash(const std::string& host, Duration at) {
  require_host("crash", host);
  schedule(at, sim::Crash{host});
}
void Sim::restart(const std::string& host, Duration at) {
  require_host("restart", host);
  schedule(at, sim::Restart{host});
}
void Sim::kill(const std::string& name, Duration at) {
  schedule(at, sim::Kill{name});
}

net::Network& Sim::network(const std::string& host) {
  return *state(host).network;
}
FaultPlan& Sim::faults(const std::string& host) {
  require_host("faults", host);
  return *state(host).plan;
}

void Sim::spawn_callback(const std::string& name, const std::string& host, ProcessCallback body,
                         Duration start) {
  require_host("spawn", host);
  world_->spawn(name, host, "callback",
                with_faults(state(host).plan, detail::callback_body(std::move(body))), {}, start);
}

void Sim::spawn_stdio(const std::string& name, const std::string& host, StdioCoroutine body,
                      Duration start) {
  require_host("spawn", host);
  world_->spawn(name, host, "coroutine",
                with_faults(state(host).plan, detail::stdio_body(std::move(body))), {}, start);
}

void Sim::start_app(const std::string& name, const std::string& host, const std::string& app,
                    const std::vector<std::pair<std::string, std::string>>& args,
                    std::string_view start, std::string stdin_text) {
  require_host("start_app", host);
  const apps::AppSpec* spec = apps::find_app(catalog_, app);
  if (!spec) {
    std::string known;
    for (const auto& a : catalog_) known += (known.empty() ? "" : ", ") + a.name;
    throw std::invalid_argument("no app called '" + app + "' (apps: " + known + ")");
  }
  start_app(name, host, *spec, args, start, std::move(stdin_text));
}

void Sim::start_app(const std::string& name, const std::string& host, const apps::AppSpec& app,
                    const std::vector<std::pair<std::string, std::string>>& args,
                    std::string_view start, std::string stdin_text) {
  require_host("start_app", host);
  if (app.main == nullptr) throw std::invalid_argument("app '" + app.name + "' has no main");
  apps::Options options;
  if (auto err = apps::parse_options(app, args, options))
    throw std::invalid_argument(app.name + ": " + err->message);
  world_->spawn(name, host, app.name,
                with_faults(state(host).plan, cli::make_app_process(app, std::move(options))),
                std::move(stdin_text), duration(start));
}

void Sim::use_apps(std::vector<apps::AppSpec> own) {
  std::vector<apps::AppSpec> mine;
  for (const auto& a : catalog_) {
    if (!apps::find_app(a.name)) mine.push_back(a);  // the user's apps given before
  }
  for (auto& a : own) mine.push_back(std::move(a));
  catalog_ = apps::with_builtin_apps(std::move(mine));
}

void Sim::at(Duration t, std::function<void()> fn) {
  world_->at(t, std::move(fn));
}

void Sim::run_for(Duration d) {
  world_->run_for(d);
}

bool Sim::run_until(const std::function<bool()>& done, Duration limit) {
  const Duration deadline = world_->now() + limit;
  auto reached = std::make_shared<bool>(false);
  // A marker event at the deadline, so that stepping never runs past it.
  world_->at(deadline, [reached] { *reached = true; });
  while (!done()) {
    if (*reached || !world_->step()) {
      world_->run_until(deadline);
      return done();
    }
  }
  return true;
}

std::uint64_t Sim::stat(std::string_view name) const {
  const auto& s = world_->stats();
  auto it = s.find(name);
  return it == s.end() ? 0 : it->second;
}

std::vector<TraceRecord> Sim::trace(std::string_view kind) const {
  std::vector<TraceRecord> out;
  for (const auto& e : trace_)
    if (e.kind == kind) out.push_back(e);
  return out;
}

sim::ProcessResult Sim::process(const std::string& name) const {
  for (auto& p : world_->processes())
    if (p.name == name) return p;
  throw std::out_of_range("no process called '" + name + "'");
}

namespace {

// Where the running test is defined (its TEST_F line), for the seed banner of SimTest.
const char* test_file() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info && info->file() ? info->file() : "unknown file";
}
int test_line() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info ? info->line() : 0;
}

}  // namespace

SimTest::SimTest()
    : seed_(seed_range().first),
      trace_(test_file(), test_line(), seed_banner(seed_)),
      sim_(seed_) {}

scenario::RunResult run_scenario_file(const std::string& path, std::optional<std::uint64_t> seed,
                                      const std::vector<apps::AppSpec>& catalog) {
  scenario::ScenarioSpec spec = scenario::load_scenario_file(path, catalog);
  return scenario::run_scenario(spec, seed.value_or(spec.seed));
}

::testing::AssertionResult deterministic(const std::function<void(Sim&)>& body,
                                         std::uint64_t seed) {
  auto summary = [&] {
    Sim sim(seed);
    body(sim);
    std::string s = "digest " + sim.digest() + ", " +
                    std::to_string(sim.world().events_processed()) + " events";
    for (const auto& [k, v] : sim.stats()) s += ", " + k + "=" + std::to_string(v);
    for (const auto& p : sim.world().processes())
      s += ", " + p.name + ":" + std::string(sim::to_string(p.state)) + ":" +
           (p.exit_code ? std::to_string(*p.exit_code) : "-") + ":" + std::to_string(p.out.size());
    return s;
  };
  return runs_identically_twice([&](std::uint64_t) { return summary(); }, seed);
}

}  // namespace simsock::test
