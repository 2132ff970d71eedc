// The loading workload of docs/performance.md as a simsock-bench subcommand: how long the public
// scenario loader (tools/scenario/loader.hpp) takes to read and validate one file.
#pragma once

#include <CLI/CLI.hpp>

namespace simsock::bench {

// Adds `load FILE` to `app`: loads FILE with the built-in apps and prints one JSON line
// (report.hpp) whose wall_s is the load alone and whose amount is the file's host count, with
// its process and link counts. A file the loader rejects prints the loader's located message
// (FILE:LINE:COL: error: ...) and makes the subcommand fail (exit status 1).
void add_load_workload(CLI::App& app);

}  // namespace simsock::bench
