// A PacketSink that writes the simulated wire as a classic libpcap capture
// (docs/scenario-format.md,
// --pcap), readable by tcpdump, Wireshark and tshark.
//
// What it simplifies:
// - The simulator has no real headers, so they are synthesized (sim/packet_headers.hpp): link
//   type RAW (101, each packet starts with its IPv4 or IPv6 header), IPv4 with IHL 5 (no
//   options), DF set, TTL 64, an IP ID that increments by one per written packet, and TCP headers
//   with data offset 5 (no options, no window scaling, no PSH/URG) or UDP headers. All checksums
//   (IPv4 header, TCP and UDP with the pseudo-header) are valid.
// - A UDP datagram is always one IP packet, even when the path's MTU makes the simulator treat it
//   as several fragments: captures show datagrams, not fragments.
// - A TCP record whose payload does not fit one IPv4 packet (more than 65495 bytes) is written as
//   consecutive segments with consecutive sequence numbers (SYN on the first, FIN and RST on the
//   last), which decodes as the same stream.
// - Timestamps have nanosecond resolution (magic 0xa1b23c4d); the file is little-endian whatever
//   the host, so the same records always give the same bytes.
//
// TCP sequence numbers: the convention the simulator follows when filling PacketRecord.
// Each direction of a connection has an initial sequence number ISN(src, dst), a fixed hash of the
// directed 4-tuple (initial_sequence_number below), so the pair is the same in every run. All
// numbers in a record are relative to the sender's (seq) or the peer's (ack) stream, in the same
// space as TCP's, where offset 0 is the first data byte and a FIN takes one offset at the end:
//   seq  The stream offset of the first payload byte, or for a segment without payload the next
//        offset the sender would use: the bytes sent so far, plus one once it has sent its FIN.
//        A FIN-only segment therefore has seq = L, the length of the sender's whole stream, and
//        the FIN occupies offset L (L + payload_len when the FIN rides on data); the sender's
//        later segments (the ACK of the peer's FIN) have seq = L + 1. Written: ISN(src, dst) + 1
//        + seq.
//        A SYN (with or without ACK) is always written with sequence number ISN(src, dst): it
//        occupies the number just before offset 0. Its record seq is ignored and should be 0; a
//        SYN carrying payload is written with that payload starting at ISN + 1.
//   ack  Meaningful only with ack_flag: the next offset of the peer's stream the sender expects,
//        i.e. the number of in-order bytes it has received, plus one once it has received the
//        peer's FIN. Written: ISN(dst, src) + 1 + ack. So the SYN-ACK has ack = 0 (it acknowledges
//        the client's ISN + 1), the handshake's final ACK has seq = 0 and ack = 0, and the ACK of a
//        FIN at peer offset L has ack = L + 1. Without ack_flag the acknowledgment field is 0.
//   rst  A RST uses the same rules (seq = bytes sent so far; ack as above when ack_flag is set).
// Arithmetic is modulo 2^32, as TCP's: streams longer than 4 GiB wrap.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include <simsock/net/endpoint.hpp>
#include <simsock/sim/packet_headers.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

class PcapWriter final : public PacketSink {
 public:
  // Largest payloads one IPv4 packet can carry (65535 minus the IPv4 and TCP/UDP headers).
  static constexpr std::size_t max_tcp_payload = k_max_tcp_payload;
  static constexpr std::size_t max_udp_payload = k_max_udp_payload;
  static constexpr std::uint32_t magic_nanosecond = 0xa1b23c4d;
  static constexpr std::uint32_t linktype_raw = 101;
  static constexpr std::uint32_t snaplen = 65535;

  // Creates (or truncates) the file at `path` and writes the pcap global header. Packet times are
  // `start` + PacketRecord::t. Throws std::system_error when the file cannot be opened; what()
  // names the path and the system's reason ("cannot open pcap file 'x.pcap': No such file or
  // directory"); code() is the errno value. Throws std::invalid_argument when `start` is before
  // 1970 or not before 2106 (pcap's 32-bit unsigned seconds).
  PcapWriter(const std::string& path, std::chrono::system_clock::time_point start);

  // Writes to `out` (not owned; must outlive the writer), starting with the global header. Same
  // `start` rules as above. Write failures are reported as for files (see ok()).
  PcapWriter(std::ostream& out, std::chrono::system_clock::time_point start);

  // Flushes; errors at this point are only visible through ok() before destruction, so call
  // flush() first when they matter.
  ~PcapWriter() override;

  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Writes one record (two or more packets only for oversized TCP payloads, see above).
  // Throws std::invalid_argument for records the simulator never produces: endpoints of two address
  // families, a UDP payload above max_udp_payload, a negative t or a time past 2106. An I/O error
  // does not throw here (the world is mid-run): it is remembered, later records are ignored, and
  // ok() / flush() report it.
  void on_packet(const PacketRecord& p) override;

  // Pushes buffered bytes to the file or stream. Throws std::system_error naming the path (what():
  // "cannot write pcap file 'x.pcap': No space left on device") if any write so far failed.
  void flush();

  // False once a write has failed.
  bool ok() const noexcept { return error_.empty(); }
  // The first write failure ("cannot write pcap file 'x.pcap': No space left on device"; "pcap
  // stream" for the ostream constructor), or "" while ok().
  const std::string& error() const noexcept { return error_; }

  // IP packets written so far.
  std::uint64_t packets_written() const noexcept { return packets_; }

  // The initial sequence number used for the direction src -> dst (a fixed hash of the directed
  // 4-tuple; sim/packet_headers.hpp).
  static std::uint32_t initial_sequence_number(const net::Endpoint& src, const net::Endpoint& dst);

 private:
  void write_global_header();
  void write_packet(std::int64_t t, const IpPacket& ip);
  void write_bytes(const std::uint8_t* data, std::size_t len);
  void fail(int err);  // records a write failure (err = errno, 0 if unknown)

  std::unique_ptr<std::ofstream> file_;  // set when writing to a path
  std::ostream* out_ = nullptr;
  std::string name_;           // "file 'PATH'" or "stream", for messages
  std::int64_t start_ns_ = 0;  // start time, ns since the Unix epoch
  std::uint16_t ip_id_ = 0;
  std::uint64_t packets_ = 0;
  std::string error_;
  int errno_ = 0;
};

}  // namespace simsock::sim
