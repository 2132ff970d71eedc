// How the pcap writer builds each packet: a 16-byte pcap record header, then the synthetic IP and
// TCP or UDP headers of packet_headers.hpp, then the payload. Every multi-byte pcap field is
// written little-endian, byte by byte, so the output does not depend on the host.
#include <simsock/sim/pcap_writer.hpp>

#include <simsock/sim/packet_headers.hpp>

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
void put_le16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put_le32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
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
  return tcp_initial_sequence_number(src, dst);
}

void PcapWriter::on_packet(const PacketRecord& p) {
  check_record(p);
  if (p.t < 0 || p.t >= k_max_pcap_seconds * k_ns_per_s - start_ns_) {
    throw std::invalid_argument("pcap writer: packet time " + std::to_string(p.t) +
                                "ns is outside what pcap can represent");
  }
  if (!ok()) return;
  for_each_ip_packet(p, ip_id_, [&](const IpPacket& ip) {
    write_packet(p.t, ip);
    return ok();
  });
}

void PcapWriter::write_packet(std::int64_t t, const IpPacket& ip) {
  std::uint8_t rec[16];
  std::int64_t when = start_ns_ + t;
  put_le32(rec, static_cast<std::uint32_t>(when / k_ns_per_s));
  put_le32(rec + 4, static_cast<std::uint32_t>(when % k_ns_per_s));
  put_le32(rec + 8, static_cast<std::uint32_t>(ip.size()));   // captured length
  put_le32(rec + 12, static_cast<std::uint32_t>(ip.size()));  // original length
  write_bytes(rec, sizeof rec);
  write_bytes(ip.headers, ip.header_len);
  write_bytes(ip.payload, ip.payload_len);
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
