// What every whole-process workload prints: one JSON object on one line, so bench/run can collect
// runs from separate processes (each run is its own process: peak RSS is per run, and runs of
// different workloads can be interleaved).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace simsock::bench {

// The process's peak resident set size in KiB (VmHWM of /proc/self/status), 0 if unknown.
long peak_rss_kib();

// User + system CPU seconds this process has used so far (set-up included): on a loaded machine
// it shows how much of the wall time the process actually ran.
double cpu_seconds();

// Prints {"workload": ..., "wall_s": ..., "amount": ..., "unit": ..., "rate": amount / wall_s,
// "peak_rss_kib": ..., "process_cpu_s": ..., plus `extra`'s fields} on standard output.
void print_result(const std::string& workload, double wall_s, double amount,
                  const std::string& unit, nlohmann::json extra = nlohmann::json::object());

}  // namespace simsock::bench
