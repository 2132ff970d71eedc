// The triage part of `simsock sweep`: failures grouped by how they fail
// (tools/scenario/triage.hpp), printed with count, lowest seed and replay line, and shrunk one seed
// per group (--shrink).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <simsock/apps/app.hpp>

#include <simsock/tools/scenario/triage.hpp>

namespace simsock::cli {

// Keys computed by the sweep's worker threads, handed to the Triage in seed order (the sweep's
// on_seed callback), so the groups kept are the same whatever the number of jobs.
class SweepTriage {
 public:
  // From a worker: the key of `seed`'s failure.
  void stash(std::uint64_t seed, scenario::FailureKey key);
  // In seed order: adds `seed`'s failure (a stashed key, or one made of the detail alone).
  void add(std::uint64_t seed, const std::string& detail);
  const scenario::Triage& triage() const { return triage_; }

 private:
  std::mutex mutex_;
  std::map<std::uint64_t, scenario::FailureKey> pending_;  // at most the seeds in flight
  scenario::Triage triage_;
};

// "failure groups (N):" and per group "  COUNT seeds, lowest S: WHAT (ERROR)" and its replay.
void print_groups(std::ostream& out, const scenario::Triage& t, const std::string& file);

// Shrinks the lowest seed of every group of `t` (budget each) as the command `command` with the
// apps `catalog` does (shrink_to_file), printing each result; returns how many groups were
// shrunk to a file.
std::size_t shrink_groups(std::ostream& out, const scenario::Triage& t,
                          const scenario::ScenarioSpec& spec, std::chrono::milliseconds budget,
                          const std::vector<apps::AppSpec>& catalog, const std::string& command);

}  // namespace simsock::cli
