// Grouping a sweep's failures: seeds that fail the same first expectation with the same app error
// are one bug seen many times. Each group keeps its count and its lowest seed (the one to replay
// and shrink).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <simsock/tools/scenario/report.hpp>
#include <simsock/tools/scenario/spec.hpp>

namespace simsock::scenario {

// What identifies a failure: the first failed expectation (its description, not its detail,
// which holds run-specific values) and the error text of the process it names (the last line
// of its stderr, or what it threw), with every run of digits replaced by "N".
struct FailureKey {
  std::string expectation;
  std::string error;  // "" when the process printed nothing on stderr
  friend bool operator==(const FailureKey&, const FailureKey&) = default;
};

// The key of a failed run of `spec`; requires !r.passed.
FailureKey failure_key(const ScenarioSpec& spec, const RunResult& r);

struct FailureGroup {
  FailureKey key;
  std::uint64_t count = 0;
  std::uint64_t lowest_seed = 0;
  std::string detail;  // the lowest seed's first failure, "WHAT: DETAIL"
};

// Collects failures from any number of threads. At most `max_groups` distinct groups are kept;
// failures of further groups are counted in other_count().
class Triage {
 public:
  explicit Triage(std::size_t max_groups = 100) : max_groups_(max_groups) {}
  void add(std::uint64_t seed, const FailureKey& key, const std::string& detail);
  // The groups, by lowest seed.
  std::vector<FailureGroup> groups() const;
  std::uint64_t other_count() const;

 private:
  mutable std::mutex mutex_;
  std::size_t max_groups_;
  std::vector<FailureGroup> groups_;
  std::uint64_t other_ = 0;
};

}  // namespace simsock::scenario
