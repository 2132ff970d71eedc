// How the pcap writer builds each packet: a 16-byte pcap record header, then a synthetic IPv4 or
// IPv6 header and a TCP or UDP header with Internet checksums (RFC 1071), then the payload. Every
// multi-byte pcap field is written little-endian and every protocol field big-endian, byte by
// byte, so the output does not depend on the host.
#include "sim/pcap_writer.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <system_error>

namespace simsock::sim {
namespace {

constexpr std::int64_t k_ns_per_s = 1'000'000'000;
constexpr std::int64_t k_max_pcap_seconds = std::int64_t{1} << 32;
constexpr std::size_t k_ip_header = 20;
constexpr std::size_t k_ip6_header = 40;
constexpr std::size_t k_tcp_header = 20;
constexpr std::size_t k_udp_header = 8;
constexpr std::uint8_t k_proto_tcp = 6;
constexpr std::uint8_t k_proto_udp = 17;

void put_le16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put_le32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
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

// Both endpoints of a record are of one family: true for IPv6.
bool is_v6(const net::Endpoint& src, const net::Endpoint& dst) {
  if (src.address.is_v4() != dst.address.is_v4()) {
    throw std::invalid_argument("pcap writer: source " + src.to_string() + " and destination " +
                                dst.to_string() + " are of different IP versions");
  }
  return src.address.is_v6();
}

// An endpoint as one 64-bit word for the initial sequence numbers (IPv4: address << 16 | port).
std::uint64_t endpoint_bits(const net::Endpoint& e) {
  if (e.address.is_v4()) return std::uint64_t{e.address.to_v4().to_uint()} << 16 | e.port;
  std::uint64_t a = 0x6970763600000000ULL;  // "ipv6"
  for (auto b : e.address.to_v6().to_bytes()) a = a * 131 + b;
  return (a << 16) ^ e.port;
}

// splitmix64's finalizer: a fixed, well-mixed function of its input.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::int64_t to_epoch_ns(std::chrono::system_clock::time_point start) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
  if (ns < 0 || ns / k_ns_per_s >= k_max_pcap_seconds) {
    throw std::invalid_argument(
        "pcap writer: the start time must be between 1970-01-01 and 2106-02-07 (pcap seconds are "
        "32-bit)");
  }
  return ns;
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, std::chrono::system_clock::time_point start)
    : name_("file '" + path + "'"), start_ns_(to_epoch_ns(start)) {
  errno = 0;
  file_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!file_->is_open()) {
    int err = errno != 0 ? errno : EIO;
    throw std::system_error(err, std::generic_category(), "cannot open pcap " + name_);
  }
  out_ = file_.get();
  write_global_header();
}

PcapWriter::PcapWriter(std::ostream& out, std::chrono::system_clock::time_point start)
    : out_(&out), name_("stream"), start_ns_(to_epoch_ns(start)) {
  write_global_header();
}

PcapWriter::~PcapWriter() {
  if (!ok()) return;
  try {
    out_->flush();
  } catch (const std::ios_base::failure&) {
    // a destructor cannot report it; flush() first when it matters
  }
}

void PcapWriter::write_global_header() {
  std::uint8_t h[24];
  put_le32(h, magic_nanosecond);
  put_le16(h + 4, 2);  // version 2.4
  put_le16(h + 6, 4);
  put_le32(h + 8, 0);   // thiszone: timestamps are UTC
  put_le32(h + 12, 0);  // sigfigs
  put_le32(h + 16, snaplen);
  put_le32(h + 20, linktype_raw);
  write_bytes(h, sizeof h);
}

std::uint32_t PcapWriter::initial_sequence_number(const net::Endpoint& src,
                                                  const net::Endpoint& dst) {
  is_v6(src, dst);
  return static_cast<std::uint32_t>(mix(mix(endpoint_bits(src)) ^ endpoint_bits(dst)));
}

void PcapWriter::on_packet(const PacketRecord& p) {
  is_v6(p.src, p.dst);
  if (p.t < 0 || p.t >= k_max_pcap_seconds * k_ns_per_s - start_ns_) {
    throw std::invalid_argument("pcap writer: packet time " + std::to_string(p.t) +
                                "ns is outside what pcap can represent");
  }
  if (p.proto == PacketRecord::Proto::udp && p.payload_len > max_udp_payload) {
    throw std::invalid_argument("pcap writer: UDP payload of " + std::to_string(p.payload_len) +
                                " bytes does not fit one IP packet");
  }
  if (!ok()) return;

  if (p.proto == PacketRecord::Proto::udp) {
    write_packet(p, 0, p.payload, p.payload_len, false, false, false);
    return;
  }
  std::uint32_t isn = initial_sequence_number(p.src, p.dst);
  // Sequence number of the first payload byte.
  std::uint32_t data_seq = isn + 1 + (p.syn ? 0 : p.seq);
  std::size_t done = 0;
  do {
    std::size_t len = std::min(p.payload_len - done, max_tcp_payload);
    bool first = done == 0;
    bool last = done + len == p.payload_len;
    bool syn = p.syn && first;
    std::uint32_t seq = syn ? isn : data_seq + static_cast<std::uint32_t>(done);
    write_packet(p, seq, p.payload + done, len, syn, p.fin && last, p.rst && last);
    done += len;
  } while (done < p.payload_len && ok());
}

void PcapWriter::write_packet(const PacketRecord& p, std::uint32_t seq, const std::uint8_t* payload,
                              std::size_t len, bool syn, bool fin, bool rst) {
  const bool tcp = p.proto == PacketRecord::Proto::tcp;
  const bool v6 = p.src.address.is_v6();
  const std::size_t ip_header = v6 ? k_ip6_header : k_ip_header;
  const std::size_t l4_header = tcp ? k_tcp_header : k_udp_header;
  std::size_t l4_len = l4_header + len;
  std::size_t ip_len = ip_header + l4_len;
  std::array<std::uint8_t, 16 + k_ip6_header + k_tcp_header> headers{};
  std::uint8_t* rec = headers.data();
  std::uint8_t* ip = rec + 16;
  std::uint8_t* l4 = ip + ip_header;

  std::int64_t when = start_ns_ + p.t;
  put_le32(rec, static_cast<std::uint32_t>(when / k_ns_per_s));
  put_le32(rec + 4, static_cast<std::uint32_t>(when % k_ns_per_s));
  put_le32(rec + 8, static_cast<std::uint32_t>(ip_len));   // captured length
  put_le32(rec + 12, static_cast<std::uint32_t>(ip_len));  // original length

  const std::uint8_t proto = tcp ? k_proto_tcp : k_proto_udp;
  // The pseudo-header of the TCP/UDP checksum: RFC 793 / 768 for IPv4, RFC 8200 8.1 for IPv6.
  std::uint8_t pseudo[40] = {};
  std::size_t pseudo_len = 0;
  if (v6) {
    const auto src = p.src.address.to_v6().to_bytes();
    const auto dst = p.dst.address.to_v6().to_bytes();
    ip[0] = 0x60;  // version 6, traffic class 0, flow label 0
    put_be16(ip + 4, static_cast<std::uint16_t>(l4_len));  // payload length
    ip[6] = proto;                                         // next header
    ip[7] = 64;                                            // hop limit
    std::copy(src.begin(), src.end(), ip + 8);
    std::copy(dst.begin(), dst.end(), ip + 24);
    std::copy(src.begin(), src.end(), pseudo);
    std::copy(dst.begin(), dst.end(), pseudo + 16);
    put_be32(pseudo + 32, static_cast<std::uint32_t>(l4_len));
    pseudo[39] = proto;
    pseudo_len = 40;
  } else {
    std::uint32_t src = p.src.address.to_v4().to_uint();
    std::uint32_t dst = p.dst.address.to_v4().to_uint();
    ip[0] = 0x45;  // version 4, IHL 5
    put_be16(ip + 2, static_cast<std::uint16_t>(ip_len));
    put_be16(ip + 4, ++ip_id_);
    put_be16(ip + 6, 0x4000);  // DF, fragment offset 0
    ip[8] = 64;
    ip[9] = proto;
    put_be32(ip + 12, src);
    put_be32(ip + 16, dst);
    put_be16(ip + 10, fold(sum_words(0, ip, k_ip_header)));
    put_be32(pseudo, src);
    put_be32(pseudo + 4, dst);
    pseudo[9] = proto;
    put_be16(pseudo + 10, static_cast<std::uint16_t>(l4_len));
    pseudo_len = 12;
  }

  put_be16(l4, p.src.port);
  put_be16(l4 + 2, p.dst.port);
  if (tcp) {
    std::uint32_t ack =
        p.ack_flag ? initial_sequence_number(p.dst, p.src) + 1 + p.ack : std::uint32_t{0};
    put_be32(l4 + 4, seq);
    put_be32(l4 + 8, ack);
    l4[12] = 5 << 4;  // data offset: 5 words
    l4[13] = static_cast<std::uint8_t>((fin ? 0x01 : 0) | (syn ? 0x02 : 0) | (rst ? 0x04 : 0) |
                                       (p.ack_flag ? 0x10 : 0));
    put_be16(l4 + 14, p.window);
  } else {
    put_be16(l4 + 4, static_cast<std::uint16_t>(l4_len));
  }

  std::uint32_t acc = sum_words(0, pseudo, pseudo_len);
  acc = sum_words(acc, l4, l4_header);
  std::uint16_t check = fold(sum_words(acc, payload, len));
  if (!tcp && check == 0) check = 0xffff;  // 0 means "no checksum" in UDP
  put_be16(l4 + (tcp ? 16 : 6), check);

  write_bytes(headers.data(), 16 + ip_header + l4_header);
  write_bytes(payload, len);
  if (ok()) ++packets_;
}

void PcapWriter::write_bytes(const std::uint8_t* data, std::size_t len) {
  if (!ok() || len == 0) return;
  errno = 0;
  try {
    out_->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
  } catch (const std::ios_base::failure&) {
    // a stream with exceptions enabled: reported like any other failure
  }
  if (!*out_) fail(errno);
}

void PcapWriter::fail(int err) {
  errno_ = err != 0 ? err : EIO;
  error_ = "cannot write pcap " + name_ + ": " + std::generic_category().message(errno_);
}

void PcapWriter::flush() {
  if (ok()) {
    errno = 0;
    try {
      out_->flush();
    } catch (const std::ios_base::failure&) {
      // reported below
    }
    if (!*out_) fail(errno);
  }
  if (!ok()) throw std::system_error(errno_, std::generic_category(), "cannot write pcap " + name_);
}

}  // namespace simsock::sim
