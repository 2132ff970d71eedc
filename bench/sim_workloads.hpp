// The simulator workloads W1-W4 of docs/performance.md as simsock-bench subcommands, written
// against the public simulator API (sim/world.hpp) and the apps (udp-ping, tcp-bulk, tcp-sink).
#pragma once

#include <CLI/CLI.hpp>

namespace simsock::bench {

// Adds w1 (UDP ping-pong), w2 (TCP bulk), w3 (many connections held open) and w4 (heartbeats
// over a long virtual time) to `app`.
void add_sim_workloads(CLI::App& app);

}  // namespace simsock::bench
