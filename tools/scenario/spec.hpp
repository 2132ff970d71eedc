// A scenario file (docs/scenario-format.md) after loading and validation: plain data, ready to
// build a sim::World from. Every name it mentions (hosts, apps, processes) is known to exist and
// every value is in range, so building and running cannot fail on the file's account.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/sim/config.hpp>
#include <simsock/sim/perturb.hpp>
#include <simsock/sim/world.hpp>
#include <simsock/tools/scenario/chaos.hpp>

namespace re2 {
class RE2;
}

namespace simsock::scenario {

using sim::Duration;

struct HostSpec {
  std::string name;
  std::string address;                 // the first address, canonical ("10.0.0.1", "fd00::1")
  std::vector<std::string> addresses;  // every address, in file order (address first); a spec
                                       // built in code may leave it empty: then just `address`
};

// One `network.links` entry: the link's settings for the listed direction(s), applied on top of
// `network.default`.
struct LinkSpec {
  sim::HostPair pair;
  sim::LinkPatch patch;
};

struct ProcessSpec {
  std::string name, host, app;
  const apps::AppSpec* app_spec = nullptr;                // from the catalog the loader was given
  std::vector<std::pair<std::string, std::string>> args;  // (option, value) in file order
  apps::Options options;                                  // args validated, defaults filled
  std::string stdin_text;
  Duration start{0};
};

// One `expect:` entry.
struct Expectation {
  enum class Kind {
    exit_code,           // {process, exit: N}
    state,               // {process, state: running|exited|crashed|failed|killed}
    stdout_equals,       // {process, stdout: TEXT}
    stdout_contains,     // {process, stdout_contains: TEXT}
    stdout_lines_match,  // {process, stdout_lines_match: REGEX}
    stdout_line_count,   // {process, stdout_line_count: N}
    stderr_equals,       // {process, stderr: TEXT}
    stderr_contains,     // {process, stderr_contains: TEXT}
    stat,                // {stat: NAME, min: A, max: B}
    negation,            // {not: EXPECTATION}
  };
  Kind kind = Kind::exit_code;
  std::string process;      // process kinds
  std::string text;         // stdout/stderr text, regex source, or stat name
  std::int64_t number = 0;  // exit code, line count
  sim::ProcessState state = sim::ProcessState::exited;
  std::optional<std::uint64_t> min, max;     // stat bounds
  std::shared_ptr<const re2::RE2> regex;     // stdout_lines_match, RE2 syntax, compiled
  std::shared_ptr<const Expectation> inner;  // negation
  int line = 0;                              // where it was written (1-based), for messages

  // A one-line summary: "cli exit 0", "not cli stdout_contains 'x'", "udp.dropped in [1, 100]".
  std::string describe() const;
};

struct ScenarioSpec {
  std::string file;  // the path it was loaded from, as given
  std::string name, description;
  std::uint64_t seed = 1;
  Duration duration{0};
  std::chrono::system_clock::time_point start_time;  // default 2000-01-01T00:00:00Z
  std::vector<HostSpec> hosts;
  sim::LinkPatch default_link;  // network.default, on top of the built-in sim::LinkConfig{}
  std::vector<LinkSpec> links;
  std::vector<ProcessSpec> processes;
  std::vector<sim::Fault> faults;
  std::optional<ChaosSpec> chaos;  // random faults drawn from the seed, on top of `faults`
  sim::PerturbOptions perturb;     // schedule perturbation; off unless `perturb:` turns it on
  std::vector<Expectation> expectations;
};

// 2000-01-01T00:00:00Z, the default virtual wall clock at t = 0.
std::chrono::system_clock::time_point default_start_time();

}  // namespace simsock::scenario
