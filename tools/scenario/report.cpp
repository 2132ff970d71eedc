#include <simsock/tools/scenario/report.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include <simsock/net/units.hpp>

namespace simsock::scenario {

std::string RunResult::first_failure() const {
  for (const auto& e : expectations) {
    if (!e.passed) return e.detail.empty() ? e.what : e.what + ": " + e.detail;
  }
  return "";
}

namespace {
std::string& command_name_storage() {
  static std::string name = "simsock";
  return name;
}
}  // namespace

void set_command_name(std::string name) {
  command_name_storage() = std::move(name);
}
const std::string& command_name() {
  return command_name_storage();
}

std::string replay_command(const std::string& file, std::uint64_t seed) {
  bool plain = !file.empty() && std::all_of(file.begin(), file.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("_./-:+=,@%").find(c) != std::string_view::npos;
  });
  std::string quoted = file;
  if (!plain) {
    quoted = "'";
    for (char c : file) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
  }
  return command_name() + " run " + quoted + " --seed " + std::to_string(seed);
}

std::string render_json(const RunResult& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["passed"] = r.passed;
  j["virtual_time_ns"] = r.virtual_time_ns;
  j["events"] = r.events;
  j["trace_digest"] = r.trace_digest;
  j["stats"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : r.stats) j["stats"][k] = v;
  j["processes"] = nlohmann::ordered_json::array();
  for (const auto& p : r.processes) {
    nlohmann::ordered_json pj;
    pj["name"] = p.name;
    pj["host"] = p.host;
    pj["app"] = p.app;
    pj["state"] = std::string(state_name(p.state));
    pj["exit_code"] = p.exit_code ? nlohmann::ordered_json(*p.exit_code) : nullptr;
    pj["stdout"] = p.out;
    pj["stderr"] = p.err;
    if (!p.failure.empty()) pj["failure"] = p.failure;
    j["processes"].push_back(std::move(pj));
  }
  j["expectations"] = nlohmann::ordered_json::array();
  for (const auto& e : r.expectations) {
    j["expectations"].push_back(
        {{"what", e.what}, {"passed", e.passed}, {"detail", e.detail}, {"line", e.line}});
  }
  if (r.chaos) {
    auto& c = j["chaos"];
    c["kinds"] = r.chaos->kinds;
    c["faults"] = nlohmann::ordered_json::array();
    for (const auto& e : r.chaos->episodes) {
      nlohmann::ordered_json ej;
      ej["kind"] = e.kind;
      ej["target"] = e.target;
      ej["at_ns"] = e.at.count();
      ej["until_ns"] = e.until ? nlohmann::ordered_json(e.until->count()) : nullptr;
      if (!e.what.empty()) ej["what"] = e.what;
      c["faults"].push_back(std::move(ej));
    }
  }
  if (r.perturb.enabled()) {
    j["perturb"] = {{"order", r.perturb.order}, {"max_delay_ns", r.perturb.max_delay.count()}};
  }
  j["file"] = r.file;
  j["replay"] = replay_command(r.file, r.seed);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

struct Paint {
  bool on;
  std::string operator()(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return "\033[" + std::string(code) + "m" + std::string(text) + "\033[0m";
  }
};

// One line of captured output made safe for a terminal: control characters escaped, long lines
// cut.
std::string printable(std::string_view line) {
  std::string out;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (out.size() >= 160) {
      out += "...";
      break;
    }
    if (c == '\t') {
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

void render_output(std::ostringstream& s, std::string_view label, const std::string& text,
                   const HumanStyle& style) {
  if (text.empty()) return;
  auto lines = split_lines(text);
  std::size_t keep_head = lines.size(), skip = 0;
  if (lines.size() > style.max_output_lines) {
    keep_head = style.max_output_lines * 2 / 3;
    skip = lines.size() - style.max_output_lines + 1;
  }
  std::string pad(label.size(), ' ');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view lab = i == 0 ? label : std::string_view(pad);
    if (i == keep_head && skip) {
      s << "      " << lab << " "
        << "... " + std::to_string(skip) + " more lines ..."
        << "\n";
      i += skip - 1;
      continue;
    }
    s << "      " << lab << " | " << printable(lines[i]) << "\n";
  }
  if (text.back() != '\n')
    s << "      " << pad << "   "
      << "(no newline at end)"
      << "\n";
}

std::size_t failed_count(const RunResult& r) {
  return static_cast<std::size_t>(std::count_if(r.expectations.begin(), r.expectations.end(),
                                                [](const auto& e) { return !e.passed; }));
}

}  // namespace

std::string render_verdict(const RunResult& r, const HumanStyle& style) {
  Paint paint{style.colour};
  std::ostringstream s;
  std::size_t failed = failed_count(r);
  std::string id = r.scenario + " seed " + std::to_string(r.seed);
  if (r.passed) {
    s << paint("1;32", "PASS") << " " << id << " (" << r.expectations.size()
      << (r.expectations.size() == 1 ? " expectation" : " expectations") << " held)\n";
  } else {
    s << paint("1;31", "FAIL") << " " << id << ": " << failed << " of " << r.expectations.size()
      << " expectations failed, first: " << r.first_failure()
      << " (replay: " << replay_command(r.file, r.seed) << ")\n";
  }
  return s.str();
}

namespace {
// The chaos plan section: the kinds on and the first k_max_plan_lines faults.
constexpr std::size_t k_max_plan_lines = 40;
void render_chaos(std::ostringstream& s, const ChaosPlan& plan) {
  s << "\nchaos plan: ";
  if (plan.kinds.empty()) s << "no fault kind on for this seed";
  for (std::size_t i = 0; i < plan.kinds.size(); ++i) s << (i ? ", " : "") << plan.kinds[i];
  s << "; " << plan.episodes.size() << (plan.episodes.size() == 1 ? " fault" : " faults") << "\n";
  for (std::size_t i = 0; i < plan.episodes.size() && i < k_max_plan_lines; ++i) {
    s << "  " << plan.episodes[i].describe() << "\n";
  }
  if (plan.episodes.size() > k_max_plan_lines) {
    s << "  ... (" << plan.episodes.size() - k_max_plan_lines << " more)\n";
  }
}
}  // namespace

std::string render_human(const RunResult& r, const HumanStyle& style) {
  Paint paint{style.colour};
  std::ostringstream s;
  s << "scenario " + r.scenario << " (" << r.file << ", seed " << r.seed << ")\n";
  if (!r.description.empty()) {
    for (auto line : split_lines(r.description)) s << "  " << printable(line) << "\n";
  }
  s << "\n"
    << "processes"
    << "\n";
  std::size_t name_w = 0, host_w = 0, app_w = 0;
  for (const auto& p : r.processes) {
    name_w = std::max(name_w, p.name.size());
    host_w = std::max(host_w, p.host.size());
    app_w = std::max(app_w, p.app.size());
  }
  for (const auto& p : r.processes) {
    std::string state(state_name(p.state));
    if (p.state == sim::ProcessState::exited)
      state += ", exit code " + std::to_string(p.exit_code.value_or(-1));
    if (p.state == sim::ProcessState::failed) state += ": " + p.failure;
    s << "  " << p.name << std::string(name_w - p.name.size() + 2, ' ') << "on " << p.host
      << std::string(host_w - p.host.size() + 2, ' ') << p.app
      << std::string(app_w - p.app.size() + 2, ' ') << state << "\n";
    render_output(s, "stdout", p.out, style);
    render_output(s, "stderr", p.err, style);
  }
  if (r.chaos) render_chaos(s, *r.chaos);
  if (r.perturb.enabled()) {
    s << "\nschedule perturbed: " << (r.perturb.order ? "seeded order" : "FIFO order");
    if (r.perturb.max_delay.count() > 0) {
      s << ", handlers delayed up to " << net::format_duration(r.perturb.max_delay);
    }
    s << "\n";
  }
  s << "\n"
    << "expectations"
    << "\n";
  if (r.expectations.empty()) s << "  (none)\n";
  for (const auto& e : r.expectations) {
    s << "  " << (e.passed ? paint("32", "pass") : paint("1;31", "FAIL")) << "  " << e.what;
    if (e.line > 0) s << "  (line " << e.line << ")";
    s << "\n";
    if (!e.passed && !e.detail.empty()) s << "        " << printable(e.detail) << "\n";
  }
  s << "\n"
    << "counters"
    << "\n";
  std::size_t key_w = 0;
  for (const auto& [k, v] : r.stats) key_w = std::max(key_w, k.size());
  for (const auto& [k, v] : r.stats) {
    s << "  " << k << std::string(key_w - k.size() + 2, ' ') << v << "\n";
  }
  s << "\nvirtual time " << net::format_duration(std::chrono::nanoseconds(r.virtual_time_ns))
    << ", " << r.events << " events, trace digest " << r.trace_digest << "\n\n";
  s << render_verdict(r, style);
  s << "replay: " << replay_command(r.file, r.seed) << "\n";
  return s.str();
}

}  // namespace simsock::scenario
