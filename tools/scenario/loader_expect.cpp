// The loader's expect section: each entry checks one thing about one process, or bounds one
// counter, or wraps another entry in `not:`.
#include <algorithm>

#include <re2/re2.h>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>

namespace simsock::scenario::detail {

namespace {

using Kind = Expectation::Kind;
constexpr int kMaxNotDepth = 8;
// Longer patterns are almost certainly a mistake; RE2 also bounds its own memory per pattern.
constexpr std::size_t kMaxRegexLength = 1000;

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

// Why RE2 rejected `src`, in words a user of ECMAScript or Perl regexes recognises.
std::string regex_problem(const re2::RE2& re, const std::string& src) {
  const std::string& arg = re.error_arg();
  if (re.error_code() == re2::RE2::ErrorBadEscape && arg.size() >= 2 && arg[0] == '\\' &&
      arg[1] >= '1' && arg[1] <= '9') {
    return "backreferences like " + arg + " are not supported (the syntax is RE2's)";
  }
  if (re.error_code() == re2::RE2::ErrorRepeatSize) {
    return "repetition " + arg +
           " is too large (counts up to 1000, and nested counts whose product is at most 1000)";
  }
  for (std::string_view look : {"(?=", "(?!", "(?<=", "(?<!"}) {
    if (src.find(look) != std::string::npos &&
        (re.error_code() == re2::RE2::ErrorMissingParen ||
         re.error_code() == re2::RE2::ErrorBadPerlOp ||
         re.error_code() == re2::RE2::ErrorBadNamedCapture)) {
      return "lookahead and lookbehind like " + std::string(look) +
             "...) are not supported (the syntax is RE2's)";
    }
  }
  return re.error() + " (RE2 syntax: \\d, \\s, [...], {m,n}, ^, $, groups, |)";
}

std::shared_ptr<const re2::RE2> compile_regex(const Field& f) {
  std::string src = f.text();
  if (src.size() > kMaxRegexLength) {
    f.fail("regex too long (" + std::to_string(src.size()) + " characters; at most " +
           std::to_string(kMaxRegexLength) + ")");
  }
  re2::RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(src, options);
  if (!re->ok()) {
    f.fail(f.shown() + " is not a regex: " + regex_problem(*re, src));
  }
  return re;
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
      else if (s == "killed")
        x.state = sim::ProcessState::killed;
      else
        v.fail(v.shown() + " is not a process state (running, exited, crashed, failed, killed)");
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

Expectation load_one(const Field& f, const ScenarioSpec& spec, const Names& names, int depth) {
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
    x.inner = std::make_shared<const Expectation>(load_one(*inner, spec, names, depth + 1));
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
  check_process(proc, spec, names, x.process);
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

void load_expectations(const Field& expect, ScenarioSpec& spec, const Names& names) {
  for (const Field& f : expect.items("a list of expectations like [{process: cli, exit: 0}]")) {
    spec.expectations.push_back(load_one(f, spec, names, 0));
  }
}

}  // namespace simsock::scenario::detail
