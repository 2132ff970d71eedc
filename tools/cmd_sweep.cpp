// simsock sweep: run a scenario for a set of seeds and report each failing seed as it finishes.
// Exit status: 0 no seed failed, 1 some seed failed, 2 bad arguments or scenario file, 3 an
// output could not be written, 128 + N when signal N (SIGINT, SIGTERM) stopped it.
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <simsock/net/units.hpp>
#include <simsock/tools/cli.hpp>
#include <simsock/tools/commands.hpp>
#include <simsock/tools/junit.hpp>
#include <simsock/tools/load.hpp>
#include <simsock/tools/outputs.hpp>
#include <simsock/tools/progress.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/scenario/sweep.hpp>
#include <simsock/tools/scenario/triage.hpp>
#include <simsock/tools/sweep_groups.hpp>
#include <simsock/tools/sweep_html_output.hpp>

namespace simsock::cli {
namespace {

// Failing seeds whose detail the JSON report lists; later ones are counted (failed_count).
constexpr std::size_t k_kept_failures = 1000;

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

// SIGINT / SIGTERM stop the sweep after the running seeds; a second one kills it (SA_RESETHAND).
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

struct SweepArgs {
  std::string file, seeds_text, shard_text, junit_path, html_path;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool json = false, perturb = false, shrink = false;
  std::string shrink_budget_text = "30s";
};

// glibc hands the free top of a thread's heap back to the kernel (madvise) once it passes the
// trim threshold (128 KiB). Each seed's world frees what it allocated, so the heap of a second
// job's thread was trimmed, and faulted in again by the next seed, about once every 1.5 seeds
// (with a TLB flush on the other job's CPU each time). A sweep keeps that memory for the next
// seed instead; the bound is far above what one world allocates.
void keep_freed_heap_for_next_seeds() {
#ifdef __GLIBC__
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

const char* signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

int sweep(const SweepArgs& a) {
  std::string error;
  auto seeds = scenario::parse_seeds(a.seeds_text, &error);
  if (!seeds) throw UsageError("--seeds: " + error);
  scenario::Shard shard;
  if (!a.shard_text.empty()) {
    auto s = scenario::parse_shard(a.shard_text);
    if (!s) throw UsageError("--shard: '" + a.shard_text + "' is not I/N with 0 <= I < N");
    shard = *s;
  } else {
    std::string env_error;
    if (auto s = scenario::shard_from_environment(&env_error)) shard = *s;
    if (!env_error.empty()) throw UsageError(env_error);
  }
  check_distinct_outputs(a.file, {{"--junit", a.junit_path}, {"--html", a.html_path}});
  if (!a.html_path.empty()) check_sweep_html_writable(a.html_path);
  if (const char* status_file = std::getenv("GTEST_SHARD_STATUS_FILE")) {
    std::ofstream touch(status_file, std::ios::app);
  }

  auto shrink_budget = net::parse_duration(a.shrink_budget_text);
  if (!shrink_budget || *shrink_budget <= std::chrono::nanoseconds(0)) {
    throw UsageError("--shrink-budget: '" + a.shrink_budget_text +
                     "' is not a positive duration (e.g. 30s)");
  }
  auto loaded = load_scenario_or_report(a.file);
  if (!loaded) return k_exit_usage;
  if (a.perturb) loaded->perturb.order = true;
  const scenario::ScenarioSpec& spec = *loaded;
  SweepTriage triage;
  std::unique_ptr<JunitSweepWriter> junit;
  if (!a.junit_path.empty())
    junit = std::make_unique<JunitSweepWriter>(a.junit_path, spec.name, a.file);

  ProgressLine progress(std::cerr, spec.name, ::isatty(STDERR_FILENO) == 1);
  scenario::SweepOptions options;
  options.jobs = a.jobs;
  options.keep_failures = a.json ? k_kept_failures : 0;
  options.stop = &g_stop;
  options.on_seed = [&](const scenario::SeedOutcome& o) {
    if (junit) junit->add(o);
    if (!o.passed) triage.add(o.seed, o.detail);
    if (o.passed || a.json) return;
    progress.clear();
    std::cout << "seed " << o.seed << ": " << o.detail << "\n"
              << "  replay: " << scenario::replay_command(a.file, o.seed) << "\n"
              << std::flush;
  };
  options.progress = [&](std::uint64_t done, std::uint64_t total, std::uint64_t failed) {
    progress.update(done, total, failed);
  };
  install_stop_handlers();
  keep_freed_heap_for_next_seeds();
  auto result = scenario::run_sweep(
      *seeds, shard,
      [&](std::uint64_t seed) -> std::optional<std::string> {
        auto r = scenario::run_scenario(spec, seed);
        if (r.passed) return std::nullopt;
        triage.stash(seed, scenario::failure_key(spec, r));
        return r.first_failure();
      },
      options);
  progress.clear();
  const int sig = result.stopped ? static_cast<int>(g_signal) : 0;

  if (a.json) {
    nlohmann::ordered_json j;
    j["scenario"] = spec.name;
    j["seeds_run"] = result.seeds_run;
    j["failed"] = nlohmann::ordered_json::array();
    for (const auto& f : result.failed) {
      j["failed"].push_back({{"seed", f.seed},
                             {"detail", f.detail},
                             {"replay", scenario::replay_command(a.file, f.seed)}});
    }
    j["groups"] = nlohmann::ordered_json::array();
    for (const auto& g : triage.triage().groups()) {
      j["groups"].push_back({{"expectation", g.key.expectation},
                             {"error", g.key.error},
                             {"count", g.count},
                             {"lowest_seed", g.lowest_seed},
                             {"detail", g.detail},
                             {"replay", scenario::replay_command(a.file, g.lowest_seed)}});
    }
    j["failed_count"] = result.failed_count;
    j["seeds_total"] = result.seeds_total;
    j["interrupted"] = result.stopped;
    std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "sweep " << spec.name << ": " << result.seeds_run << " seeds run";
    if (shard.count > 1) std::cout << " (shard " << shard.index << "/" << shard.count << ")";
    std::cout << ", " << result.failed_count << " failed";
    if (result.stopped) {
      std::cout << "; interrupted by " << signal_name(sig) << " after " << result.seeds_run
                << " of " << result.seeds_total << " seeds";
    }
    std::cout << "\n";
    print_groups(std::cout, triage.triage(), a.file);
  }
  if (junit) junit->finish(result);
  if (a.shrink && !result.stopped) {
    shrink_groups(a.json ? std::cerr : std::cout, triage.triage(), spec,
                  std::chrono::duration_cast<std::chrono::milliseconds>(*shrink_budget), catalog(),
                  command_name());
  }
  if (!a.html_path.empty()) {
    write_sweep_html(a.html_path, spec, a.file, seeds->to_string(), result, triage.triage());
  }
  check_written(std::cout, "standard output");
  if (result.stopped) return k_exit_signal_base + (sig ? sig : SIGINT);
  return result.failed_count == 0 ? k_exit_ok : k_exit_failed;
}

}  // namespace

Action add_sweep_command(CLI::App& root) {
  auto a = std::make_shared<SweepArgs>();
  auto* sub = root.add_subcommand(
      "sweep", "Run a scenario for a set of seeds and report each failing seed as it finishes");
  sub->add_option("SCENARIO", a->file, "scenario file (YAML)")->required()->type_name("FILE");
  sub->add_option("--seeds", a->seeds_text,
                  "the seeds: N, A..B (both included) or a list such as 1,5,9..12")
      ->required()
      ->type_name("SEEDS");
  sub->add_option("-j,--jobs", a->jobs, "worlds run in parallel (default: the number of CPUs)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1024u));
  sub->add_option("--shard", a->shard_text,
                  "run only shard I of N: the seeds at positions k with k % N == I (default: "
                  "from GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX)")
      ->type_name("I/N");
  sub->add_option("--junit", a->junit_path, "write a JUnit XML report (a testcase per seed)")
      ->type_name("FILE");
  sub->add_option("--html", a->html_path,
                  "write an HTML index of the failure groups to FILE, with a report of each "
                  "group's lowest seed beside it (FILE-seed-N.html)")
      ->type_name("FILE");
  sub->add_flag("--json", a->json, "print the result as one JSON object on stdout at the end");
  sub->add_flag("--perturb", a->perturb,
                "run same-instant events and ready handlers in an order drawn from each seed");
  sub->add_flag("--shrink", a->shrink,
                "shrink the lowest seed of each failure group to a NAME.seed-N.min.yaml file");
  sub->add_option("--shrink-budget", a->shrink_budget_text,
                  "time each shrink may take (default 30s)")
      ->type_name("DURATION");
  sub->footer(
      "SIGINT or SIGTERM stops the sweep after the running seeds and prints what ran.\n"
      "Exit status: 0 no seed failed, 1 some seed failed, 2 bad arguments or scenario file,\n"
      "3 an output could not be written, 4 internal error, 5 out of memory, 128+N stopped by\n"
      "signal N (130 SIGINT, 143 SIGTERM).");
  return [a] { return sweep(*a); };
}

}  // namespace simsock::cli
