// Scenario text from a spec. Every string is written double-quoted with JSON escapes (a valid
// YAML double-quoted scalar), every duration in the exact unit net::format_duration picks, every
// probability as the shortest fixed decimal that reads back as the same double.
#include <simsock/tools/scenario/writer.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <sstream>

#include <nlohmann/json.hpp>

#include <simsock/net/units.hpp>

namespace simsock::scenario {

namespace {

// A plain scalar when it is a word, a number or an address that YAML reads as the same text;
// double-quoted otherwise.
std::string str(const std::string& s) {
  static constexpr std::string_view k_words[] = {"true", "false", "null", "yes", "no",
                                                 "on",   "off",   "y",    "n",   "~"};
  bool plain = !s.empty() && s.size() <= 64 &&
               std::all_of(s.begin(), s.end(),
                           [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                    c == '.' || c == '-';
                           }) &&
               s.front() != '-' && s.front() != '.';
  for (auto w : k_words) {
    std::string lower = s;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == w) plain = false;
  }
  if (plain) return s;
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dur(Duration d) {
  return net::format_duration(d);
}

std::string prob(double p) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string pair_keys(const sim::HostPair& p) {
  if (p.both_directions) return "between: [" + str(p.a) + ", " + str(p.b) + "]";
  return "from: " + str(p.a) + ", to: " + str(p.b);
}

std::string pair_value(const sim::HostPair& p) {
  if (p.both_directions) return "[" + str(p.a) + ", " + str(p.b) + "]";
  return "{from: " + str(p.a) + ", to: " + str(p.b) + "}";
}

// The link keys of `patch` as "k: v, k: v" (empty when nothing is set).
std::string link_keys(const sim::LinkPatch& l) {
  std::vector<std::string> top, udp, tcp;
  if (l.latency) top.push_back("latency: " + dur(*l.latency));
  if (l.jitter) top.push_back("jitter: " + dur(*l.jitter));
  if (l.bandwidth_bps) top.push_back("bandwidth: " + std::to_string(*l.bandwidth_bps));
  if (l.queue_bytes) top.push_back("queue: " + std::to_string(*l.queue_bytes));
  if (l.udp_loss) udp.push_back("loss: " + prob(*l.udp_loss));
  if (l.udp_duplicate) udp.push_back("duplicate: " + prob(*l.udp_duplicate));
  if (l.udp_reorder) udp.push_back("reorder: " + prob(*l.udp_reorder));
  if (l.udp_reorder_delay) udp.push_back("reorder_delay: " + dur(*l.udp_reorder_delay));
  if (l.udp_mtu) udp.push_back("mtu: " + std::to_string(*l.udp_mtu));
  if (l.udp_burst) {
    const auto& b = *l.udp_burst;
    udp.push_back("burst: {p_good_to_bad: " + prob(b.p_good_to_bad) +
                  ", p_bad_to_good: " + prob(b.p_bad_to_good) +
                  ", loss_good: " + prob(b.loss_good) + ", loss_bad: " + prob(b.loss_bad) + "}");
  }
  if (l.tcp_segment) {
    tcp.push_back("segment: {min: " + std::to_string(l.tcp_segment->min) +
                  ", max: " + std::to_string(l.tcp_segment->max) + "}");
  }
  if (l.tcp_loss) tcp.push_back("loss: " + prob(*l.tcp_loss));
  if (l.tcp_rto) tcp.push_back("rto: " + dur(*l.tcp_rto));
  if (l.tcp_initial_rto) tcp.push_back("initial_rto: " + dur(*l.tcp_initial_rto));
  if (l.tcp_syn_retries) tcp.push_back("syn_retries: " + std::to_string(*l.tcp_syn_retries));
  if (l.tcp_syn_linear_timeouts) {
    tcp.push_back("syn_linear_timeouts: " + std::to_string(*l.tcp_syn_linear_timeouts));
  }
  if (l.tcp_retries2) tcp.push_back("retries2: " + std::to_string(*l.tcp_retries2));
  if (l.tcp_send_buffer) tcp.push_back("send_buffer: " + std::to_string(*l.tcp_send_buffer));
  if (l.tcp_receive_buffer) {
    tcp.push_back("receive_buffer: " + std::to_string(*l.tcp_receive_buffer));
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  if (!udp.empty()) top.push_back("udp: {" + join(udp) + "}");
  if (!tcp.empty()) top.push_back("tcp: {" + join(tcp) + "}");
  return join(top);
}

std::string start_time(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ns = time_point_cast<nanoseconds>(t);
  auto day = floor<days>(ns);
  year_month_day ymd(day);
  hh_mm_ss hms(ns - day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string s = buf;
  if (auto frac = hms.subseconds().count(); frac != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
    s += buf;
  }
  return s + "Z";
}

std::string state_word(sim::ProcessState s) {
  return std::string(sim::to_string(s));
}

std::string expectation(const Expectation& x) {
  using K = Expectation::Kind;
  std::string p = "process: " + str(x.process) + ", ";
  switch (x.kind) {
    case K::exit_code:
      return "{" + p + "exit: " + std::to_string(x.number) + "}";
    case K::state:
      return "{" + p + "state: " + state_word(x.state) + "}";
    case K::stdout_equals:
      return "{" + p + "stdout: " + str(x.text) + "}";
    case K::stdout_contains:
      return "{" + p + "stdout_contains: " + str(x.text) + "}";
    case K::stdout_lines_match:
      return "{" + p + "stdout_lines_match: " + str(x.text) + "}";
    case K::stdout_line_count:
      return "{" + p + "stdout_line_count: " + std::to_string(x.number) + "}";
    case K::stderr_equals:
      return "{" + p + "stderr: " + str(x.text) + "}";
    case K::stderr_contains:
      return "{" + p + "stderr_contains: " + str(x.text) + "}";
    case K::stat: {
      std::string s = "{stat: " + str(x.text);
      if (x.min) s += ", min: " + std::to_string(*x.min);
      if (x.max) s += ", max: " + std::to_string(*x.max);
      return s + "}";
    }
    case K::negation:
      return "{not: " + expectation(*x.inner) + "}";
  }
  return "{}";
}

}  // namespace

std::string render_fault(const sim::Fault& f) {
  std::string at = "{at: " + dur(f.at) + ", ";
  return std::visit(
      [&](const auto& a) -> std::string {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, sim::Partition>) {
          return at + "partition: " + pair_value(a.pair) + "}";
        } else if constexpr (std::is_same_v<T, sim::Heal>) {
          return at + "heal: " + pair_value(a.pair) + "}";
        } else if constexpr (std::is_same_v<T, sim::Clog>) {
          return at + "clog: " + pair_value(a.pair) + "}";
        } else if constexpr (std::is_same_v<T, sim::Release>) {
          return at + "release: " + pair_value(a.pair) + "}";
        } else if constexpr (std::is_same_v<T, sim::Crash>) {
          return at + "crash: " + str(a.host) + "}";
        } else if constexpr (std::is_same_v<T, sim::Restart>) {
          return at + "restart: " + str(a.host) + "}";
        } else if constexpr (std::is_same_v<T, sim::Kill>) {
          return at + "kill: " + str(a.process) + "}";
        } else {
          std::string keys = link_keys(a.patch);
          return at + "set_link: {" + pair_keys(a.pair) + (keys.empty() ? "" : ", " + keys) + "}}";
        }
      },
      f.action);
}

std::string render_scenario_yaml(const ScenarioSpec& spec, const std::string& comment) {
  std::ostringstream s;
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);) s << "# " << line << "\n";
  s << "name: " << str(spec.name) << "\n";
  if (!spec.description.empty()) s << "description: " << str(spec.description) << "\n";
  s << "seed: " << spec.seed << "\n";
  s << "duration: " << dur(spec.duration) << "\n";
  if (spec.start_time != default_start_time()) {
    s << "start_time: " << start_time(spec.start_time) << "\n";
  }
  s << "hosts:\n";
  for (const auto& h : spec.hosts) {
    s << "  - {name: " << str(h.name) << ", address: " << str(h.address) << "}\n";
  }
  std::string def = link_keys(spec.default_link);
  if (!def.empty() || !spec.links.empty()) {
    s << "network:\n";
    if (!def.empty()) s << "  default: {" << def << "}\n";
    if (!spec.links.empty()) {
      s << "  links:\n";
      for (const auto& l : spec.links) {
        std::string keys = link_keys(l.patch);
        s << "    - {" << pair_keys(l.pair) << (keys.empty() ? "" : ", " + keys) << "}\n";
      }
    }
  }
  if (!spec.processes.empty()) s << "processes:\n";
  for (const auto& p : spec.processes) {
    s << "  - name: " << str(p.name) << "\n"
      << "    host: " << str(p.host) << "\n"
      << "    app: " << str(p.app) << "\n";
    if (p.start != Duration(0)) s << "    start: " << dur(p.start) << "\n";
    if (!p.stdin_text.empty()) s << "    stdin: " << str(p.stdin_text) << "\n";
    // Options in order of first appearance; a repeated option becomes a list.
    std::vector<std::pair<std::string, std::vector<std::string>>> args;
    for (const auto& arg : p.args) {
      const std::string& opt = arg.first;
      const std::string& value = arg.second;
      auto it =
          std::find_if(args.begin(), args.end(), [&](const auto& a) { return a.first == opt; });
      if (it == args.end()) {
        args.push_back({opt, {value}});
      } else {
        it->second.push_back(value);
      }
    }
    if (!args.empty()) {
      s << "    args:\n";
      for (const auto& [opt, values] : args) {
        s << "      " << str(opt) << ": ";
        if (values.size() == 1) {
          s << str(values[0]) << "\n";
        } else {
          s << "[";
          for (std::size_t i = 0; i < values.size(); ++i) s << (i ? ", " : "") << str(values[i]);
          s << "]\n";
        }
      }
    }
  }
  if (!spec.faults.empty()) {
    s << "faults:\n";
    for (const auto& f : spec.faults) s << "  - " << render_fault(f) << "\n";
  }
  if (spec.perturb.enabled()) {
    s << "perturb: {order: " << (spec.perturb.order ? "true" : "false");
    if (spec.perturb.max_delay > Duration(0)) s << ", delay: " << dur(spec.perturb.max_delay);
    s << "}\n";
  }
  if (!spec.expectations.empty()) {
    s << "expect:\n";
    for (const auto& x : spec.expectations) s << "  - " << expectation(x) << "\n";
  }
  return s.str();
}

}  // namespace simsock::scenario
