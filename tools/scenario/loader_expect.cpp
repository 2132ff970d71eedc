// The loader's expect section: each entry checks one thing about one process, or bounds one
// counter, or wraps another entry in `not:`.
#include <algorithm>

#include "tools/scenario/loader.hpp"
#include "tools/scenario/loader_parts.hpp"

namespace simsock::scenario::detail {

namespace {

using Kind = Expectation::Kind;
constexpr int kMaxNotDepth = 8;
constexpr std::size_t kMaxRegexLength = 1000;
constexpr int kMaxRegexNesting = 32;
constexpr std::uint64_t kMaxRegexExpansion = 10000;
constexpr std::size_t kMaxBackrefDigits = 4;

struct ProcessCheck {
  std::string_view key;
  Kind kind;
};
constexpr ProcessCheck kProcessChecks[] = {
    {"exit", Kind::exit_code},
    {"state", Kind::state},
    {"stdout", Kind::stdout_equals},
    {"stdout_contains", Kind::stdout_contains},
    {"stdout_lines_match", Kind::stdout_lines_match},
    {"stdout_line_count", Kind::stdout_line_count},
    {"stderr", Kind::stderr_equals},
    {"stderr_contains", Kind::stderr_contains},
};

std::shared_ptr<const std::regex> compile_regex(const Field& f) {
  std::string src = f.text();
  int depth = 0, max_depth = 0;
  bool escaped = false;
  for (char c : src) {
    if (!escaped && c == '(') max_depth = std::max(max_depth, ++depth);
    if (!escaped && c == ')') --depth;
    escaped = !escaped && c == '\\';
  }
  // std::regex expands a{m,n} into copies of `a`: bound the product of all repetition counts.
  std::uint64_t expansion = 1;
  escaped = false;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (!escaped && src[i] == '{') {
      std::uint64_t biggest = 0, n = 0;
      for (std::size_t j = i + 1; j < src.size() && src[j] != '}'; ++j) {
        if (src[j] == ',') {
          n = 0;
        } else if (src[j] >= '0' && src[j] <= '9') {
          n = std::min<std::uint64_t>(n * 10 + static_cast<unsigned>(src[j] - '0'), 1u << 20);
          biggest = std::max(biggest, n);
        } else {
          break;
        }
      }
      expansion =
          std::min<std::uint64_t>(expansion * std::max<std::uint64_t>(biggest, 1), 1u << 30);
    }
    escaped = !escaped && src[i] == '\\';
  }
  // libstdc++ reads the digits of a backreference (\123...) into a long without an overflow
  // check (undefined behaviour, found by the fuzzer): allow at most 4 of them.
  std::size_t longest_backref = 0;
  escaped = false;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (escaped && src[i] >= '0' && src[i] <= '9') {
      std::size_t j = i;
      while (j < src.size() && src[j] >= '0' && src[j] <= '9') ++j;
      longest_backref = std::max(longest_backref, j - i);
    }
    escaped = !escaped && src[i] == '\\';
  }
  if (longest_backref > kMaxBackrefDigits) {
    f.fail("regex has a backreference number of more than " + std::to_string(kMaxBackrefDigits) +
           " digits");
  }
  if (src.size() > kMaxRegexLength || max_depth > kMaxRegexNesting ||
      expansion > kMaxRegexExpansion) {
    f.fail("regex too large (at most " + std::to_string(kMaxRegexLength) + " characters, " +
           std::to_string(kMaxRegexNesting) +
           " nested groups, and repetition counts {m,n} whose "
           "product is at most " +
           std::to_string(kMaxRegexExpansion) + ")");
  }
  try {
    return std::make_shared<const std::regex>(src, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    f.fail(f.shown() + " is not an ECMAScript regex (" + e.what() + ")");
  }
}

void process_check(const Field& v, Kind kind, Expectation& x) {
  switch (kind) {
    case Kind::exit_code: {
      std::int64_t code = v.integer();
      if (code < 0 || code > 255) v.fail(v.shown() + " is not an exit code (0..255)");
      x.number = code;
      break;
    }
    case Kind::state: {
      std::string s = v.text();
      if (s == "running")
        x.state = sim::ProcessState::running;
      else if (s == "exited")
        x.state = sim::ProcessState::exited;
      else if (s == "crashed")
        x.state = sim::ProcessState::crashed;
      else if (s == "failed")
        x.state = sim::ProcessState::failed;
      else
        v.fail(v.shown() + " is not a process state (running, exited, crashed, failed)");
      break;
    }
    case Kind::stdout_lines_match:
      x.text = v.text();
      x.regex = compile_regex(v);
      break;
    case Kind::stdout_line_count:
      x.number = static_cast<std::int64_t>(v.uint(1u << 30));
      break;
    default:
      x.text = v.text();
      break;
  }
}

Expectation load_one(const Field& f, const ScenarioSpec& spec, int depth) {
  constexpr std::string_view example = "{process: cli, exit: 0}";
  auto e =
      f.entries("an expectation like " + std::string(example),
                {"process", "exit", "state", "stdout", "stdout_contains", "stdout_lines_match",
                 "stdout_line_count", "stderr", "stderr_contains", "stat", "min", "max", "not"});
  Expectation x;
  x.line = f.line();
  if (const Field* inner = find_entry(e, "not")) {
    if (e.size() != 1) f.fail("'not' wraps one whole expectation: {not: {process: cli, exit: 0}}");
    if (depth >= kMaxNotDepth) inner->fail("'not' nested too deeply");
    x.kind = Kind::negation;
    x.inner = std::make_shared<const Expectation>(load_one(*inner, spec, depth + 1));
    return x;
  }
  if (const Field* stat = find_entry(e, "stat")) {
    x.kind = Kind::stat;
    x.text = stat->name();
    for (const auto& [k, v] : e) {
      if (k != "stat" && k != "min" && k != "max") {
        v.fail("a stat expectation takes only stat, min and max, e.g. {stat: udp.dropped, min: 1}");
      }
    }
    if (const Field* m = find_entry(e, "min")) x.min = m->uint();
    if (const Field* m = find_entry(e, "max")) x.max = m->uint();
    if (!x.min && !x.max) f.fail("a stat expectation needs min, max or both");
    if (x.min && x.max && *x.min > *x.max) {
      find_entry(e, "max")->fail(find_entry(e, "max")->shown() + " is below min (" +
                                 std::to_string(*x.min) + ")");
    }
    return x;
  }
  const Field& proc = require_entry(f, e, "process", example);
  x.process = proc.text();
  bool known = false;
  std::string names;
  for (const auto& p : spec.processes) {
    known = known || p.name == x.process;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  if (!known) proc.fail("unknown process " + proc.shown() + " (processes: " + names + ")");
  const Field* check = nullptr;
  for (const auto& [k, v] : e) {
    if (k == "process") continue;
    if (k == "min" || k == "max")
      v.fail("min and max go with stat:, e.g. {stat: udp.dropped, min: 1}");
    if (check) {
      v.fail("an expectation checks one thing; split '" + v.path() + "' into its own entry");
    }
    check = &v;
    for (const auto& c : kProcessChecks) {
      if (c.key == k) x.kind = c.kind;
    }
  }
  if (!check) {
    f.fail("nothing to check for process " + x.process +
           " (exit, state, stdout, stdout_contains, stdout_lines_match, stdout_line_count, "
           "stderr, stderr_contains)");
  }
  process_check(*check, x.kind, x);
  return x;
}

}  // namespace

void load_expectations(const Field& expect, ScenarioSpec& spec) {
  for (const Field& f : expect.items("a list of expectations like [{process: cli, exit: 0}]")) {
    spec.expectations.push_back(load_one(f, spec, 0));
  }
}

}  // namespace simsock::scenario::detail
