// simsock run / simsock sweep: load a scenario, run it for one seed or for a range of seeds, and
// report (CONTRACT section 2). Exit status: 0 all expectations held, 1 some failed, 2 the
// scenario file or the arguments are invalid.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "net/units.hpp"
#include "sim/pcap_writer.hpp"
#include "sim/trace_writer.hpp"
#include "tools/commands.hpp"
#include "tools/scenario/loader.hpp"
#include "tools/scenario/runner.hpp"
#include "tools/scenario/sweep.hpp"

namespace simsock::cli {

namespace {

using scenario::ScenarioError;

// Parses `args` into `app`; on error prints the message and usage and returns the exit status.
std::optional<int> parse_cli(CLI::App& app, const Args& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << "simsock " << app.get_name() << ": " << e.what() << "\n"
              << app.help("", CLI::AppFormatMode::Normal);
    return 2;
  }
  return std::nullopt;
}

int usage_error(const std::string& cmd, const std::string& message) {
  std::cerr << "simsock " << cmd << ": " << message << "\n";
  return 2;
}

// Loads a scenario file; a bad one prints its located error (FILE:LINE:COL ...) and gives nullopt
// (the command then exits with 2).
std::optional<scenario::ScenarioSpec> load_or_report(const std::string& file) {
  try {
    return scenario::load_scenario_file(file);
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
}

bool colour_for(int fd) {
  return ::isatty(fd) == 1 && std::getenv("NO_COLOR") == nullptr;
}

}  // namespace

int cmd_run(const Args& args) {
  CLI::App app("Run a scenario for one seed and check its expectations", "run");
  std::string file, seed_text, trace_path, pcap_path;
  bool json = false, quiet = false;
  app.add_option("SCENARIO", file, "scenario file (YAML)")->required();
  app.add_option("--seed", seed_text, "seed (overrides the file's seed)");
  app.add_option("--trace", trace_path, "write every event as JSON Lines to FILE");
  app.add_option("--pcap", pcap_path, "write the simulated packets as a pcap file");
  app.add_flag("--json", json, "print the report as one JSON object on stdout");
  app.add_flag("--quiet", quiet, "print only the verdict line");
  if (auto status = parse_cli(app, args)) return *status;

  std::optional<std::uint64_t> seed;
  if (!seed_text.empty() || app.count("--seed")) {
    seed = net::parse_uint(seed_text);
    if (!seed) {
      return usage_error("run", "--seed: '" + seed_text +
                                    "' is not a seed (an integer in 0..18446744073709551615)");
    }
  }
  auto loaded = load_or_report(file);
  if (!loaded) return 2;
  scenario::ScenarioSpec& spec = *loaded;

  std::ofstream trace_file;
  std::unique_ptr<sim::JsonLinesTraceWriter> trace;
  std::unique_ptr<sim::PcapWriter> pcap;
  try {
    if (!trace_path.empty()) {
      trace_file.open(trace_path, std::ios::binary | std::ios::trunc);
      if (!trace_file) {
        return usage_error("run",
                           "cannot write trace file '" + trace_path + "': " + std::strerror(errno));
      }
      trace = std::make_unique<sim::JsonLinesTraceWriter>(trace_file);
    }
    if (!pcap_path.empty()) pcap = std::make_unique<sim::PcapWriter>(pcap_path, spec.start_time);
  } catch (const std::exception& e) {
    return usage_error("run", e.what());
  }
  auto result = scenario::run_scenario(spec, seed.value_or(spec.seed), {trace.get(), pcap.get()});
  try {
    if (trace) {
      trace_file.flush();
      if (!trace_file) throw std::runtime_error("cannot write trace file '" + trace_path + "'");
    }
    if (pcap) pcap->flush();
  } catch (const std::exception& e) {
    return usage_error("run", e.what());
  }

  std::ostream& human = json ? std::cerr : std::cout;
  scenario::HumanStyle style;
  style.colour = colour_for(json ? STDERR_FILENO : STDOUT_FILENO);
  human << (quiet ? scenario::render_verdict(result, style)
                  : scenario::render_human(result, style));
  human.flush();
  if (json) std::cout << scenario::render_json(result) << "\n" << std::flush;
  return result.passed ? 0 : 1;
}

int cmd_sweep(const Args& args) {
  CLI::App app("Run a scenario for a range of seeds and list the failing ones", "sweep");
  std::string file, seeds_text, shard_text;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool json = false;
  app.add_option("SCENARIO", file, "scenario file (YAML)")->required();
  app.add_option("--seeds", seeds_text, "seeds A..B (both included)")->required();
  app.add_option("--jobs", jobs, "worlds run in parallel (default: the number of CPUs)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--shard", shard_text,
                 "run only shard I of N: the seeds S with (S - A) % N == I (default: from "
                 "GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX)");
  app.add_flag("--json", json, "print the result as one JSON object on stdout");
  if (auto status = parse_cli(app, args)) return *status;

  auto range = scenario::parse_seed_range(seeds_text);
  if (!range) {
    return usage_error("sweep", "--seeds: '" + seeds_text +
                                    "' is not a seed range (A..B with A <= B, e.g. 1..1000)");
  }
  scenario::Shard shard;
  if (!shard_text.empty()) {
    auto s = scenario::parse_shard(shard_text);
    if (!s) return usage_error("sweep", "--shard: '" + shard_text + "' is not I/N with 0 <= I < N");
    shard = *s;
  } else {
    std::string env_error;
    if (auto s = scenario::shard_from_environment(&env_error)) shard = *s;
    if (!env_error.empty()) return usage_error("sweep", env_error);
  }
  if (const char* status_file = std::getenv("GTEST_SHARD_STATUS_FILE")) {
    std::ofstream touch(status_file, std::ios::app);
  }

  auto loaded = load_or_report(file);
  if (!loaded) return 2;
  scenario::ScenarioSpec& spec = *loaded;

  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  auto progress = [&](std::uint64_t done, std::uint64_t total, std::uint64_t failed) {
    if (!show_progress) return;
    std::cerr << "\rsweep " << spec.name << ": " << done << "/" << total << " seeds, " << failed
              << " failed" << std::flush;
  };
  auto result = scenario::run_sweep(
      *range, shard, jobs,
      [&](std::uint64_t seed) -> std::optional<std::string> {
        auto r = scenario::run_scenario(spec, seed);
        if (r.passed) return std::nullopt;
        return r.first_failure();
      },
      progress);
  if (show_progress) std::cerr << "\r\033[K" << std::flush;

  if (json) {
    nlohmann::ordered_json j;
    j["scenario"] = spec.name;
    j["seeds_run"] = result.seeds_run;
    j["failed"] = nlohmann::ordered_json::array();
    for (const auto& f : result.failed) {
      j["failed"].push_back({{"seed", f.seed},
                             {"detail", f.detail},
                             {"replay", scenario::replay_command(file, f.seed)}});
    }
    std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    for (const auto& f : result.failed) {
      std::cout << "seed " << f.seed << ": " << f.detail << "\n"
                << "  replay: " << scenario::replay_command(file, f.seed) << "\n";
    }
    std::cout << "sweep " << spec.name << ": " << result.seeds_run << " seeds run";
    if (shard.count > 1) std::cout << " (shard " << shard.index << "/" << shard.count << ")";
    std::cout << ", " << result.failed.size() << " failed\n";
  }
  return result.failed.empty() ? 0 : 1;
}

}  // namespace simsock::cli
