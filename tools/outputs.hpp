// The files and streams simsock commands write (--trace, --pcap, --junit, stdout): checks made
// before a run so that nothing is overwritten by mistake and nothing fails half-way, and write
// checks after it so that a failed write never exits 0.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace simsock::cli {

// Throws UsageError when two of `outputs` (option name, path; empty paths are ignored) name the
// same file, or one names `input` (the scenario file): "--trace 'x.yaml' is the scenario file:
// refusing to overwrite it". /dev/null may be named more than once.
void check_distinct_outputs(const std::string& input,
                            const std::vector<std::pair<std::string, std::string>>& outputs);

// Throws UsageError when a classic pcap file cannot hold the run's timestamps: pcap records keep
// 32-bit unsigned seconds since 1970, so every packet must be from 1970-01-01T00:00:00Z to
// 2106-02-07T06:28:15Z; the run covers [start, start + duration].
void check_pcap_time_range(std::chrono::system_clock::time_point start,
                           std::chrono::nanoseconds duration);

// Throws OutputError "cannot write OPTION file 'PATH': REASON" when `out` failed (flushes it
// first). `what` names the output ("trace file 'x.jsonl'", "standard output").
void check_written(std::ostream& out, const std::string& what);

// Opens `path` for writing (truncating it); throws OutputError "cannot open WHAT 'PATH': REASON".
void open_output(std::ofstream& file, const std::string& path, const std::string& what);

}  // namespace simsock::cli
