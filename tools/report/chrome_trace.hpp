// The run as Trace Event Format JSON (`simsock run FILE --chrome-trace FILE`), which Perfetto
// (ui.perfetto.dev, trace_processor) and chrome://tracing open:
// - each host is a process (pid = lane + 1, named after the host), with a track (thread) per
//   connection or UDP flow it sends or receives on, plus a "processes" track for its programs;
// - each packet is an async slice ("ph": "b" / "e", category "packet", id = the packet's number)
//   of the sender's process from send to arrival (or to its drop), named "SYN", "SYN-ACK",
//   "FIN", "RST", "ACK", "data", "data (retransmit)" or "udp", with its number, endpoints,
//   sequence number, length and the simulator's decisions in "args"; packets in flight together
//   may overlap, so Perfetto lays them out on as many rows as they need;
// - on a connection's track, each instant a packet left or reached it is a short complete slice
//   ("ph": "X", category "mark", named like "send data", "arrive ACK, send 3 packets"; at most
//   1 us, never overlapping the track's next one), and each packet that arrived has a flow
//   ("s" / "f" with "bp": "e", the packet's id) from its send mark to its arrival mark on the
//   receiving host's track for the same connection;
// - drops are instant events named "drop: REASON" on the sender's track; faults are global
//   instant events ("s": "g"); process starts and exits are instant events on the host's
//   "processes" track.
// Events are in time order. Timestamps are microseconds of virtual time (fractions keep the
// nanoseconds); "displayTimeUnit" is "ns". The header's fields are in "metadata".
#pragma once

#include <iosfwd>

#include <simsock/tools/report/timeline.hpp>

namespace simsock::report {

// At most this many packets and events are kept in detail for the Chrome trace (about 450 bytes
// each in the file); later ones are only counted, in metadata.summarised.
inline constexpr std::size_t k_chrome_max_items = 1'000'000;

// Writes the whole JSON document to `out`. Deterministic.
void write_chrome_trace(std::ostream& out, const Timeline& timeline, const ReportHeader& header);

}  // namespace simsock::report
