// Runs a set of proxies until SIGINT/SIGTERM (or the file's duration): the `simsock proxy`
// command without its argument parsing.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <simsock/sim/world.hpp>
#include <simsock/tools/proxy/proxy_file.hpp>

namespace simsock::proxy {

struct RunOptions {
  sim::TraceSink* trace = nullptr;  // the decisions, as JSON Lines (null: none)
  std::string control;              // a Unix socket path, "-" for stdin, "" for none
};

// What ended the run.
enum class RunEnd { signal, duration, setup_failed };

// Starts every proxy of `file` (seed file.seed), plays its fault timeline, serves the control
// channel, and runs until SIGINT/SIGTERM or file.duration. Prints one line per proxy on `log`
// ("proxy NAME: tcp 127.0.0.1:9000 -> 127.0.0.1:21567") and the counters at the end. A proxy
// that cannot listen or resolve its target, or a control socket that cannot be made, is reported
// on `log` and returns setup_failed before anything runs.
RunEnd run_proxies(const ProxyFile& file, const RunOptions& options, std::ostream& log);

}  // namespace simsock::proxy
