// How the headers are built: every protocol field is written big-endian byte by byte, so the
// bytes do not depend on the host; checksums are RFC 1071 sums over the pseudo-header of the
// packet's family (RFC 768 / 793 for IPv4, RFC 8200 section 8.1 for IPv6).
#include <simsock/sim/packet_headers.hpp>

#include <stdexcept>
#include <string>

namespace simsock::sim {
namespace {

constexpr std::size_t k_ipv4_header = 20;
constexpr std::size_t k_ipv6_header = 40;
constexpr std::size_t k_tcp_header = 20;
constexpr std::size_t k_udp_header = 8;
constexpr std::uint8_t k_proto_tcp = 6;
constexpr std::uint8_t k_proto_udp = 17;

void put_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put_be32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (3 - i)));
}

// Adds `data` as big-endian 16-bit words to a one's-complement running sum. Only the last block of
// a checksum may have an odd length.
std::uint32_t sum_words(std::uint32_t acc, const std::uint8_t* data, std::size_t len) {
  std::size_t i = 0;
  for (; i + 1 < len; i += 2) acc += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < len) acc += static_cast<std::uint32_t>(data[i] << 8);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

std::uint16_t fold(std::uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

// splitmix64's finalizer: a fixed, well-mixed function of its input.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The ISN hash input for one endpoint: IPv4 as (address << 16 | port); IPv6 folds its 16 bytes.
std::uint64_t endpoint_word(const net::Endpoint& e) {
  if (e.address.is_v4()) return std::uint64_t{e.address.to_v4().to_uint()} << 16 | e.port;
  std::uint64_t a = 0x6;  // differs from every IPv4 word's top bits
  for (auto b : e.address.to_v6().to_bytes()) a = mix(a ^ b);
  return a ^ e.port;
}

}  // namespace

std::uint32_t tcp_initial_sequence_number(const net::Endpoint& src, const net::Endpoint& dst) {
  return static_cast<std::uint32_t>(mix(mix(endpoint_word(src)) ^ endpoint_word(dst)));
}

void check_record(const PacketRecord& p) {
  if (p.src.address.is_v4() != p.dst.address.is_v4()) {
    throw std::invalid_argument("packet headers: " + p.src.to_string() + " -> " +
                                p.dst.to_string() + " mixes IPv4 and IPv6");
  }
  if (p.proto == PacketRecord::Proto::udp && p.payload_len > k_max_udp_payload) {
    throw std::invalid_argument("packet headers: UDP payload of " + std::to_string(p.payload_len) +
                                " bytes does not fit one IP packet");
  }
}

void synthesize_headers(const PacketRecord& p, std::uint32_t seq, const std::uint8_t* payload,
                        std::size_t len, bool syn, bool fin, bool rst, std::uint16_t ip_id,
                        IpPacket& out) {
  const bool tcp = p.proto == PacketRecord::Proto::tcp;
  const bool v4 = p.src.address.is_v4();
  const std::size_t l4_header = tcp ? k_tcp_header : k_udp_header;
  const std::size_t l4_len = l4_header + len;
  const std::size_t ip_header = v4 ? k_ipv4_header : k_ipv6_header;
  const std::uint8_t proto = tcp ? k_proto_tcp : k_proto_udp;
  std::uint8_t* ip = out.headers;
  std::uint8_t* l4 = ip + ip_header;
  for (auto& b : out.headers) b = 0;

  // The pseudo-header's sum: addresses, protocol and the transport length.
  std::uint32_t acc = 0;
  if (v4) {
    std::uint32_t src = p.src.address.to_v4().to_uint();
    std::uint32_t dst = p.dst.address.to_v4().to_uint();
    ip[0] = 0x45;  // version 4, IHL 5
    put_be16(ip + 2, static_cast<std::uint16_t>(ip_header + l4_len));
    put_be16(ip + 4, ip_id);
    put_be16(ip + 6, 0x4000);  // DF, fragment offset 0
    ip[8] = 64;
    ip[9] = proto;
    put_be32(ip + 12, src);
    put_be32(ip + 16, dst);
    put_be16(ip + 10, fold(sum_words(0, ip, k_ipv4_header)));
    std::uint8_t pseudo[12] = {};
    put_be32(pseudo, src);
    put_be32(pseudo + 4, dst);
    pseudo[9] = proto;
    put_be16(pseudo + 10, static_cast<std::uint16_t>(l4_len));
    acc = sum_words(0, pseudo, sizeof pseudo);
  } else {
    auto src = p.src.address.to_v6().to_bytes();
    auto dst = p.dst.address.to_v6().to_bytes();
    ip[0] = 0x60;  // version 6, traffic class and flow label 0
    put_be16(ip + 4, static_cast<std::uint16_t>(l4_len));
    ip[6] = proto;  // next header
    ip[7] = 64;     // hop limit
    for (std::size_t i = 0; i < 16; ++i) {
      ip[8 + i] = src[i];
      ip[24 + i] = dst[i];
    }
    std::uint8_t pseudo[40] = {};
    for (std::size_t i = 0; i < 32; ++i) pseudo[i] = ip[8 + i];
    put_be32(pseudo + 32, static_cast<std::uint32_t>(l4_len));
    pseudo[39] = proto;
    acc = sum_words(0, pseudo, sizeof pseudo);
  }

  put_be16(l4, p.src.port);
  put_be16(l4 + 2, p.dst.port);
  if (tcp) {
    std::uint32_t ack =
        p.ack_flag ? tcp_initial_sequence_number(p.dst, p.src) + 1 + p.ack : std::uint32_t{0};
    put_be32(l4 + 4, seq);
    put_be32(l4 + 8, ack);
    l4[12] = 5 << 4;  // data offset: 5 words
    l4[13] = static_cast<std::uint8_t>((fin ? 0x01 : 0) | (syn ? 0x02 : 0) | (rst ? 0x04 : 0) |
                                       (p.ack_flag ? 0x10 : 0));
    put_be16(l4 + 14, p.window);
  } else {
    put_be16(l4 + 4, static_cast<std::uint16_t>(l4_len));
  }
  acc = sum_words(acc, l4, l4_header);
  std::uint16_t check = fold(sum_words(acc, payload, len));
  if (!tcp && check == 0) check = 0xffff;  // 0 means "no checksum" in UDP (forbidden in IPv6)
  put_be16(l4 + (tcp ? 16 : 6), check);

  out.header_len = ip_header + l4_header;
  out.payload = payload;
  out.payload_len = len;
}

}  // namespace simsock::sim
