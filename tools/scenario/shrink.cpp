// The shrinking search. A candidate is accepted when its run fails with the original key; each
// step keeps the last accepted spec, so the result always fails.
#include <simsock/tools/scenario/shrink.hpp>

#include <algorithm>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/fault_pairs.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/writer.hpp>

namespace simsock::scenario {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t k_ms = 1'000'000;

// `t` rounded down to a whole millisecond when that stays inside (lo, hi), else `t`: shrunk
// times read as "at: 250ms".
std::int64_t on_ms(std::int64_t t, std::int64_t lo, std::int64_t hi) {
  std::int64_t r = t / k_ms * k_ms;
  return r > lo && r < hi ? r : t;
}

void sort_faults(std::vector<sim::Fault>& faults) {
  std::stable_sort(faults.begin(), faults.end(),
                   [](const sim::Fault& x, const sim::Fault& y) { return x.at < y.at; });
}

std::string fault_text(const sim::Fault& f) {
  return render_fault(f);
}

// "FAULT" or "FAULT and its undo UNDO".
std::string unit_text(const std::vector<sim::Fault>& faults, const FaultUnit& u) {
  std::string s = fault_text(faults[u.fault]);
  if (u.undo) s += " and its undo " + fault_text(faults[*u.undo]);
  return s;
}

class Search {
 public:
  Search(std::uint64_t seed, const ShrinkOptions& o) : seed_(seed), o_(o), start_(Clock::now()) {}

  bool out_of_budget() {
    if (runs_ >= o_.max_runs || Clock::now() - start_ > o_.budget) exhausted_ = true;
    return exhausted_;
  }

  // Runs `candidate`; true (and it becomes the current spec) when it fails with the key and
  // still passes without each cause the original passed without: its faults (and chaos), its
  // schedule perturbation, or (when neither alone) both. So the failure stays the causes' doing:
  // a duration cut that stops the clients early, or a dropped message that changes the output,
  // is a different failure, one the calm run shows too.
  bool try_spec(const ScenarioSpec& candidate) {
    if (out_of_budget()) return false;
    ++runs_;
    RunResult r = run_scenario(candidate, seed_);
    if (r.passed || !(failure_key(candidate, r) == key_)) return false;
    for (Calm how : {Calm::no_faults, Calm::no_perturb, Calm::neither}) {
      if (!calm_passes_[static_cast<int>(how)]) continue;
      ++runs_;
      if (!run_scenario(calm(candidate, how), seed_).passed) return false;
    }
    current_ = candidate;
    last_ = std::move(r);
    return true;
  }

  // The causes a calm run leaves out.
  enum class Calm { no_faults, no_perturb, neither };
  static ScenarioSpec calm(ScenarioSpec spec, Calm how) {
    if (how != Calm::no_perturb) {
      spec.faults.clear();
      spec.chaos.reset();
    }
    if (how != Calm::no_faults) spec.perturb = {};
    return spec;
  }
  // Which calm runs of the original pass (and so must pass for every candidate). The run
  // without both causes is checked only when neither alone makes the original pass.
  void find_causes(const ScenarioSpec& original) {
    auto passes = [&](Calm how) {
      ++runs_;
      return run_scenario(calm(original, how), seed_).passed;
    };
    const bool has_faults = !original.faults.empty() || original.chaos.has_value();
    const bool perturbed = original.perturb.enabled();
    bool& faults = calm_passes_[static_cast<int>(Calm::no_faults)];
    bool& perturb = calm_passes_[static_cast<int>(Calm::no_perturb)];
    faults = has_faults && passes(Calm::no_faults);
    perturb = perturbed && passes(Calm::no_perturb);
    calm_passes_[static_cast<int>(Calm::neither)] =
        has_faults && perturbed && !faults && !perturb && passes(Calm::neither);
  }

  void step(const std::string& what) {
    steps_.push_back(what);
    if (o_.on_step) o_.on_step(what);
  }

  // Removes faults a chunk of units at a time: a fault goes with its undo, and an undo never
  // goes alone (that would make a short fault permanent).
  bool remove_faults() {
    bool changed = false;
    auto units = fault_units(current_.faults);
    for (std::size_t chunk = std::max<std::size_t>(units.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (std::size_t at = 0; at < units.size();) {
        ScenarioSpec c = current_;
        std::size_t n = std::min(chunk, units.size() - at);
        std::vector<bool> gone(c.faults.size(), false);
        std::vector<std::string> lines;
        for (std::size_t k = at; k < at + n; ++k) {
          gone[units[k].fault] = true;
          if (units[k].undo) gone[*units[k].undo] = true;
          lines.push_back("removed fault " + unit_text(current_.faults, units[k]));
        }
        c.faults.clear();
        for (std::size_t i = 0; i < gone.size(); ++i) {
          if (!gone[i]) c.faults.push_back(current_.faults[i]);
        }
        if (try_spec(c)) {
          for (const auto& line : lines) step(line);
          changed = true;
          units = fault_units(current_.faults);
        } else {
          at += n;
        }
        if (exhausted_) return changed;
      }
      if (chunk == 1) break;
    }
    return changed;
  }

  // Moves each unit earlier (a fault with its undo, keeping its duration: a binary search toward
  // 0), then each undo earlier toward its fault (shortening the fault, never to nothing).
  bool move_faults_earlier() {
    bool changed = false;
    for (std::size_t k = 0; !exhausted_; ++k) {
      auto units = fault_units(current_.faults);
      if (k >= units.size()) break;
      changed |= move_unit(units[k]);
    }
    for (std::size_t k = 0; !exhausted_; ++k) {
      auto units = fault_units(current_.faults);
      if (k >= units.size()) break;
      if (units[k].undo) changed |= shorten_unit(units[k]);
    }
    return changed;
  }

  // Binary search for the earliest time in (lo, hi] that `set(c, t)` still fails at; hi fails.
  template <typename Set>
  std::int64_t earliest(std::int64_t lo, std::int64_t hi, Set set) {
    for (int iter = 0; iter < 12 && hi - lo > k_ms && !exhausted_; ++iter) {
      std::int64_t mid = on_ms(lo + (hi - lo) / 2, lo, hi);
      if (mid <= lo || mid >= hi) break;
      ScenarioSpec c = current_;
      set(c, mid);
      if (try_spec(c)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  bool move_unit(const FaultUnit& u) {
    const std::string text = unit_text(current_.faults, u);
    const std::int64_t start = current_.faults[u.fault].at.count();
    const std::int64_t length = u.undo ? current_.faults[*u.undo].at.count() - start : 0;
    std::int64_t best = earliest(0, start, [&](ScenarioSpec& c, std::int64_t t) {
      c.faults[u.fault].at = Duration(t);
      if (u.undo) c.faults[*u.undo].at = Duration(t + length);
    });
    if (best == start) return false;
    sort_faults(current_.faults);  // current_ is the accepted spec; sorting keeps its times
    step("moved fault " + text + " earlier to " + net::format_duration(Duration(best)));
    return true;
  }

  bool shorten_unit(const FaultUnit& u) {
    const std::string text = fault_text(current_.faults[*u.undo]);
    const std::string of = fault_text(current_.faults[u.fault]);
    const std::int64_t from = current_.faults[u.fault].at.count();
    const std::int64_t end = current_.faults[*u.undo].at.count();
    std::int64_t best = earliest(
        from, end, [&](ScenarioSpec& c, std::int64_t t) { c.faults[*u.undo].at = Duration(t); });
    if (best == end) return false;
    sort_faults(current_.faults);
    step("moved undo " + text + " earlier to " + net::format_duration(Duration(best)) +
         ", shortening " + of);
    return true;
  }

  // Tries `field` = 0, then half; `name` describes it for the step line.
  template <typename Get>
  bool lower(const std::string& name, Get get) {
    ScenarioSpec c = current_;
    auto& value = get(c);
    if (!value) return false;
    using V0 = std::decay_t<decltype(*value)>;
    if constexpr (std::is_same_v<V0, double>) {
      if (*value <= 0) return false;
    } else {
      if (value->count() <= 0) return false;
    }
    auto original = *value;
    for (double factor : {0.0, 0.5}) {
      ScenarioSpec d = current_;
      auto& v = get(d);
      using V = std::decay_t<decltype(*v)>;
      if constexpr (std::is_same_v<V, double>) {
        v = original * factor;
      } else {
        v = V(static_cast<std::int64_t>(static_cast<double>(original.count()) * factor));
      }
      if (try_spec(d)) {
        step("lowered " + name + (factor == 0.0 ? " to 0" : " by half"));
        return true;
      }
      if (exhausted_) break;
    }
    return false;
  }

  bool lower_patch(const std::string& where, std::function<sim::LinkPatch&(ScenarioSpec&)> patch) {
    bool changed = false;
    changed |= lower(
        where + " udp.loss", [&](ScenarioSpec & s) -> auto& { return patch(s).udp_loss; });
    changed |= lower(
        where + " udp.duplicate", [&](ScenarioSpec & s) -> auto& {
          return patch(s).udp_duplicate;
        });
    changed |= lower(
        where + " udp.reorder", [&](ScenarioSpec & s) -> auto& { return patch(s).udp_reorder; });
    changed |= lower(
        where + " tcp.loss", [&](ScenarioSpec & s) -> auto& { return patch(s).tcp_loss; });
    changed |= lower(
        where + " jitter", [&](ScenarioSpec & s) -> auto& { return patch(s).jitter; });
    return changed;
  }

  bool lower_impairments() {
    bool changed = lower_patch("network.default",
                               [](ScenarioSpec& s) -> sim::LinkPatch& { return s.default_link; });
    for (std::size_t i = 0; i < current_.links.size(); ++i) {
      const auto& p = current_.links[i].pair;
      changed |= lower_patch("link " + p.a + (p.both_directions ? "<->" : "->") + p.b,
                             [i](ScenarioSpec& s) -> sim::LinkPatch& { return s.links[i].patch; });
    }
    for (std::size_t i = 0; i < current_.faults.size(); ++i) {
      if (!std::holds_alternative<sim::SetLink>(current_.faults[i].action)) continue;
      changed |= lower_patch("fault " + fault_text(current_.faults[i]),
                             [i](ScenarioSpec& s) -> sim::LinkPatch& {
                               return std::get<sim::SetLink>(s.faults[i].action).patch;
                             });
    }
    return changed;
  }

  bool cut_duration() {
    std::int64_t lo = k_ms;
    for (const auto& f : current_.faults) lo = std::max(lo, f.at.count());
    for (const auto& p : current_.processes) lo = std::max(lo, p.start.count());
    std::int64_t original = current_.duration.count(), hi = original;
    if (lo >= hi) return false;
    for (int iter = 0; iter < 16 && hi - lo > k_ms && !exhausted_; ++iter) {
      std::int64_t mid = on_ms(lo + (hi - lo) / 2, lo, hi);
      if (mid <= lo || mid >= hi) break;
      ScenarioSpec c = current_;
      c.duration = Duration(mid);
      if (try_spec(c)) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    if (hi == original) return false;
    step("cut duration from " + net::format_duration(Duration(original)) + " to " +
         net::format_duration(Duration(hi)));
    return true;
  }

  bool drop_messages() {
    bool changed = false;
    for (std::size_t p = 0; p < current_.processes.size() && !exhausted_; ++p) {
      for (std::size_t i = 0; i < current_.processes[p].args.size() && !exhausted_;) {
        const auto& args = current_.processes[p].args;
        auto messages = std::count_if(args.begin(), args.end(),
                                      [](const auto& a) { return a.first == "message"; });
        if (args[i].first != "message" || messages <= 1) {
          ++i;
          continue;
        }
        ScenarioSpec c = current_;
        auto& cp = c.processes[p];
        std::string text = cp.args[i].second;
        cp.args.erase(cp.args.begin() + static_cast<std::ptrdiff_t>(i));
        cp.options = apps::Options();
        if (apps::parse_options(*cp.app_spec, cp.args, cp.options)) {
          ++i;
          continue;
        }
        if (try_spec(c)) {
          step("dropped message " + excerpt(text) + " from " + cp.name);
          changed = true;
        } else {
          ++i;
        }
      }
    }
    return changed;
  }

  std::uint64_t seed_;
  ShrinkOptions o_;
  Clock::time_point start_;
  std::uint64_t runs_ = 0;
  bool exhausted_ = false;
  bool calm_passes_[3] = {false, false, false};  // by Calm: the original passes so
  FailureKey key_;
  ScenarioSpec current_;
  RunResult last_;
  std::vector<std::string> steps_;
};

}  // namespace

ShrinkResult shrink_scenario(const ScenarioSpec& spec, std::uint64_t seed,
                             const ShrinkOptions& options) {
  ShrinkResult out;
  Search s(seed, options);
  ScenarioSpec start = spec;
  start.seed = seed;
  RunResult first = run_scenario(start, seed);
  s.runs_ = 1;
  if (first.passed) {
    out.spec = start;
    out.last = std::move(first);
    out.runs = 1;
    return out;
  }
  out.failed = true;
  s.key_ = failure_key(start, first);
  s.current_ = start;
  s.last_ = first;
  s.find_causes(start);
  if (start.perturb.enabled()) {
    ScenarioSpec c = start;
    c.perturb = {};
    if (s.try_spec(c)) s.step("turned schedule perturbation off: the run fails without it");
  }
  if (start.chaos) {
    ScenarioSpec c = start;
    auto plan = plan_chaos(start, seed);
    auto planned = plan.faults();
    c.faults.insert(c.faults.end(), planned.begin(), planned.end());
    c.chaos.reset();
    if (s.try_spec(c)) {
      s.step("made the chaos plan explicit: " + std::to_string(plan.episodes.size()) +
             " random faults became " + std::to_string(planned.size()) + " timeline faults");
    }
  }
  for (int round = 0; round < 4 && !s.exhausted_; ++round) {
    bool changed = false;
    changed |= s.remove_faults();
    changed |= s.move_faults_earlier();
    changed |= s.lower_impairments();
    changed |= s.cut_duration();
    changed |= s.drop_messages();
    if (!changed) break;
  }
  out.key = s.key_;
  out.spec = s.current_;
  out.steps = s.steps_;
  out.runs = s.runs_;
  out.budget_exhausted = s.exhausted_;
  out.last = s.last_;
  return out;
}

}  // namespace simsock::scenario
