// libFuzzer target for the simulator (built by `tools/fuzz world` with clang; not part of the
// CMake build). The fuzzer's bytes decode into a valid world: 1-6 hosts, a default link and
// per-pair links with every impairment, the built-in apps as processes with random but valid
// options, and faults (partition/heal, clog/release, crash/restart, set_link, kill) at random
// times. The world runs for at most 30 virtual seconds. Findings (std::abort with a description
// of the world on stderr):
//   - anything thrown while building or running the world, a crash or a sanitizer report;
//   - livelock: kLivelockEvents events without the virtual clock moving. Loopback has no delay,
//     so honest work on one host takes no virtual time: the caps below keep it under the limit
//     (a 1 MiB tcp-bulk in 1-byte chunks to its own host ran 65k events at one instant).
// A run also stops (quietly: not a finding) after kEventBudget events, so that heavy but honest
// inputs (1-byte TCP segments, long runs) keep the fuzzer fast; the app options are capped for the
// same reason.
//   - nondeterminism: the same input run again in a fresh world gives another trace digest,
//     event count, counters or process results.
//
// The byte format is described once, by describe(Io&, Plan&), for both directions: Reader turns
// bytes into a Plan, Writer turns a Plan back into bytes. Writer is what seeds the corpus from
// scenarios/: with SIMSOCK_FUZZ_WORLD_CONVERT=DIR, `fuzz_world FILE.yaml...` loads each scenario,
// maps it onto a Plan and writes DIR/NAME.bin instead of fuzzing. With SIMSOCK_FUZZ_WORLD_PRINT=1
// every input's world is printed on stderr (to read a crash input: `fuzz_world CRASH-FILE`).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/net/endpoint.hpp>
#include <simsock/net/units.hpp>
#include <simsock/sim/world.hpp>
#include <simsock/tools/app_process.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace {

using namespace simsock;
using sim::Duration;

constexpr std::size_t kMaxHosts = 6;
constexpr std::size_t kMaxLinks = 8;
constexpr std::size_t kMaxProcesses = 8;
constexpr std::size_t kMaxFaults = 12;
constexpr std::int64_t kMaxDurationUs = 30'000'000;      // 30 virtual seconds
constexpr std::uint64_t kEventBudget = 300'000;          // per run, then it stops
constexpr std::uint64_t kLivelockEvents = 250'000;       // at one virtual instant
constexpr std::uint16_t kPorts[] = {21567, 7, 9000, 0};  // 0 only for servers: any port

// ---- the plan: what the bytes decode to ----------------------------------------------------

// One option value, as choices (rendered into text by render()).
struct OptionValue {
  std::uint8_t kind = 0;     // endpoint: 0 any, 1 own, 2 other host, 3 loopback; host_port: 0 name,
                             // 1 address, 2 localhost, 3 nobody's address
  std::uint8_t host = 0;     // host index for kinds that name one
  std::uint8_t port = 0;     // index into kPorts
  std::uint64_t number = 0;  // count, size, duration (us)
  std::string text;
};

struct OptionPlan {
  std::vector<OptionValue> values;  // empty: not given (default)
};

struct ProcessPlan {
  std::uint8_t host = 0, app = 0;  // app: index into apps::all_apps()
  std::int64_t start_us = 0;
  std::string stdin_text;
  std::vector<OptionPlan> options;  // one per OptionSpec of the app, in declaration order
};

struct LinkPlan {
  std::uint8_t a = 0, b = 1;
  bool both = true;
  sim::LinkPatch patch;
};

struct FaultPlan {
  std::int64_t at_us = 0;
  std::uint8_t kind = 0;  // index into sim::FaultAction
  std::uint8_t a = 0, b = 1;
  bool both = true;
  sim::LinkPatch patch;  // set_link
};

struct Plan {
  std::uint32_t seed = 1;
  std::uint8_t hosts = 2;
  std::int64_t duration_us = 5'000'000;
  sim::LinkPatch default_link;
  std::vector<LinkPlan> links;
  std::vector<ProcessPlan> processes;
  std::vector<FaultPlan> faults;
};

// ---- the two directions of the byte format --------------------------------------------------

// Each value takes the fewest bytes that hold its range (little-endian); a reader past the end of
// the input reads zeros, so every input decodes.
int width(std::uint64_t span) {
  return span < 0x100 ? 1 : span < 0x10000 ? 2 : span < 0x100000000ULL ? 4 : 8;
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  static constexpr bool reading = true;

  template <class T>
  void num(T& v, T lo, T hi) {
    auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t raw = 0;
    for (int i = 0; i < width(span); ++i) raw |= std::uint64_t(byte()) << (8 * i);
    if (span != UINT64_MAX) raw %= span + 1;
    v = static_cast<T>(static_cast<std::uint64_t>(lo) + raw);
  }
  void text(std::string& s, std::size_t max) {
    std::size_t n = 0;
    num<std::size_t>(n, 0, max);
    s.clear();
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(byte()));
  }

 private:
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

class Writer {
 public:
  static constexpr bool reading = false;
  template <class T>
  void num(T& v, T lo, T hi) {
    v = std::clamp(v, lo, hi);
    auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t raw = static_cast<std::uint64_t>(v) - static_cast<std::uint64_t>(lo);
    for (int i = 0; i < width(span); ++i) out.push_back(static_cast<char>(raw >> (8 * i)));
  }
  void text(std::string& s, std::size_t max) {
    if (s.size() > max) s.resize(max);
    std::size_t n = s.size();
    num<std::size_t>(n, 0, max);
    out += s;
  }
  std::string out;
};

template <class Io>
void flag(Io& io, bool& b) {
  std::uint8_t v = b;
  io.num(v, std::uint8_t(0), std::uint8_t(1));
  b = v;
}

template <class Io, class T, class F>
void maybe(Io& io, std::optional<T>& o, F value) {
  bool has = o.has_value();
  flag(io, has);
  if (!has) {
    o.reset();
    return;
  }
  if (!o) o.emplace();
  value(*o);
}

template <class Io, class T, class F>
void list(Io& io, std::vector<T>& v, std::size_t lo, std::size_t max, F item) {
  std::size_t n = v.size();
  io.num(n, lo, max);
  v.resize(n);
  for (auto& x : v) item(x);
}

// A duration in microseconds within [lo_us, hi_us].
template <class Io>
void duration(Io& io, Duration& d, std::int64_t lo_us, std::int64_t hi_us) {
  std::int64_t us = d.count() / 1000;
  io.num(us, lo_us, hi_us);
  d = Duration(us * 1000);
}

// A probability in steps of 0.1%, at most `max_permille`.
template <class Io>
void probability(Io& io, double& p, std::uint16_t max_permille) {
  auto pm = static_cast<std::uint16_t>(std::clamp(p, 0.0, 1.0) * 1000 + 0.5);
  io.num(pm, std::uint16_t(0), max_permille);
  p = pm / 1000.0;
}

template <class Io>
void describe(Io& io, sim::LinkPatch& l) {
  maybe(io, l.latency, [&](Duration& d) { duration(io, d, 0, 500'000); });
  maybe(io, l.jitter, [&](Duration& d) { duration(io, d, 0, 100'000); });
  maybe(io, l.bandwidth_bps,
        [&](std::uint64_t& v) { io.num(v, std::uint64_t(0), std::uint64_t(10'000'000'000)); });
  maybe(io, l.queue_bytes,
        [&](std::uint64_t& v) { io.num(v, std::uint64_t(1), std::uint64_t(4 << 20)); });
  maybe(io, l.udp_loss, [&](double& p) { probability(io, p, 1000); });
  maybe(io, l.udp_duplicate, [&](double& p) { probability(io, p, 1000); });
  maybe(io, l.udp_reorder, [&](double& p) { probability(io, p, 1000); });
  maybe(io, l.udp_reorder_delay, [&](Duration& d) { duration(io, d, 0, 1'000'000); });
  maybe(io, l.udp_mtu,
        [&](std::uint32_t& v) { io.num(v, std::uint32_t(68), std::uint32_t(65535)); });
  maybe(io, l.udp_burst, [&](sim::GilbertElliott& g) {
    probability(io, g.p_good_to_bad, 1000);
    probability(io, g.p_bad_to_good, 1000);
    probability(io, g.loss_good, 1000);
    probability(io, g.loss_bad, 1000);
  });
  maybe(io, l.tcp_segment, [&](sim::TcpSegmentPolicy& s) {
    io.num(s.min, std::uint32_t(1), std::uint32_t(65535));
    io.num(s.max, s.min, std::uint32_t(65535));
  });
  maybe(io, l.tcp_loss, [&](double& p) { probability(io, p, 990); });
  maybe(io, l.tcp_rto, [&](Duration& d) { duration(io, d, 1, 3'000'000); });
  maybe(io, l.tcp_initial_rto, [&](Duration& d) { duration(io, d, 1, 3'000'000); });
  maybe(io, l.tcp_syn_retries,
        [&](std::uint32_t& v) { io.num(v, std::uint32_t(0), std::uint32_t(8)); });
  maybe(io, l.tcp_retries2,
        [&](std::uint32_t& v) { io.num(v, std::uint32_t(0), std::uint32_t(15)); });
  maybe(io, l.tcp_send_buffer,
        [&](std::uint64_t& v) { io.num(v, std::uint64_t(1), std::uint64_t(4 << 20)); });
  maybe(io, l.tcp_receive_buffer,
        [&](std::uint64_t& v) { io.num(v, std::uint64_t(1), std::uint64_t(1 << 20)); });
}

// The largest value an option of this name and type takes: caps keep honest work small.
std::uint64_t option_cap(const apps::OptionSpec& o) {
  if (o.type == apps::OptionType::duration) return 5'000'000;  // us
  if (o.name == "bytes") return 16 * 1024;
  if (o.name == "count") return 200;
  if (o.name == "retries") return 5;
  if (o.type == apps::OptionType::size) {  // within the option's own ceiling, when it has one
    return o.max ? std::min<std::uint64_t>(o.max, 70'000) : 70'000;
  }
  return 64;
}

template <class Io>
void describe(Io& io, const apps::OptionSpec& spec, OptionValue& v, std::uint8_t hosts) {
  using apps::OptionType;
  switch (spec.type) {
    case OptionType::endpoint:
    case OptionType::host_port:
      io.num(v.kind, std::uint8_t(0), std::uint8_t(3));
      io.num(v.host, std::uint8_t(0), std::uint8_t(hosts - 1));
      io.num(v.port, std::uint8_t(0), std::uint8_t(std::size(kPorts) - 1));
      break;
    case OptionType::count:
      io.num(v.number, std::uint64_t(0), option_cap(spec));
      break;
    case OptionType::size:
      io.num(v.number, std::uint64_t(1), option_cap(spec));
      break;
    case OptionType::duration:
      io.num(v.number, std::uint64_t(0), option_cap(spec));
      break;
    case OptionType::text:
      io.text(v.text, 100);
      break;
  }
}

template <class Io>
void describe(Io& io, Plan& p) {
  const auto& apps = apps::all_apps();
  io.num(p.seed, std::uint32_t(1), UINT32_MAX);
  io.num(p.hosts, std::uint8_t(1), std::uint8_t(kMaxHosts));
  io.num(p.duration_us, std::int64_t(1), kMaxDurationUs);
  describe(io, p.default_link);
  const std::uint8_t last = p.hosts - 1;
  list(io, p.links, 0, p.hosts > 1 ? kMaxLinks : 0, [&](LinkPlan& l) {
    io.num(l.a, std::uint8_t(0), last);
    io.num(l.b, std::uint8_t(0), std::uint8_t(last - 1));
    // b skips a (pair_of): a host is never paired with itself
    flag(io, l.both);
    describe(io, l.patch);
  });
  list(io, p.processes, 0, kMaxProcesses, [&](ProcessPlan& q) {
    io.num(q.host, std::uint8_t(0), last);
    io.num(q.app, std::uint8_t(0), std::uint8_t(apps.size() - 1));
    io.num(q.start_us, std::int64_t(0), p.duration_us);
    io.text(q.stdin_text, 200);
    const auto& spec = apps[q.app].options;
    q.options.resize(spec.size());
    for (std::size_t i = 0; i < spec.size(); ++i) {
      auto& o = q.options[i];
      // Given whenever its default lies beyond the cap (tcp-bulk's 1 MiB).
      bool beyond =
          (spec[i].type == apps::OptionType::count || spec[i].type == apps::OptionType::size) &&
          net::parse_uint(spec[i].default_value).value_or(0) > option_cap(spec[i]);
      std::size_t lo = spec[i].required || beyond ? 1 : 0, hi = spec[i].repeatable ? 3 : 1;
      list(io, o.values, lo, hi, [&](OptionValue& v) { describe(io, spec[i], v, p.hosts); });
    }
  });
  list(io, p.faults, 0, kMaxFaults, [&](FaultPlan& f) {
    io.num(f.at_us, std::int64_t(0), p.duration_us);
    io.num(f.kind, std::uint8_t(0), std::uint8_t(std::variant_size_v<sim::FaultAction> - 1));
    io.num(f.a, std::uint8_t(0),
           std::uint8_t(std::max<std::size_t>(p.processes.size(), p.hosts) - 1));
    io.num(f.b, std::uint8_t(0), std::uint8_t(std::max<int>(last - 1, 0)));
    flag(io, f.both);
    if (f.kind == 7) describe(io, f.patch);
  });
}

// ---- from the plan to a world ---------------------------------------------------------------

std::string host_name(std::size_t i) {
  return "h" + std::to_string(i);
}
std::string host_address(std::size_t i) {
  return "10.0.0." + std::to_string(i + 1);
}

std::string render(const apps::OptionSpec& spec, const OptionValue& v, std::size_t own,
                   std::size_t hosts) {
  using apps::OptionType;
  std::size_t other = v.host % hosts;
  switch (spec.type) {
    case OptionType::endpoint: {
      const char* ips[] = {"0.0.0.0", nullptr, nullptr, "127.0.0.1"};
      std::string ip = v.kind == 1   ? host_address(own)
                       : v.kind == 2 ? host_address(other)
                                     : ips[v.kind % 4];
      return ip + ":" + std::to_string(kPorts[v.port % std::size(kPorts)]);
    }
    case OptionType::host_port: {
      std::string h = v.kind == 0   ? host_name(other)
                      : v.kind == 1 ? host_address(other)
                      : v.kind == 2 ? std::string("127.0.0.1")
                                    : std::string("10.0.0.99");
      std::uint16_t port = kPorts[v.port % std::size(kPorts)];
      return h + ":" + std::to_string(port == 0 ? 21567 : port);
    }
    case OptionType::duration:
      return net::format_duration(std::chrono::microseconds(v.number));
    case OptionType::count:
    case OptionType::size:
      return std::to_string(v.number);
    case OptionType::text:
      return v.text;
  }
  return {};
}

sim::HostPair pair_of(std::uint8_t a, std::uint8_t b, bool both) {
  return {host_name(a), host_name(b >= a ? b + 1 : b), both};
}

void build(sim::World& world, const Plan& p) {
  const auto& apps = apps::all_apps();
  for (std::size_t i = 0; i < p.hosts; ++i) world.add_host(host_name(i), host_address(i));
  sim::LinkConfig base;
  p.default_link.apply_to(base);
  world.set_default_link(base);
  for (const auto& l : p.links) {
    sim::LinkConfig cfg = base;
    l.patch.apply_to(cfg);
    auto pair = pair_of(l.a, l.b, l.both);
    world.set_link(pair.a, pair.b, cfg);
    if (l.both) world.set_link(pair.b, pair.a, cfg);
  }
  for (std::size_t i = 0; i < p.processes.size(); ++i) {
    const auto& q = p.processes[i];
    const apps::AppSpec& app = apps[q.app];
    std::vector<std::pair<std::string, std::string>> args;
    for (std::size_t k = 0; k < app.options.size(); ++k) {
      for (const auto& v : q.options[k].values) {
        args.emplace_back(app.options[k].name, render(app.options[k], v, q.host, p.hosts));
      }
    }
    apps::Options options;
    if (auto err = apps::parse_options(app, args, options)) {
      std::cerr << "fuzz_world: generated invalid options for " << app.name << ": " << err->message
                << "\n";
      std::abort();
    }
    world.spawn("p" + std::to_string(i), host_name(q.host), app.name,
                cli::make_app_process(app, std::move(options)), q.stdin_text,
                std::chrono::microseconds(q.start_us));
  }
  for (const auto& f : p.faults) {
    sim::Fault fault;
    fault.at = std::chrono::microseconds(f.at_us);
    std::string host = host_name(f.a % p.hosts);
    bool two = p.hosts > 1;
    auto pair = pair_of(f.a % p.hosts, f.b, f.both);
    switch (f.kind) {
      case 0:
        if (!two) continue;
        fault.action = sim::Partition{pair};
        break;
      case 1:
        if (!two) continue;
        fault.action = sim::Heal{pair};
        break;
      case 2:
        if (!two) continue;
        fault.action = sim::Clog{pair};
        break;
      case 3:
        if (!two) continue;
        fault.action = sim::Release{pair};
        break;
      case 4:
        fault.action = sim::Crash{host};
        break;
      case 5:
        fault.action = sim::Restart{host};
        break;
      case 6:
        if (p.processes.empty()) continue;
        fault.action = sim::Kill{"p" + std::to_string(f.a % p.processes.size())};
        break;
      default:
        if (!two) continue;
        fault.action = sim::SetLink{pair, f.patch};
        break;
    }
    world.schedule(fault);
  }
}

// A readable account of the plan, for findings.
std::string show(const Plan& p) {
  std::ostringstream s;
  const auto& apps = apps::all_apps();
  s << "seed " << p.seed << ", " << int(p.hosts) << " hosts, duration "
    << net::format_duration(std::chrono::microseconds(p.duration_us)) << "\n";
  auto patch = [&](const sim::LinkPatch& l) {
    sim::LinkConfig c;
    l.apply_to(c);
    s << " latency " << net::format_duration(c.latency) << " jitter "
      << net::format_duration(c.jitter) << " bw " << c.bandwidth_bps << " queue " << c.queue_bytes
      << " udp{loss " << c.udp.loss << " dup " << c.udp.duplicate << " reorder " << c.udp.reorder
      << " delay " << net::format_duration(c.udp.reorder_delay) << " mtu " << c.udp.mtu;
    if (c.udp.burst) {
      s << " burst " << c.udp.burst->p_good_to_bad << "/" << c.udp.burst->p_bad_to_good << "/"
        << c.udp.burst->loss_good << "/" << c.udp.burst->loss_bad;
    }
    s << "} tcp{segment " << c.tcp.segment.min << ".." << c.tcp.segment.max << " loss "
      << c.tcp.loss << " rto " << net::format_duration(c.tcp.rto) << " initial_rto "
      << net::format_duration(c.tcp.initial_rto) << " syn_retries " << c.tcp.syn_retries
      << " retries2 " << c.tcp.retries2 << " sndbuf " << c.tcp.send_buffer << " rcvbuf "
      << c.tcp.receive_buffer << "}\n";
  };
  s << "default:";
  patch(p.default_link);
  for (const auto& l : p.links) {
    auto pr = pair_of(l.a, l.b, l.both);
    s << "link " << pr.a << (l.both ? "<->" : "->") << pr.b << ":";
    patch(l.patch);
  }
  for (std::size_t i = 0; i < p.processes.size(); ++i) {
    const auto& q = p.processes[i];
    const auto& app = apps[q.app];
    s << "p" << i << " on h" << int(q.host) << " at "
      << net::format_duration(std::chrono::microseconds(q.start_us)) << ": " << app.name;
    for (std::size_t k = 0; k < app.options.size(); ++k) {
      for (const auto& v : q.options[k].values) {
        s << " --" << app.options[k].name << " '" << render(app.options[k], v, q.host, p.hosts)
          << "'";
      }
    }
    if (!q.stdin_text.empty()) s << " (stdin " << q.stdin_text.size() << " bytes)";
    s << "\n";
  }
  static const char* kinds[] = {"partition", "heal",    "clog", "release",
                                "crash",     "restart", "kill", "set_link"};
  for (const auto& f : p.faults) {
    s << "fault at " << net::format_duration(std::chrono::microseconds(f.at_us)) << ": "
      << kinds[f.kind % 8];
    if (f.kind == 6) {
      s << " p" << (p.processes.empty() ? 0 : f.a % p.processes.size());
    } else if (f.kind == 4 || f.kind == 5) {
      s << " h" << f.a % p.hosts;
    } else if (p.hosts > 1) {
      auto pr = pair_of(f.a % p.hosts, f.b, f.both);
      s << " " << pr.a << (f.both ? "<->" : "->") << pr.b;
    }
    if (f.kind == 7) {
      s << ":";
      patch(f.patch);
    } else {
      s << "\n";
    }
  }
  return s.str();
}

// ---- running and checking -------------------------------------------------------------------

struct Outcome {
  std::string digest;
  std::uint64_t events = 0;
  std::int64_t now = 0;
  sim::Stats stats;
  std::vector<sim::ProcessResult> processes;
};

[[noreturn]] void finding(const Plan& p, const std::string& what) {
  std::cerr << "fuzz_world: FINDING: " << what << "\n" << show(p);
  std::abort();
}

Outcome run(const Plan& p) {
  Outcome o;
  sim::World world(p.seed);
  try {
    build(world, p);
    std::int64_t last_t = -1;
    std::uint64_t last_events = 0;
    const char* stuck = nullptr;
    auto done = [&] {
      auto t = world.now().count();
      auto n = world.events_processed();
      if (t != last_t) {
        last_t = t;
        last_events = n;
      }
      if (n - last_events > kLivelockEvents) stuck = "livelock: the clock stopped";
      return stuck != nullptr || n > kEventBudget;
    };
    world.run_until_done(done, std::chrono::microseconds(p.duration_us));
    if (stuck) {
      finding(p, std::string(stuck) + " at t=" + net::format_duration(world.now()) + " after " +
                     std::to_string(world.events_processed()) + " events");
    }
  } catch (const std::exception& e) {
    finding(p, std::string("exception: ") + e.what());
  }
  o.digest = world.digest_hex();
  o.events = world.events_processed();
  o.now = world.now().count();
  o.stats = world.stats();
  o.processes = world.processes();
  return o;
}

bool same(const sim::ProcessResult& a, const sim::ProcessResult& b) {
  return a.name == b.name && a.state == b.state && a.exit_code == b.exit_code && a.out == b.out &&
         a.err == b.err && a.failure == b.failure;
}

// Maps a loaded scenario onto a plan (values outside the plan's ranges are clamped by Writer).
Plan from_scenario(const scenario::ScenarioSpec& spec) {
  Plan p;
  p.seed = static_cast<std::uint32_t>(spec.seed);
  p.hosts = static_cast<std::uint8_t>(std::min(spec.hosts.size(), kMaxHosts));
  p.duration_us = spec.duration.count() / 1000;
  p.default_link = spec.default_link;
  auto index = [&](const std::string& name) -> std::uint8_t {
    for (std::size_t i = 0; i < spec.hosts.size() && i < kMaxHosts; ++i) {
      if (spec.hosts[i].name == name || spec.hosts[i].address == name) return std::uint8_t(i);
    }
    return 0;
  };
  // The pair (a, b) with b stored as an index that skips a.
  auto pair = [&](const sim::HostPair& hp, std::uint8_t& a, std::uint8_t& b, bool& both) {
    a = index(hp.a);
    std::uint8_t bb = index(hp.b);
    b = bb > a ? bb - 1 : bb;
    both = hp.both_directions;
  };
  for (const auto& l : spec.links) {
    LinkPlan lp;
    pair(l.pair, lp.a, lp.b, lp.both);
    lp.patch = l.patch;
    p.links.push_back(lp);
  }
  const auto& apps = apps::all_apps();
  for (const auto& q : spec.processes) {
    ProcessPlan pp;
    pp.host = index(q.host);
    pp.start_us = q.start.count() / 1000;
    pp.stdin_text = q.stdin_text;
    for (std::size_t i = 0; i < apps.size(); ++i) {
      if (apps[i].name == q.app) pp.app = std::uint8_t(i);
    }
    const auto& app = apps[pp.app];
    pp.options.resize(app.options.size());
    for (const auto& [name, value] : q.args) {
      for (std::size_t k = 0; k < app.options.size(); ++k) {
        const auto& o = app.options[k];
        if (o.name != name) continue;
        OptionValue v;
        if (o.type == apps::OptionType::endpoint || o.type == apps::OptionType::host_port) {
          auto hp = net::parse_host_port(value);
          std::string h = hp ? hp->host : "";
          v.kind = o.type == apps::OptionType::endpoint ? (h == "0.0.0.0" ? 0 : 1) : 0;
          v.host = index(h);
          for (std::size_t j = 0; j < std::size(kPorts); ++j) {
            if (hp && kPorts[j] == hp->port) v.port = std::uint8_t(j);
          }
        } else if (o.type == apps::OptionType::duration) {
          v.number = net::parse_duration(value).value_or(Duration(0)).count() / 1000;
        } else if (o.type == apps::OptionType::text) {
          v.text = value;
        } else {
          v.number = net::parse_uint(value).value_or(1);
        }
        pp.options[k].values.push_back(v);
      }
    }
    p.processes.push_back(pp);
  }
  for (const auto& f : spec.faults) {
    FaultPlan fp;
    fp.at_us = f.at.count() / 1000;
    fp.kind = static_cast<std::uint8_t>(f.action.index());
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, sim::Crash> || std::is_same_v<T, sim::Restart>) {
            fp.a = index(a.host);
          } else if constexpr (std::is_same_v<T, sim::Kill>) {
            for (std::size_t i = 0; i < spec.processes.size(); ++i) {
              if (spec.processes[i].name == a.process) fp.a = std::uint8_t(i);
            }
          } else {
            pair(a.pair, fp.a, fp.b, fp.both);
            if constexpr (std::is_same_v<T, sim::SetLink>) fp.patch = a.patch;
          }
        },
        f.action);
    p.faults.push_back(fp);
  }
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* dir = std::getenv("SIMSOCK_FUZZ_WORLD_CONVERT");
  if (!dir) return 0;
  int status = 0;
  for (int i = 1; i < *argc; ++i) {
    std::string path = (*argv)[i];
    if (path.empty() || path[0] == '-') continue;
    try {
      Plan p = from_scenario(scenario::load_scenario_file(path));
      Writer w;
      describe(w, p);
      std::string name = path.substr(path.find_last_of('/') + 1);
      std::ofstream(std::string(dir) + "/" + name + ".bin", std::ios::binary) << w.out;
    } catch (const std::exception& e) {
      std::cerr << "fuzz_world: cannot convert " << path << ": " << e.what() << "\n";
      status = 1;
    }
  }
  std::exit(status);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Plan plan;
  Reader r(data, size);
  describe(r, plan);
  static const bool print = std::getenv("SIMSOCK_FUZZ_WORLD_PRINT") != nullptr;
  if (print) std::cerr << show(plan);
  Outcome a = run(plan);
  Outcome b = run(plan);
  if (a.digest != b.digest) finding(plan, "digest " + a.digest + " then " + b.digest);
  if (a.events != b.events || a.now != b.now) {
    finding(plan, "events " + std::to_string(a.events) + " then " + std::to_string(b.events));
  }
  if (a.stats != b.stats) finding(plan, "the counters differ between two runs");
  if (a.processes.size() != b.processes.size() ||
      !std::equal(a.processes.begin(), a.processes.end(), b.processes.begin(), same)) {
    finding(plan, "the process results differ between two runs");
  }
  return 0;
}
