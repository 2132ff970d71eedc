// Synthetic IP, TCP and UDP headers for the packets the simulator records, shared by the capture
// writers (pcap_writer.hpp, pcapng_writer.hpp). The simulator has no real headers; these are
// built from a PacketRecord:
// - IPv4: IHL 5 (no options), DF set, TTL 64, the caller's IP ID; IPv6: traffic class and flow
//   label 0, hop limit 64, no extension headers. The version is the record's address family
//   (both endpoints must have the same one).
// - TCP: data offset 5 (no options, no window scaling, no PSH/URG), sequence and acknowledgment
//   numbers from the record's stream offsets as pcap_writer.hpp describes; UDP: length and ports.
// - Every checksum (IPv4 header, TCP and UDP with their pseudo-header) is valid.
#pragma once

#include <cstddef>
#include <cstdint>

#include <simsock/net/endpoint.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

// Largest payloads one IP packet carries (65535 minus the IPv4 and TCP/UDP headers; IPv6's
// payload length field excludes its own header, but the same limits are used for both).
inline constexpr std::size_t k_max_tcp_payload = 65535 - 20 - 20;
inline constexpr std::size_t k_max_udp_payload = 65535 - 20 - 8;
// The longest header block synthesize_headers writes (IPv6 + TCP).
inline constexpr std::size_t k_max_header_bytes = 40 + 20;

// The initial sequence number of the direction src -> dst: a fixed hash of the directed
// 4-tuple, the same in every run. Both endpoints of a record have one family.
std::uint32_t tcp_initial_sequence_number(const net::Endpoint& src, const net::Endpoint& dst);

// One IP packet of a record: its headers (in `headers`, `header_len` bytes) and the payload
// slice that follows them.
struct IpPacket {
  std::uint8_t headers[k_max_header_bytes];
  std::size_t header_len = 0;
  const std::uint8_t* payload = nullptr;
  std::size_t payload_len = 0;
  std::size_t size() const { return header_len + payload_len; }
};

// Calls `emit(const IpPacket&)` for each IP packet of `p`: one for a UDP datagram (its payload
// must be at most k_max_udp_payload), and for TCP one per k_max_tcp_payload bytes of payload
// (consecutive sequence numbers; SYN on the first, FIN and RST on the last). `ip_id` is
// incremented before each IPv4 packet and used as its identification. Throws
// std::invalid_argument when the endpoints' families differ or a UDP payload is too long.
// `emit` returns false to stop early (a write failed).
template <typename Emit>
void for_each_ip_packet(const PacketRecord& p, std::uint16_t& ip_id, Emit&& emit);

// ---- implementation details of for_each_ip_packet

void check_record(const PacketRecord& p);
// Writes the headers of one IP packet of `p` carrying `payload` into `out`.
void synthesize_headers(const PacketRecord& p, std::uint32_t seq, const std::uint8_t* payload,
                        std::size_t len, bool syn, bool fin, bool rst, std::uint16_t ip_id,
                        IpPacket& out);

template <typename Emit>
void for_each_ip_packet(const PacketRecord& p, std::uint16_t& ip_id, Emit&& emit) {
  check_record(p);
  IpPacket pkt;
  if (p.proto == PacketRecord::Proto::udp) {
    synthesize_headers(p, 0, p.payload, p.payload_len, false, false, false, ++ip_id, pkt);
    emit(static_cast<const IpPacket&>(pkt));
    return;
  }
  std::uint32_t isn = tcp_initial_sequence_number(p.src, p.dst);
  std::uint32_t data_seq = isn + 1 + (p.syn ? 0 : p.seq);  // number of the first payload byte
  std::size_t done = 0;
  do {
    std::size_t len =
        p.payload_len - done < k_max_tcp_payload ? p.payload_len - done : k_max_tcp_payload;
    bool first = done == 0;
    bool last = done + len == p.payload_len;
    bool syn = p.syn && first;
    std::uint32_t seq = syn ? isn : data_seq + static_cast<std::uint32_t>(done);
    synthesize_headers(p, seq, p.payload + done, len, syn, p.fin && last, p.rst && last, ++ip_id,
                       pkt);
    if (!emit(static_cast<const IpPacket&>(pkt))) return;
    done += len;
  } while (done < p.payload_len);
}

}  // namespace simsock::sim
