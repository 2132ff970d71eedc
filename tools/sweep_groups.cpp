#include <simsock/tools/sweep_groups.hpp>

#include <simsock/tools/commands.hpp>
#include <simsock/tools/scenario/report.hpp>

namespace simsock::cli {

void SweepTriage::stash(std::uint64_t seed, scenario::FailureKey key) {
  std::lock_guard lock(mutex_);
  pending_[seed] = std::move(key);
}

void SweepTriage::add(std::uint64_t seed, const std::string& detail) {
  scenario::FailureKey key;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(seed);
    if (it != pending_.end()) {
      key = std::move(it->second);
      pending_.erase(it);
    } else {
      key.expectation = detail;  // the run threw: its message is all there is
    }
  }
  triage_.add(seed, key, detail);
}

void print_groups(std::ostream& out, const scenario::Triage& t, const std::string& file) {
  auto groups = t.groups();
  if (groups.empty()) return;
  out << "failure groups (" << groups.size() << "):\n";
  for (const auto& g : groups) {
    out << "  " << g.count << (g.count == 1 ? " seed" : " seeds") << ", lowest " << g.lowest_seed
        << ": " << g.key.expectation;
    if (!g.key.error.empty()) out << " (" << g.key.error << ")";
    out << "\n    replay: " << scenario::replay_command(file, g.lowest_seed) << "\n";
  }
  if (t.other_count() > 0) {
    out << "  " << t.other_count() << " more failing seeds in further groups (not listed)\n";
  }
}

std::size_t shrink_groups(std::ostream& out, const scenario::Triage& t,
                          const scenario::ScenarioSpec& spec, std::chrono::milliseconds budget,
                          const std::vector<apps::AppSpec>& catalog, const std::string& command) {
  std::size_t written = 0;
  for (const auto& g : t.groups()) {
    std::string path = default_shrink_path(spec.file, g.lowest_seed);
    if (shrink_to_file(spec, g.lowest_seed, path, budget, catalog, command, out) == k_exit_ok)
      ++written;
  }
  return written;
}

}  // namespace simsock::cli
