// A PacketSink that writes the simulated wire as a pcapng capture (--pcapng; pcapng is the
// IETF draft "PCAP Next Generation Dump File Format"), readable by Wireshark, tshark and
// tcpdump, with what the simulator decided about each packet.
//
// - One interface per sending host (named after the host, link type RAW: each packet starts with
//   its IPv4 or IPv6 header, built as sim/packet_headers.hpp builds them for the classic pcap
//   writer, so the two files hold the same packets byte for byte).
// - 64-bit timestamps in nanoseconds (if_tsresol 9) since 1970: no 2106 limit.
// - A packet comment (opt_comment; tshark's frame.comment) where the simulator decided something:
//   "retransmission of stream offset N", "dropped: REASON" (loss, partition, scripted,
//   queue_full...), "held: the path is clogged", "delayed: arrives after D (latency L + E)",
//   "reordered: held back", "duplicated: a second copy arrives after D". Packets without a
//   decision have no comment.
// - Dropped packets are included and marked by default; PcapngOptions::include_dropped = false
//   leaves them out.
// - A packet is the record the simulator makes when it leaves its sender (as for classic pcap):
//   a packet later dropped at the receiver (no listener, host down) is not marked.
//
// Attach it as both a packet sink and a trace sink (the trace tells it which segments are
// retransmissions); with only the packet sink every other comment is still written.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <simsock/sim/packet_headers.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

struct PcapngOptions {
  bool include_dropped = true;  // write packets the path drops, with a "dropped: ..." comment
};

class PcapngWriter final : public PacketSink, public TraceSink {
 public:
  static constexpr std::uint32_t linktype_raw = 101;
  static constexpr std::uint32_t snaplen = 65535;

  // Creates (or truncates) `path` and writes the section header. Packet times are `start` +
  // PacketRecord::t. Throws std::system_error naming the path when it cannot be opened, and
  // std::invalid_argument when `start` is before 1970-01-01 (timestamps are unsigned).
  PcapngWriter(const std::string& path, std::chrono::system_clock::time_point start,
               PcapngOptions options = {});
  // Writes to `out` (not owned; must outlive the writer). Same rules.
  PcapngWriter(std::ostream& out, std::chrono::system_clock::time_point start,
               PcapngOptions options = {});
  // Writes a packet still waiting for its decision and flushes; call flush() when errors matter.
  ~PcapngWriter() override;
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;

  // A packet leaves its sender. It is written when its passage (the path's decision) arrives,
  // which the world tells in the same call, or at the next packet or flush(). Throws
  // std::invalid_argument for records the simulator never produces (mixed address families, a
  // UDP payload over one IP packet, a negative t). Write errors are kept for ok() / flush().
  void on_packet(const PacketRecord& p) override;
  void on_passage(const PacketPassage& d) override;
  // Notes tcp.retransmit events, which the world emits just before the segment's record.
  void on_event(const TraceEvent& e) override;

  // Writes a waiting packet and pushes buffered bytes out. Throws std::system_error naming the
  // file ("cannot write pcapng file 'x.pcapng': No space left on device") if any write failed.
  void flush();
  bool ok() const noexcept { return error_.empty(); }
  const std::string& error() const noexcept { return error_; }
  // Enhanced packet blocks written so far.
  std::uint64_t packets_written() const noexcept { return packets_; }
  // Interfaces (hosts) declared so far.
  std::size_t interfaces() const noexcept { return interfaces_.size(); }

 private:
  struct Pending {
    PacketRecord record;
    std::vector<std::uint8_t> payload;
    std::string comment;  // decisions noted before the passage (retransmission)
  };
  void write_section_header();
  void write_pending(const PacketPassage* d);
  std::uint32_t interface_for(const std::string& name);
  void write_block(std::uint32_t type, const std::vector<std::uint8_t>& body);
  void write_bytes(const std::uint8_t* data, std::size_t len);
  void fail(int err);

  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_ = nullptr;
  std::string name_;
  std::uint64_t start_ns_ = 0;
  PcapngOptions options_;
  std::optional<Pending> pending_;
  std::map<std::string, std::uint32_t, std::less<>> interfaces_;  // host -> interface id
  // The latest tcp.retransmit event, until the record that follows it.
  std::int64_t retransmit_t_ = -1;
  std::string retransmit_src_, retransmit_dst_;
  std::int64_t retransmit_seq_ = -1;
  std::uint16_t ip_id_ = 0;
  std::uint64_t packets_ = 0;
  std::string error_;
  int errno_ = 0;
};

}  // namespace simsock::sim
