// Failure keys and the thread-safe group table. Groups are found by linear search (there are
// few) and listed by lowest seed, so the listing does not depend on the order seeds finished in.
#include <simsock/tools/scenario/triage.hpp>

#include <algorithm>

namespace simsock::scenario {

namespace {

std::string digits_to_n(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      while (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ++i;
      out += 'N';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string last_line(std::string_view text) {
  auto lines = split_lines(text);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->find_first_not_of(" \t\r") != std::string_view::npos) return std::string(*it);
  }
  return "";
}

// The process an expectation is about (through `not:`), or "".
const std::string& process_of(const Expectation& x) {
  return x.kind == Expectation::Kind::negation ? process_of(*x.inner) : x.process;
}

}  // namespace

FailureKey failure_key(const ScenarioSpec& spec, const RunResult& r) {
  FailureKey key;
  auto failed = std::find_if(r.expectations.begin(), r.expectations.end(),
                             [](const ExpectationResult& e) { return !e.passed; });
  if (failed == r.expectations.end()) return key;
  key.expectation = failed->what;
  std::string process;
  for (const auto& x : spec.expectations) {
    if (x.line == failed->line && x.describe() == failed->what) process = process_of(x);
  }
  for (const auto& p : r.processes) {
    if (process.empty() || p.name != process) continue;
    std::string text = p.state == sim::ProcessState::failed ? p.failure : last_line(p.err);
    key.error = digits_to_n(text.substr(0, 200));
  }
  return key;
}

void Triage::add(std::uint64_t seed, const FailureKey& key, const std::string& detail) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(groups_.begin(), groups_.end(),
                         [&](const FailureGroup& g) { return g.key == key; });
  if (it == groups_.end()) {
    if (groups_.size() >= max_groups_) {
      ++other_;
      return;
    }
    groups_.push_back({key, 0, seed, detail});
    it = groups_.end() - 1;
  }
  ++it->count;
  if (seed < it->lowest_seed) {
    it->lowest_seed = seed;
    it->detail = detail;
  }
}

std::vector<FailureGroup> Triage::groups() const {
  std::lock_guard lock(mutex_);
  auto out = groups_;
  std::sort(out.begin(), out.end(), [](const FailureGroup& a, const FailureGroup& b) {
    return a.lowest_seed < b.lowest_seed;
  });
  return out;
}

std::uint64_t Triage::other_count() const {
  std::lock_guard lock(mutex_);
  return other_;
}

}  // namespace simsock::scenario
