// The top of the loader: the document, identity keys, hosts and processes. Network, faults and
// expectations are in their own files.
#include "tools/scenario/loader.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <boost/asio/ip/address_v4.hpp>

#include "net/units.hpp"
#include "tools/scenario/loader_parts.hpp"

namespace simsock::scenario {

ScenarioError::ScenarioError(std::string file, int line, int column, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) +
                         ": error: " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(message) {}

std::chrono::system_clock::time_point default_start_time() {
  using namespace std::chrono;
  return sys_days(year(2000) / January / 1);
}

namespace {

using detail::check_host;

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
  if (!ymd.ok() || ymd.year() < year(1970) || ymd.year() > year(2105) || hh > 23 || mm > 59 || ss > 59) bad();
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

// Where a second YAML document with content starts, if there is one. (Not YAML::LoadAll: on some
// invalid input it loops forever, yaml-cpp issues #1040 and #1319; single parser steps do not.)
std::optional<YAML::Mark> second_document(std::string_view text) {
  class FirstContent final : public YAML::EventHandler {
   public:
    std::optional<YAML::Mark> mark;
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  const std::string&) override {
      note(m);
    }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
      note(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
      note(m);
    }
    void OnMapEnd() override {}

   private:
    void note(const YAML::Mark& m) {
      if (!mark) mark = m;
    }
  };
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  FirstContent ignored, probe;
  if (!parser.HandleNextDocument(ignored)) return std::nullopt;
  if (!parser.HandleNextDocument(probe)) return std::nullopt;
  return probe.mark;
}

void load_hosts(const Field& hosts, ScenarioSpec& spec) {
  auto items = hosts.items("a list of hosts like [{name: server, address: 10.0.0.1}]");
  if (items.empty()) hosts.fail("at least one host is needed");
  for (const Field& h : items) {
    auto e = h.entries("a host like {name: server, address: 10.0.0.1}", {"name", "address"});
    const Field& name_f = require_entry(h, e, "name", "{name: server, address: 10.0.0.1}");
    const Field& addr_f = require_entry(h, e, "address", "{name: server, address: 10.0.0.1}");
    HostSpec hs{name_f.name(), addr_f.text()};
    for (const auto& other : spec.hosts) {
      if (other.name == hs.name) name_f.fail("host " + name_f.shown() + " is defined twice");
    }
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address_v4(hs.address, ec);
    if (ec || addr.is_unspecified() || addr.is_multicast() || addr == addr.broadcast()) {
      addr_f.fail(addr_f.shown() + " is not a host IPv4 address (e.g. 10.0.0.1)");
    }
    hs.address = addr.to_string();
    for (const auto& other : spec.hosts) {
      if (other.address == hs.address) {
        addr_f.fail("address " + addr_f.shown() + " is already host " + other.name + "'s");
      }
    }
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
void load_args(const Field& args, ProcessSpec& p) {
  std::vector<std::pair<std::string, Field>> entries;
  if (!args.node().IsNull()) {
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
    (at ? *at : args).fail(msg);
  }
}

void load_processes(const Field& processes, ScenarioSpec& spec,
                    const std::vector<apps::AppSpec>& catalog) {
  constexpr std::string_view example = "{name: srv, host: server, app: tcp-ts-server}";
  for (const Field& pf :
       processes.items("a list of processes like [" + std::string(example) + "]")) {
    auto e = pf.entries("a process like " + std::string(example),
                        {"name", "host", "app", "start", "args", "stdin"});
    ProcessSpec p;
    const Field& name_f = require_entry(pf, e, "name", example);
    p.name = name_f.name();
    for (const auto& other : spec.processes) {
      if (other.name == p.name) name_f.fail("process " + name_f.shown() + " is defined twice");
    }
    const Field& host_f = require_entry(pf, e, "host", example);
    p.host = host_f.text();
    check_host(host_f, spec, p.host);
    const Field& app_f = require_entry(pf, e, "app", example);
    p.app_spec = find_app(catalog, app_f);
    p.app = p.app_spec->name;
    if (const Field* f = find_entry(e, "start")) {
      p.start = f->duration();
      if (p.start > spec.duration) {
        f->fail(f->shown() + " is after the end of the scenario (duration " +
                net::format_duration(spec.duration) + ")");
      }
    }
    if (const Field* f = find_entry(e, "stdin")) p.stdin_text = f->text();
    const Field* args = find_entry(e, "args");
    load_args(args ? *args
                   : Field(&spec.file, YAML::Node(YAML::NodeType::Null), pf.path() + ".args",
                           YAML::Mark()),
              p);
    spec.processes.push_back(std::move(p));
  }
}

}  // namespace

namespace detail {
void check_host(const Field& f, const ScenarioSpec& spec, const std::string& host) {
  std::string known;
  for (const auto& h : spec.hosts) {
    if (h.name == host) return;
    known += (known.empty() ? "" : ", ") + h.name;
  }
  f.fail("unknown host " + f.shown() + " (hosts: " + known + ")");
}
}  // namespace detail

ScenarioSpec load_scenario_text(std::string_view text, const std::string& file,
                                const std::vector<apps::AppSpec>& apps) {
  ScenarioSpec spec;
  spec.file = file;
  spec.start_time = default_start_time();
  YAML::Node doc;
  std::optional<YAML::Mark> second;
  try {
    doc = YAML::Load(std::string(text));
    second = second_document(text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(file, e.mark.line + 1, e.mark.column + 1, "invalid YAML: " + e.msg);
  }
  if (second) {
    throw ScenarioError(file, second->line + 1, second->column + 1,
                        "a scenario file holds one YAML document; found a second one");
  }
  Field root(&spec.file, doc, "", YAML::Mark());
  auto e = root.entries("a scenario: a mapping with name, duration, hosts, processes, ...",
                        {"name", "description", "seed", "duration", "start_time", "hosts",
                         "network", "processes", "faults", "expect"});
  spec.name = require_entry(root, e, "name", "name: tcp-fragmented").name();
  if (const Field* f = find_entry(e, "description")) spec.description = f->text();
  if (const Field* f = find_entry(e, "seed")) {
    if (!f->is_scalar() || !net::parse_uint(f->text())) {
      f->fail(f->shown() + " is not a seed (an integer in 0..18446744073709551615)");
    }
    spec.seed = f->uint();
  }
  const Field& dur = require_entry(root, e, "duration", "duration: 10s");
  spec.duration = dur.duration();
  if (spec.duration <= Duration(0)) dur.fail(dur.shown() + " is not a positive duration");
  if (const Field* f = find_entry(e, "start_time")) spec.start_time = parse_start_time(*f);
  load_hosts(require_entry(root, e, "hosts", "hosts: [{name: server, address: 10.0.0.1}]"), spec);
  if (const Field* f = find_entry(e, "network")) detail::load_network(*f, spec);
  if (const Field* f = find_entry(e, "processes")) load_processes(*f, spec, apps);
  if (const Field* f = find_entry(e, "faults")) detail::load_faults(*f, spec);
  if (const Field* f = find_entry(e, "expect")) detail::load_expectations(*f, spec);
  return spec;
}

ScenarioSpec load_scenario_file(const std::string& path, const std::vector<apps::AppSpec>& apps) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, 1, 1, "cannot open the scenario file");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw ScenarioError(path, 1, 1, "cannot read the scenario file");
  return load_scenario_text(s.str(), path, apps);
}

}  // namespace simsock::scenario
