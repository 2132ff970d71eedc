// The simsock command as a library: a user's own command with the built-in apps and theirs.
//
//   #include <simsock/tools/cli.hpp>
//   int main(int argc, char** argv) {
//     return simsock::cli::main(argc, argv, {.name = "kvsim", .apps = {kv_server_app()}});
//   }
//
// gives `kvsim run FILE`, `kvsim sweep FILE --seeds ...`, `kvsim app NAME ...`, `kvsim apps` and
// `kvsim help`, with every option, output (trace, pcap, JUnit, JSON) and exit status of
// `simsock`; scenario files name the user's apps in `app:` like built-in ones, and replay lines
// name the user's command ("kvsim run FILE --seed N"). CMake: simsock_add_command()
// (docs/your-apps.md).
#pragma once

#include <string>
#include <vector>

#include <simsock/apps/app.hpp>

namespace simsock::cli {

// What a command built on simsock's CLI is called and which apps it adds.
struct CommandInfo {
  // The command's name, as users type it: in usage, error messages, help and replay lines.
  std::string name = "simsock";
  // Apps beside the built-in ones (apps::with_builtin_apps checks them: a name already taken, an
  // app without a body or a malformed option is refused).
  std::vector<apps::AppSpec> apps;
  // What --version prints after the name; empty: simsock's version.
  std::string version;
};

// Runs the command line `argv` and returns the exit status (0 success, 1 a failed expectation or
// seed, 2 bad arguments or scenario file, 3 an output could not be written, 4 internal error,
// 5 out of memory, 128+N a sweep stopped by signal N). Errors go to stderr. Call once per process.
// A CommandInfo whose apps are invalid exits 4 with the reason.
int main(int argc, char** argv, const CommandInfo& info = {});

// The command running now (set by main): its name and the apps its scenario files may name.
const std::string& command_name();
const std::vector<apps::AppSpec>& catalog();

}  // namespace simsock::cli
