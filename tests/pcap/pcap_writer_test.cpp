// Tests of sim/pcap_writer.cpp: the bytes it writes (header layout, checksums, determinism, error
// reporting) are checked directly; that the captures decode as intended (a whole TCP connection,
// a reset, UDP datagrams, timestamps) is checked by reading them back with tshark.
#include <simsock/sim/pcap_writer.hpp>

#include "tests/pcap/pcap_test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <streambuf>
#include <string>
#include <system_error>
#include <vector>

namespace simsock::sim {
namespace {

using namespace std::chrono_literals;
using namespace simsock::pcap_test;

std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
  return v;
}
std::uint32_t be16(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[at]) << 8 |
                                    static_cast<std::uint8_t>(b[at + 1]));
}
std::uint32_t be32(const std::string& b, std::size_t at) {
  return be16(b, at) << 16 | be16(b, at + 2);
}

// The one's-complement sum of a range of big-endian words, folded: 0xffff for a range that
// includes a correct checksum.
std::uint32_t ones_sum(const std::string& b, std::size_t from, std::size_t len,
                       std::uint32_t acc = 0) {
  for (std::size_t i = 0; i < len; i += 2) {
    acc += static_cast<std::uint32_t>(static_cast<std::uint8_t>(b[from + i]) << 8);
    if (i + 1 < len) acc += static_cast<std::uint8_t>(b[from + i + 1]);
  }
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return acc;
}

// ---- bytes ---------------------------------------------------------------------------------

TEST(PcapWriter, GlobalHeaderIsNanosecondRawIpv4) {
  std::ostringstream out;
  { PcapWriter w(out, k_start); }
  const std::string b = out.str();
  ASSERT_EQ(b.size(), 24u);
  EXPECT_EQ(b.substr(0, 4), std::string("\x4d\x3c\xb2\xa1", 4));  // 0xa1b23c4d little-endian
  EXPECT_EQ(le32(b, 4), 2u | 4u << 16);                           // version 2.4
  EXPECT_EQ(le32(b, 8), 0u);                                      // thiszone
  EXPECT_EQ(le32(b, 12), 0u);                                     // sigfigs
  EXPECT_EQ(le32(b, 16), 65535u);                                 // snaplen
  EXPECT_EQ(le32(b, 20), 101u);                                   // LINKTYPE_RAW
}

TEST(PcapWriter, TcpPacketHasSyntheticHeadersAndValidChecksums) {
  Capture c;
  c.tcp(1'500'000'123, k_client, k_server, 12, 34, k_request3).window = 4096;
  std::ostringstream out;
  PcapWriter w(out, k_start);
  c.write_to(w);
  w.flush();
  const std::string b = out.str();
  const std::size_t ip_len = 20 + 20 + 3;
  ASSERT_EQ(b.size(), 24 + 16 + ip_len);
  EXPECT_EQ(le32(b, 24), k_start_s + 1);  // seconds
  EXPECT_EQ(le32(b, 28), 500'000'123u);   // nanoseconds
  EXPECT_EQ(le32(b, 32), ip_len);         // captured length
  EXPECT_EQ(le32(b, 36), ip_len);         // original length
  const std::size_t ip = 40, tcp = ip + 20;
  EXPECT_EQ(static_cast<std::uint8_t>(b[ip]), 0x45);  // IPv4, IHL 5
  EXPECT_EQ(be16(b, ip + 2), ip_len);
  EXPECT_EQ(be16(b, ip + 4), 1u);  // first IP ID
  EXPECT_EQ(static_cast<std::uint8_t>(b[ip + 8]), 64);
  EXPECT_EQ(static_cast<std::uint8_t>(b[ip + 9]), 6);
  EXPECT_EQ(be32(b, ip + 12), 0x0a000001u);
  EXPECT_EQ(be32(b, ip + 16), 0x0a000002u);
  EXPECT_EQ(ones_sum(b, ip, 20), 0xffffu);

  EXPECT_EQ(be16(b, tcp), 40001u);
  EXPECT_EQ(be16(b, tcp + 2), 7u);
  EXPECT_EQ(be32(b, tcp + 4), PcapWriter::initial_sequence_number(k_client, k_server) + 1 + 12);
  EXPECT_EQ(be32(b, tcp + 8), PcapWriter::initial_sequence_number(k_server, k_client) + 1 + 34);
  EXPECT_EQ(static_cast<std::uint8_t>(b[tcp + 12]), 5 << 4);
  EXPECT_EQ(static_cast<std::uint8_t>(b[tcp + 13]), 0x10);  // ACK only
  EXPECT_EQ(be16(b, tcp + 14), 4096u);
  EXPECT_EQ(b.substr(tcp + 20), k_request3);
  // Pseudo-header: addresses, protocol, TCP length; then the segment itself.
  std::uint32_t pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + (20 + 3);
  EXPECT_EQ(ones_sum(b, tcp, 20 + 3, pseudo), 0xffffu);
}

TEST(PcapWriter, UdpPacketHasLengthAndValidChecksum) {
  Capture c;
  c.udp(0, k_client, k_server, "hello");
  std::ostringstream out;
  PcapWriter w(out, k_start);
  c.write_to(w);
  w.flush();
  const std::string b = out.str();
  const std::size_t ip = 40, udp = ip + 20;
  ASSERT_EQ(b.size(), udp + 8 + 5);
  EXPECT_EQ(static_cast<std::uint8_t>(b[ip + 9]), 17);
  EXPECT_EQ(ones_sum(b, ip, 20), 0xffffu);
  EXPECT_EQ(be16(b, udp + 4), 8u + 5u);
  EXPECT_NE(be16(b, udp + 6), 0u);  // a checksum is present
  std::uint32_t pseudo = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + (8 + 5);
  EXPECT_EQ(ones_sum(b, udp, 8 + 5, pseudo), 0xffffu);
}

TEST(PcapWriter, IpIdIncrementsPerPacket) {
  Capture c;
  c.udp(0, k_client, k_server, "a");
  c.udp(1, k_server, k_client, "b");
  std::ostringstream out;
  PcapWriter w(out, k_start);
  c.write_to(w);
  const std::string b = out.str();
  const std::size_t second = 24 + 16 + 29;
  EXPECT_EQ(be16(b, 40 + 4), 1u);
  EXPECT_EQ(be16(b, second + 16 + 4), 2u);
  EXPECT_EQ(w.packets_written(), 2u);
}

TEST(PcapWriter, SameRecordsGiveIdenticalBytes) {
  const Capture c = tcp_connection();
  std::ostringstream a, b;
  {
    PcapWriter w(a, k_start);
    c.write_to(w);
  }
  {
    PcapWriter w(b, k_start);
    c.write_to(w);
  }
  const TempFile file("file");
  const std::string& path = file.path;
  c.save(path);
  EXPECT_GT(a.str().size(), 24u + 12 * 56);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(read_file(path), a.str());
}

TEST(PcapWriter, InitialSequenceNumbersAreFixedPerDirection) {
  const auto forward = PcapWriter::initial_sequence_number(k_client, k_server);
  EXPECT_EQ(forward, PcapWriter::initial_sequence_number(ep("10.0.0.1:40001"), k_server));
  EXPECT_NE(forward, PcapWriter::initial_sequence_number(k_server, k_client));
  EXPECT_NE(forward, PcapWriter::initial_sequence_number(ep("10.0.0.1:40002"), k_server));
  EXPECT_NE(forward, PcapWriter::initial_sequence_number(ep("10.0.0.3:40001"), k_server));
}

TEST(PcapWriter, OpenFailureNamesThePathAndTheReason) {
  const std::string path = "/nonexistent-simsock-dir/out.pcap";
  try {
    PcapWriter w(path, k_start);
    FAIL() << "opening " << path << " should have failed";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
}

// A stream buffer that accepts `room` bytes and then fails.
class FullBuffer : public std::streambuf {
 public:
  explicit FullBuffer(std::size_t room) : room_(room) {}

 protected:
  int_type overflow(int_type ch) override {
    if (room_ == 0) return traits_type::eof();
    --room_;
    return ch;
  }

 private:
  std::size_t room_;
};

TEST(PcapWriter, WriteFailureIsRememberedAndReportedByFlush) {
  FullBuffer buffer(24 + 10);
  std::ostream out(&buffer);
  PcapWriter w(out, k_start);
  EXPECT_TRUE(w.ok());
  Capture c;
  c.udp(0, k_client, k_server, "first");
  c.udp(1, k_client, k_server, "second");
  EXPECT_NO_THROW(c.write_to(w));
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.error().find("cannot write pcap stream"), std::string::npos) << w.error();
  EXPECT_EQ(w.packets_written(), 0u);
  EXPECT_THROW(w.flush(), std::system_error);
}

TEST(PcapWriter, RejectsRecordsTheSimulatorNeverProduces) {
  std::ostringstream out;
  PcapWriter w(out, k_start);
  Capture c;
  c.udp(0, ep("[::1]:5"), k_server, "v6");
  EXPECT_THROW(w.on_packet(c.records().back()), std::invalid_argument);
  c.udp(0, k_client, k_server, std::string(PcapWriter::max_udp_payload + 1, 'u'));
  EXPECT_THROW(w.on_packet(c.records().back()), std::invalid_argument);
  c.udp(-1, k_client, k_server, "before t=0");
  EXPECT_THROW(w.on_packet(c.records().back()), std::invalid_argument);
  EXPECT_EQ(w.packets_written(), 0u);
  EXPECT_EQ(out.str().size(), 24u);

  const auto before_1970 = std::chrono::system_clock::time_point(-1s);
  EXPECT_THROW(PcapWriter(out, before_1970), std::invalid_argument);
}

}  // namespace
}  // namespace simsock::sim
