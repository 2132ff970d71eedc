// The run as Trace Event Format JSON (`simsock run FILE --chrome-trace FILE`), which Perfetto
// (ui.perfetto.dev, trace_processor) and chrome://tracing open:
// - each host is a process (pid = lane + 1, named after the host), with a track (thread) per
//   connection or UDP flow it sends on, plus a "processes" track for its programs;
// - each packet is a complete event ("ph": "X") on the sender's track from send to arrival (or to
//   its drop), named "SYN", "FIN", "RST", "ACK", "data" or "udp", with its endpoints, sequence
//   number, length and the simulator's decisions in "args", and a flow ("s"/"f") to the
//   receiving host's track for the same connection;
// - drops are instant events named "drop: REASON"; faults are global instant events ("s": "g");
//   process starts and exits are instant events on the host's "processes" track.
// Timestamps are microseconds of virtual time (fractions keep the nanoseconds);
// "displayTimeUnit" is "ns". The header's fields are in "metadata".
#pragma once

#include <iosfwd>

#include <simsock/tools/report/timeline.hpp>

namespace simsock::report {

// At most this many packets and events are kept in detail for the Chrome trace (about 250 bytes
// each in the file); later ones are only counted, in metadata.summarised.
inline constexpr std::size_t k_chrome_max_items = 1'000'000;

// Writes the whole JSON document to `out`. Deterministic.
void write_chrome_trace(std::ostream& out, const Timeline& timeline, const ReportHeader& header);

}  // namespace simsock::report
