#include <simsock/tools/scenario/expect.hpp>

#include <algorithm>
#include <cstdio>

#include <re2/re2.h>

namespace simsock::scenario {

using Kind = Expectation::Kind;

std::string_view state_name(sim::ProcessState s) {
  switch (s) {
    case sim::ProcessState::running:
      return "running";
    case sim::ProcessState::exited:
      return "exited";
    case sim::ProcessState::crashed:
      return "crashed";
    case sim::ProcessState::failed:
      return "failed";
    case sim::ProcessState::killed:
      return "killed";
  }
  return "unknown";
}

std::string excerpt(std::string_view text, std::size_t max) {
  std::string out = "'";
  std::size_t shown = 0;
  for (char c : text) {
    if (shown >= max) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
    ++shown;
  }
  return out + "'";
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string Expectation::describe() const {
  auto check = [&](std::string_view key, const std::string& value) {
    return process + " " + std::string(key) + " " + value;
  };
  switch (kind) {
    case Kind::exit_code:
      return process + " exit " + std::to_string(number);
    case Kind::state:
      return process + " state " + std::string(state_name(state));
    case Kind::stdout_equals:
      return check("stdout", excerpt(text));
    case Kind::stdout_contains:
      return check("stdout_contains", excerpt(text));
    case Kind::stdout_lines_match:
      return check("stdout_lines_match", excerpt(text));
    case Kind::stdout_line_count:
      return check("stdout_line_count", std::to_string(number));
    case Kind::stderr_equals:
      return check("stderr", excerpt(text));
    case Kind::stderr_contains:
      return check("stderr_contains", excerpt(text));
    case Kind::stat:
      if (min && max)
        return text + " in [" + std::to_string(*min) + ", " + std::to_string(*max) + "]";
      if (min) return text + " >= " + std::to_string(*min);
      return text + " <= " + std::to_string(max.value_or(0));
    case Kind::negation:
      return "not " + inner->describe();
  }
  return "?";
}

namespace {

// How a process ended, for messages: "exited with code 1", "still running", "crashed".
std::string how(const sim::ProcessResult& p) {
  switch (p.state) {
    case sim::ProcessState::exited:
      return "exited with code " + std::to_string(p.exit_code.value_or(-1));
    case sim::ProcessState::running:
      return "was still running";
    case sim::ProcessState::crashed:
      return "crashed (its host crashed)";
    case sim::ProcessState::failed:
      return "failed: " + p.failure;
    case sim::ProcessState::killed:
      return "was killed";
  }
  return "?";
}

// "" when it holds, else why not.
std::string check_process(const Expectation& x, const sim::ProcessResult& p) {
  switch (x.kind) {
    case Kind::exit_code:
      if (p.state == sim::ProcessState::exited && p.exit_code == x.number) return "";
      return p.name + " " + how(p);
    case Kind::state:
      if (p.state == x.state) return "";
      return p.name + " " + how(p);
    case Kind::stdout_equals:
    case Kind::stderr_equals: {
      const std::string& got = x.kind == Kind::stdout_equals ? p.out : p.err;
      std::string_view stream = x.kind == Kind::stdout_equals ? "stdout" : "stderr";
      if (got == x.text) return "";
      auto diff = std::mismatch(got.begin(), got.end(), x.text.begin(), x.text.end());
      auto at = static_cast<std::size_t>(diff.first - got.begin());
      std::size_t from = at > 20 ? at - 20 : 0;
      return std::string(stream) + " differs at byte " + std::to_string(at) + ": got " +
             excerpt(std::string_view(got).substr(from), 50) + ", expected " +
             excerpt(std::string_view(x.text).substr(from), 50) +
             (from ? " (from byte " + std::to_string(from) + ")" : "");
    }
    case Kind::stdout_contains:
    case Kind::stderr_contains: {
      const std::string& got = x.kind == Kind::stdout_contains ? p.out : p.err;
      std::string_view stream = x.kind == Kind::stdout_contains ? "stdout" : "stderr";
      if (got.find(x.text) != std::string::npos) return "";
      return std::string(stream) + " " + excerpt(got, 80) + " does not contain " + excerpt(x.text);
    }
    case Kind::stdout_lines_match: {
      auto lines = split_lines(p.out);
      if (lines.empty()) return "stdout is empty";
      for (std::size_t i = 0; i < lines.size(); ++i) {
        // RE2 matches in time linear in the line, without recursion: any line, any pattern.
        if (!re2::RE2::FullMatch(re2::StringPiece(lines[i].data(), lines[i].size()), *x.regex)) {
          return "line " + std::to_string(i + 1) + " " + excerpt(lines[i], 80) + " does not match";
        }
      }
      return "";
    }
    case Kind::stdout_line_count: {
      auto n = split_lines(p.out).size();
      if (static_cast<std::int64_t>(n) == x.number) return "";
      return "stdout has " + std::to_string(n) + " lines";
    }
    default:
      return "not a process expectation";
  }
}

}  // namespace

ExpectationResult evaluate(const Expectation& x, const std::vector<sim::ProcessResult>& processes,
                           const sim::Stats& stats) {
  ExpectationResult r{x.describe(), false, "", x.line};
  if (x.kind == Kind::negation) {
    ExpectationResult inner = evaluate(*x.inner, processes, stats);
    r.passed = !inner.passed;
    if (!r.passed) r.detail = "it holds, but it is expected not to";
    return r;
  }
  if (x.kind == Kind::stat) {
    auto it = stats.find(x.text);
    if (it == stats.end()) {
      std::string names;
      for (const auto& [k, v] : stats) names += (names.empty() ? "" : ", ") + k;
      r.detail = "no counter named '" + x.text + "' (counters: " + names + ")";
      return r;
    }
    std::uint64_t v = it->second;
    if (x.min && v < *x.min) {
      r.detail =
          x.text + " = " + std::to_string(v) + ", below the minimum " + std::to_string(*x.min);
    } else if (x.max && v > *x.max) {
      r.detail =
          x.text + " = " + std::to_string(v) + ", above the maximum " + std::to_string(*x.max);
    } else {
      r.passed = true;
    }
    return r;
  }
  auto p = std::find_if(processes.begin(), processes.end(),
                        [&](const sim::ProcessResult& q) { return q.name == x.process; });
  if (p == processes.end()) {
    r.detail = "no process named " + x.process;
    return r;
  }
  r.detail = check_process(x, *p);
  r.passed = r.detail.empty();
  return r;
}

std::vector<ExpectationResult> evaluate_all(const std::vector<Expectation>& xs,
                                            const std::vector<sim::ProcessResult>& processes,
                                            const sim::Stats& stats) {
  std::vector<ExpectationResult> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.push_back(evaluate(x, processes, stats));
  return out;
}

}  // namespace simsock::scenario
