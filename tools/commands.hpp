// The subcommands of the simsock CLI. Each takes the arguments after its name and returns the
// process exit status (0 ok, 1 failure, 2 usage error).
#pragma once

#include <string>
#include <vector>

namespace simsock::cli {

using Args = std::vector<std::string>;

int cmd_run(const Args& args);    // simsock run SCENARIO.yaml [...]
int cmd_sweep(const Args& args);  // simsock sweep SCENARIO.yaml --seeds A..B [...]
int cmd_app(const Args& args);    // simsock app NAME [--OPTION VALUE]...
int cmd_apps(const Args& args);   // simsock apps

}  // namespace simsock::cli
