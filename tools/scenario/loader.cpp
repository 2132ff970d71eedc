// The top of the loader: the document, identity keys, hosts and processes. Network, faults and
// expectations are in their own files.
#include <simsock/tools/scenario/loader.hpp>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>
#include <map>

#include <simsock/net/units.hpp>
#include <simsock/sim/ip_address.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>

namespace simsock::scenario {

namespace {
// Messages quote values cut to 60 characters; this bounds any message that still grows (long
// lists of names), so that an error is always one readable line.
constexpr std::size_t k_max_message = 1000;
std::string bounded(const std::string& message) {
  if (message.size() <= k_max_message) return message;
  return message.substr(0, k_max_message) + "...";
}
}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                         ": error: " + bounded(message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(bounded(message)) {}

std::chrono::system_clock::time_point default_start_time() {
  using namespace std::chrono;
  return sys_days(year(2000) / January / 1);
}

namespace {

using detail::check_host;
using detail::Names;

// "2030-05-17T08:00:00Z", optionally with a fraction of a second: the virtual wall clock (UTC).
std::chrono::system_clock::time_point parse_start_time(const Field& f) {
  using namespace std::chrono;
  std::string s = f.text();
  auto bad = [&]() {
    f.fail(f.shown() + " is not a UTC time like 2030-05-17T08:00:00Z (years 1970 to 2105)");
  };
  auto digits = [&](std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) bad();
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') bad();
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':' || (s.back() != 'Z' && s.back() != 'z')) {
    bad();
  }
  year_month_day ymd{year(digits(0, 4)), month(static_cast<unsigned>(digits(5, 2))),
                     day(static_cast<unsigned>(digits(8, 2)))};
  int hh = digits(11, 2), mm = digits(14, 2), ss = digits(17, 2);
  if (!ymd.ok() || ymd.year() < year(1970) || ymd.year() > year(2105) || hh > 23 || mm > 59 ||
      ss > 59)
    bad();
  std::int64_t frac_ns = 0;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    std::int64_t unit = 100000000;
    for (++pos; pos + 1 < s.size(); ++pos) {
      if (s[pos] < '0' || s[pos] > '9' || unit == 0) bad();
      frac_ns += (s[pos] - '0') * unit;
      unit /= 10;
    }
    if (unit == 100000000) bad();
  }
  if (pos != s.size() - 1) bad();
  auto t = sys_days(ymd) + hours(hh) + minutes(mm) + seconds(ss) + nanoseconds(frac_ns);
  return time_point_cast<system_clock::duration>(t);
}

// One address of a host: an IPv4 or IPv6 literal that sim::unusable_host_address accepts and no
// host has yet. Returns it in its canonical form ("fd00::1").
std::string load_address(const Field& f, const ScenarioSpec& spec,
                         std::map<sim::IpAddress, std::size_t>& by_address) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(f.text(), ec);
  if (ec) {
    f.fail(f.shown() + " is not an IP address (e.g. 10.0.0.1 or fd00::1)");
  }
  if (const char* why = sim::unusable_host_address(addr)) {
    f.fail(f.shown() + " is " + why +
           ", not a host's address (use a unicast address like 10.0.0.1)");
  }
  auto [it, fresh] = by_address.emplace(sim::IpAddress::from(addr), spec.hosts.size());
  if (!fresh && it->second == spec.hosts.size()) {
    f.fail("address " + f.shown() + " is listed twice for this host");
  }
  if (!fresh)
    f.fail("address " + f.shown() + " is already host " + spec.hosts[it->second].name + "'s");
  if (addr.is_v4()) {  // dotted decimal by hand: inet_ntop's sprintf was a tenth of a big load
    std::string text;
    for (auto b : addr.to_v4().to_bytes()) {
      if (!text.empty()) text.push_back('.');
      text += std::to_string(b);
    }
    return text;
  }
  return addr.to_string();
}

void load_hosts(const Field& hosts, ScenarioSpec& spec, Names& names) {
  auto items = hosts.items("a list of hosts like [{name: server, address: 10.0.0.1}]");
  if (items.empty()) hosts.fail("at least one host is needed");
  std::map<sim::IpAddress, std::size_t> by_address;  // lookups only
  spec.hosts.reserve(items.size());
  for (const Field& h : items) {
    auto e = h.entries("a host like {name: server, address: 10.0.0.1}", {"name", "address"});
    const Field& name_f = require_entry(h, e, "name", "{name: server, address: 10.0.0.1}");
    const Field& addr_f = require_entry(h, e, "address", "{name: server, address: 10.0.0.1}");
    HostSpec hs{name_f.name(), {}, {}};
    if (names.hosts.count(hs.name)) name_f.fail("host " + name_f.shown() + " is defined twice");
    if (addr_f.is_list()) {
      auto list = addr_f.items("a list of addresses like [10.0.0.2, \"fd00::2\"]");
      if (list.empty()) addr_f.fail("a host needs at least one address, like [10.0.0.2]");
      for (const Field& a : list) hs.addresses.push_back(load_address(a, spec, by_address));
    } else {
      hs.addresses.push_back(load_address(addr_f, spec, by_address));
    }
    hs.address = hs.addresses.front();
    names.hosts.emplace(hs.name, spec.hosts.size());
    spec.hosts.push_back(std::move(hs));
  }
}

const apps::AppSpec* find_app(const std::vector<apps::AppSpec>& catalog, const Field& f) {
  std::string name = f.text();
  for (const auto& a : catalog) {
    if (a.name == name) return &a;
  }
  std::string known;
  for (const auto& a : catalog) known += (known.empty() ? "" : ", ") + a.name;
  f.fail("unknown app " + f.shown() + " (apps: " + (known.empty() ? "none" : known) + ")");
}

// args: {option: value, option: [value, value]}: each option's values as strings, checked against
// the app's declared options.
// `message` from the apps' option parser with each given value quoted as the loader quotes
// (cut to 60 characters, control characters escaped) and long option names cut.
std::string with_short_values(std::string message, const ProcessSpec& p) {
  auto replace_all = [&](const std::string& from, const std::string& to) {
    if (from == to) return;
    for (auto at = message.find(from); at != std::string::npos;
         at = message.find(from, at + to.size())) {
      message.replace(at, from.size(), to);
    }
  };
  for (const auto& [opt, value] : p.args) {
    replace_all("'" + value + "'", quote(value));
    if (opt.size() > 60) replace_all("--" + opt, "--" + opt.substr(0, 60) + "...");
  }
  return message;
}

void load_args(const Field& args, ProcessSpec& p) {
  std::vector<std::pair<std::string, Field>> entries;
  if (!args.is_null()) {
    entries = args.entries("the app's options like {connect: \"server:21567\"}");
  }
  for (const auto& [opt, value] : entries) {
    if (value.is_list()) {
      for (const Field& item : value.items("values")) {
        if (!item.is_scalar()) item.fail("expected a value, got " + item.shown());
        p.args.emplace_back(opt, item.text());
      }
    } else if (value.is_scalar()) {
      p.args.emplace_back(opt, value.text());
    } else {
      value.fail("expected a value or a list of values, got " + value.shown());
    }
  }
  if (auto err = apps::parse_options(*p.app_spec, p.args, p.options)) {
    const Field* at = find_entry(entries, err->option);
    std::string msg = err->message;
    std::string prefix = "--" + err->option + ": ";
    if (at && msg.starts_with(prefix)) msg = msg.substr(prefix.size());
    (at ? *at : args).fail(with_short_values(msg, p));
  }
  // The apps accept any duration that fits; the simulator's timeline needs at most 100 days.
  for (const auto& arg : p.args) {
    // Named references, not a structured binding: clang 14 (the loader fuzzer's compiler)
    // cannot capture structured bindings in lambdas.
    const std::string& opt = arg.first;
    const std::string& value = arg.second;
    const Field* at = find_entry(entries, opt);
    auto spec = std::find_if(p.app_spec->options.begin(), p.app_spec->options.end(),
                             [&](const apps::OptionSpec& o) { return o.name == opt; });
    if (!at || spec == p.app_spec->options.end() || spec->type != apps::OptionType::duration) {
      continue;
    }
    bool too_large = false;
    parse_duration_at_most(value, k_max_timeline.max, too_large);
    if (too_large) {
      at->fail(quote(value) + " is too large (at most " + std::string(k_max_timeline.spelled) +
               ")");
    }
  }
}

void load_processes(const Field& processes, ScenarioSpec& spec, Names& names,
                    const std::vector<apps::AppSpec>& catalog) {
  constexpr std::string_view example = "{name: srv, host: server, app: tcp-ts-server}";
  for (const Field& pf :
       processes.items("a list of processes like [" + std::string(example) + "]")) {
    auto e = pf.entries("a process like " + std::string(example),
                        {"name", "host", "app", "start", "args", "stdin"});
    ProcessSpec p;
    const Field& name_f = require_entry(pf, e, "name", example);
    p.name = name_f.name();
    if (names.processes.count(p.name)) {
      name_f.fail("process " + name_f.shown() + " is defined twice");
    }
    const Field& host_f = require_entry(pf, e, "host", example);
    p.host = host_f.text();
    check_host(host_f, spec, names, p.host);
    const Field& app_f = require_entry(pf, e, "app", example);
    p.app_spec = find_app(catalog, app_f);
    p.app = p.app_spec->name;
    if (const Field* f = find_entry(e, "start")) {
      p.start = f->duration(k_max_timeline);
      if (p.start > spec.duration) {
        f->fail(f->shown() + " is after the end of the scenario (duration " +
                net::format_duration(spec.duration) + ")");
      }
    }
    if (const Field* f = find_entry(e, "stdin")) p.stdin_text = f->text();
    const Field* args = find_entry(e, "args");
    load_args(
        args ? *args : Field(&spec.file, nullptr, pf.path() + ".args", YamlMark{pf.line() - 1, 0}),
        p);
    names.processes.emplace(p.name, spec.processes.size());
    spec.processes.push_back(std::move(p));
  }
}

}  // namespace

namespace detail {

namespace {
// "a, b, c" of the first ten names, then "... (N more)".
template <class Items, class Name>
std::string some_names(const Items& items, Name name) {
  std::string out;
  std::size_t n = 0;
  for (const auto& item : items) {
    if (n == 10) {
      out += ", ... (" + std::to_string(items.size() - n) + " more)";
      break;
    }
    out += (n++ ? ", " : "") + name(item);
  }
  return out.empty() ? "none" : out;
}
}  // namespace

void check_host(const Field& f, const ScenarioSpec& spec, const Names& names,
                const std::string& host) {
  if (names.hosts.count(host)) return;
  f.fail("unknown host " + f.shown() +
         " (hosts: " + some_names(spec.hosts, [](const HostSpec& h) { return h.name; }) + ")");
}

void check_process(const Field& f, const ScenarioSpec& spec, const Names& names,
                   const std::string& process) {
  if (names.processes.count(process)) return;
  f.fail("unknown process " + f.shown() + " (processes: " +
         some_names(spec.processes, [](const ProcessSpec& p) { return p.name; }) + ")");
}

}  // namespace detail

ScenarioSpec load_scenario_text(std::string_view text, const std::string& file,
                                const std::vector<apps::AppSpec>& apps) {
  ScenarioSpec spec;
  spec.file = file;
  spec.start_time = default_start_time();
  detail::check_text(text, file);
  YamlDocument doc(text, file);
  Names names;
  Field root(&spec.file, doc.root(), "", YamlMark{0, 0});
  auto e = root.entries("a scenario: a mapping with name, duration, hosts, processes, ...",
                        {"name", "description", "seed", "duration", "start_time", "hosts",
                         "network", "processes", "faults", "chaos", "perturb", "expect"});
  spec.name = require_entry(root, e, "name", "name: tcp-fragmented").name();
  if (const Field* f = find_entry(e, "description")) spec.description = f->text();
  if (const Field* f = find_entry(e, "seed")) {
    if (!f->is_scalar() || !net::parse_uint(f->text())) {
      f->fail(f->shown() + " is not a seed (an integer in 0..18446744073709551615)");
    }
    spec.seed = f->uint();
  }
  const Field& dur = require_entry(root, e, "duration", "duration: 10s");
  spec.duration = dur.duration(k_max_timeline);
  if (spec.duration <= Duration(0)) dur.fail(dur.shown() + " is not a positive duration");
  if (const Field* f = find_entry(e, "start_time")) {
    spec.start_time = parse_start_time(*f);
  }
  load_hosts(require_entry(root, e, "hosts", "hosts: [{name: server, address: 10.0.0.1}]"), spec,
             names);
  if (const Field* f = find_entry(e, "network")) detail::load_network(*f, spec, names);
  if (const Field* f = find_entry(e, "processes")) load_processes(*f, spec, names, apps);
  if (const Field* f = find_entry(e, "faults")) detail::load_faults(*f, spec, names);
  if (const Field* f = find_entry(e, "chaos")) detail::load_chaos(*f, spec, names);
  if (const Field* f = find_entry(e, "perturb")) detail::load_perturb(*f, spec);
  if (const Field* f = find_entry(e, "expect")) detail::load_expectations(*f, spec, names);
  return spec;
}

ScenarioSpec load_scenario_file(const std::string& path, const std::vector<apps::AppSpec>& apps) {
  return load_scenario_text(detail::read_file(path), path, apps);
}

}  // namespace simsock::scenario
