// The subcommands of the simsock CLI, registered on one CLI11 app (tools/main.cpp), their exit
// statuses and the errors they raise for main's one handler to print.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <simsock/apps/app.hpp>

// Declared, not included: CLI11 is header-only and every file that includes <CLI/CLI.hpp> compiles
// its validators and their std::function machinery again (most of a command file's build time),
// so only the files that register options include it.
namespace CLI {
class App;
}

namespace simsock::scenario {
struct ScenarioSpec;
}

namespace simsock::cli {

// Exit statuses of every command (README "Exit statuses").
inline constexpr int k_exit_ok = 0;             // the work was done and everything held
inline constexpr int k_exit_failed = 1;         // some expectation failed (some seed failed)
inline constexpr int k_exit_usage = 2;          // bad arguments or an invalid scenario file
inline constexpr int k_exit_output = 3;         // an output (file or stdout) could not be written
inline constexpr int k_exit_internal = 4;       // a bug: an unexpected exception
inline constexpr int k_exit_out_of_memory = 5;  // std::bad_alloc
// A sweep stopped by SIGINT or SIGTERM exits with 128 + the signal's number (130, 143).
inline constexpr int k_exit_signal_base = 128;

// A usage error found after parsing (a bad value, conflicting options). main prints
// "simsock CMD: error: MESSAGE" and "Run 'simsock help CMD' for usage." and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An output that could not be opened or written: main prints "simsock CMD: error: MESSAGE"
// (MESSAGE names the file) and exits 3.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a subcommand does once the whole command line parsed: returns the exit status, or throws
// UsageError / OutputError (anything else is an internal error).
using Action = std::function<int()>;

// Each adds its subcommand (with its options and help) to `root` and returns the action that runs
// it with the parsed values; call the action only after root.parse() succeeded and only when its
// subcommand was given.
Action add_run_command(CLI::App& root);     // simsock run SCENARIO.yaml [...]
Action add_sweep_command(CLI::App& root);   // simsock sweep SCENARIO.yaml --seeds SEEDS [...]
Action add_app_command(CLI::App& root);     // simsock app NAME [--OPTION VALUE]...
Action add_apps_command(CLI::App& root);    // simsock apps
Action add_proxy_command(CLI::App& root);   // simsock proxy (--listen A --to B | FILE) [...]
Action add_shrink_command(CLI::App& root);  // simsock shrink SCENARIO.yaml [--seed N] [...]

// Where shrink writes by default: next to `file`, STEM.min.yaml (STEM.seed-N.min.yaml with a
// seed, as sweep --shrink names one file per failure group).
std::string default_shrink_path(const std::string& file, std::optional<std::uint64_t> seed);
// Shrinks the failing run of `spec` with `seed` within `budget`, writes the result to `out`,
// checks that the written file fails the same way on its own (loaded with `catalog`, the apps of
// the command `command` that shrinks it: cli::catalog() and cli::command_name() in a command)
// and prints the steps, the file and the replay line on `report`. The file's comment says
// "Shrunk by COMMAND shrink". Returns k_exit_ok, or k_exit_failed when the run does not fail;
// throws OutputError when `out` cannot be written.
int shrink_to_file(const scenario::ScenarioSpec& spec, std::uint64_t seed, const std::string& out,
                   std::chrono::milliseconds budget, const std::vector<apps::AppSpec>& catalog,
                   const std::string& command, std::ostream& report);

// The top-level handler: runs `command` and turns whatever escapes it into one line on `err` and
// a documented status: std::bad_alloc -> "NAME: out of memory" (5); any other exception ->
// "NAME: internal error: WHAT" (4), NAME being the command's name (a user's own command's, not
// "simsock"). Otherwise returns what `command` returned.
int run_guarded(const std::function<int()>& command, std::FILE* err,
                const std::string& name = "simsock");

// --color auto|always|never on `sub`, into `choice` (default "auto").
void add_color_option(CLI::App& sub, std::string& choice);
// Whether to colour output written to `fd` for a --color choice: never, always, or (auto) when
// `fd` is a terminal and NO_COLOR is unset or empty.
bool use_colour(const std::string& choice, int fd);

}  // namespace simsock::cli
