// Reads the pcap writer's captures back with tshark (path from CMake's find_program; the tests
// skip only when it is not installed) with checksum validation on, and checks what Wireshark
// users would see: addresses, ports, flags, consistent sequence numbers (no TCP analysis
// warnings), the followed stream, UDP payloads and timestamps.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/pcap/pcap_test_util.hpp"
#include "tests/pcap/tshark_util.hpp"

namespace simsock::pcap_test {
namespace {

std::string tcp_flags(const PacketRecord& r) {
  int f = (r.fin ? 0x01 : 0) | (r.syn ? 0x02 : 0) | (r.rst ? 0x04 : 0) | (r.ack_flag ? 0x10 : 0);
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", f);
  return text;
}

// Checks each TCP packet against its record: addresses, ports, flags, tshark's relative numbers
// (SYN at 0, data offset o at o + 1, ack a at a + 1), length and good checksums. Returns the
// rows.
std::vector<Row> expect_tcp_matches(const std::string& path, const Capture& c) {
  auto rows =
      fields(path, {"ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq",
                    "tcp.ack", "tcp.len", "ip.checksum.status", "tcp.checksum.status", "tcp.stream",
                    "tcp.analysis.flags", "tcp.seq_raw"});
  EXPECT_EQ(rows.size(), c.records().size());
  if (rows.size() != c.records().size()) return {};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const PacketRecord& r = c.records()[i];
    const Row& row = rows[i];
    SCOPED_TRACE("frame " + std::to_string(i + 1));
    EXPECT_EQ(row.at("ip.src"), r.src.address.to_string());
    EXPECT_EQ(row.at("ip.dst"), r.dst.address.to_string());
    EXPECT_EQ(row.at("tcp.srcport"), std::to_string(r.src.port));
    EXPECT_EQ(row.at("tcp.dstport"), std::to_string(r.dst.port));
    EXPECT_EQ(row.at("tcp.flags"), tcp_flags(r));
    EXPECT_EQ(row.at("tcp.seq"), std::to_string(r.syn ? 0 : r.seq + 1));
    EXPECT_EQ(row.at("tcp.ack"), std::to_string(r.ack_flag ? r.ack + 1 : 0));
    EXPECT_EQ(row.at("tcp.len"), std::to_string(r.payload_len));
    EXPECT_EQ(row.at("ip.checksum.status"), "1");  // 1 = good
    EXPECT_EQ(row.at("tcp.checksum.status"), "1");
    EXPECT_EQ(row.at("tcp.stream"), "0");
    EXPECT_EQ(row.at("tcp.analysis.flags"), "");  // no retransmission, gap or unseen-ack notes
  }
  return rows;
}

TEST(PcapTshark, TcpConnectionDecodesWithConsistentNumbersAndGoodChecksums) {
  SKIP_WITHOUT_TSHARK();
  const Capture c = tcp_connection();
  const TempFile file("tcp");
  const std::string& path = file.path;
  c.save(path);
  auto raw = expect_tcp_matches(path, c);
  EXPECT_EQ(warnings(raw), std::vector<std::string>{});
  ASSERT_EQ(raw.size(), 12u);
  EXPECT_EQ(raw[0].at("tcp.seq_raw"),
            std::to_string(PcapWriter::initial_sequence_number(k_client, k_server)));
  EXPECT_EQ(raw[1].at("tcp.seq_raw"),
            std::to_string(PcapWriter::initial_sequence_number(k_server, k_client)));
}

TEST(PcapTshark, FollowedTcpStreamReproducesTheBytesSentEachWay) {
  SKIP_WITHOUT_TSHARK();
  const TempFile file("tcp");
  const std::string& path = file.path;
  tcp_connection().save(path);
  auto [to_server, to_client] = follow(path);
  EXPECT_EQ(to_server, hex(k_request1 + k_request2 + k_request3));
  EXPECT_EQ(to_client, hex(k_reply1 + k_reply2));
}

TEST(PcapTshark, ResetAfterDataIsTheOnlyWarning) {
  SKIP_WITHOUT_TSHARK();
  Capture c;
  PacketRecord& syn = c.tcp(0, k_client, k_server, 0, 0);
  syn.syn = true;
  syn.ack_flag = false;
  c.tcp(10, k_server, k_client, 0, 0).syn = true;
  c.tcp(20, k_client, k_server, 0, 0);
  c.tcp(30, k_client, k_server, 0, 0, "abcde");
  c.tcp(40, k_server, k_client, 0, 5).rst = true;
  const TempFile file("rst");
  const std::string& path = file.path;
  c.save(path);
  EXPECT_EQ(warnings(expect_tcp_matches(path, c)),
            std::vector<std::string>{"5: Connection reset (RST)"});
}

TEST(PcapTshark, OversizedTcpPayloadIsWrittenAsConsecutiveSegments) {
  SKIP_WITHOUT_TSHARK();
  std::string big(100'000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 256);
  Capture c;
  PacketRecord& syn = c.tcp(0, k_client, k_server, 0, 0);
  syn.syn = true;
  syn.ack_flag = false;
  c.tcp(1, k_server, k_client, 0, 0).syn = true;
  c.tcp(2, k_client, k_server, 0, 0);
  c.tcp(3, k_client, k_server, 0, 0, big).fin = true;
  c.tcp(4, k_server, k_client, 0, 100'001);
  const TempFile file("big");
  const std::string& path = file.path;
  c.save(path);
  auto rows = fields(
      path, {"tcp.seq", "tcp.len", "tcp.flags", "tcp.analysis.flags", "tcp.checksum.status"});
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[3].at("tcp.seq"), "1");
  EXPECT_EQ(rows[3].at("tcp.len"), std::to_string(PcapWriter::max_tcp_payload));
  EXPECT_EQ(rows[3].at("tcp.flags"), "0x0010");
  EXPECT_EQ(rows[4].at("tcp.seq"), std::to_string(1 + PcapWriter::max_tcp_payload));
  EXPECT_EQ(rows[4].at("tcp.len"), std::to_string(100'000 - PcapWriter::max_tcp_payload));
  EXPECT_EQ(rows[4].at("tcp.flags"), "0x0011");  // the FIN rides on the last part
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("tcp.analysis.flags"), "");
    EXPECT_EQ(row.at("tcp.checksum.status"), "1");
  }
  EXPECT_EQ(warnings(rows), std::vector<std::string>{});
  EXPECT_EQ(follow(path).first, hex(big));
}

TEST(PcapTshark, UdpDatagramsDecodeWithTheirPayloadsAndGoodChecksums) {
  SKIP_WITHOUT_TSHARK();
  const net::Endpoint a = ep("192.168.1.10:40100"), b = ep("192.168.1.20:21567");
  const std::vector<std::string> payloads = {"hello", "", all_byte_values(), "odd",
                                             std::string(PcapWriter::max_udp_payload, 'z')};
  Capture c;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    c.udp(static_cast<std::int64_t>(i), i % 2 ? b : a, i % 2 ? a : b, payloads[i]);
  }
  const TempFile file("udp");
  const std::string& path = file.path;
  c.save(path);
  auto rows =
      fields(path, {"ip.src", "ip.dst", "ip.len", "udp.srcport", "udp.dstport", "udp.length",
                    "udp.payload", "ip.checksum.status", "udp.checksum.status"});
  ASSERT_EQ(rows.size(), payloads.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("datagram " + std::to_string(i));
    const Row& row = rows[i];
    const net::Endpoint& src = i % 2 ? b : a;
    const net::Endpoint& dst = i % 2 ? a : b;
    EXPECT_EQ(row.at("ip.src"), src.address.to_string());
    EXPECT_EQ(row.at("ip.dst"), dst.address.to_string());
    EXPECT_EQ(row.at("ip.len"), std::to_string(payloads[i].size() + 28));
    EXPECT_EQ(row.at("udp.srcport"), std::to_string(src.port));
    EXPECT_EQ(row.at("udp.dstport"), std::to_string(dst.port));
    EXPECT_EQ(row.at("udp.length"), std::to_string(payloads[i].size() + 8));
    EXPECT_EQ(row.at("udp.payload"), hex(payloads[i]));
    EXPECT_EQ(row.at("ip.checksum.status"), "1");
    EXPECT_EQ(row.at("udp.checksum.status"), "1");
  }
  EXPECT_EQ(warnings(rows), std::vector<std::string>{});
}

TEST(PcapTshark, TimestampsAreTheStartWallTimePlusVirtualTime) {
  SKIP_WITHOUT_TSHARK();
  using namespace std::chrono;
  const auto start = sys_days(year(2024) / February / 29) + 12h + 34min + 56s + 123'456'789ns;
  const std::int64_t start_ns = duration_cast<nanoseconds>(start.time_since_epoch()).count();
  const std::vector<std::int64_t> times = {
      0, 1, 876'543'210, 876'543'211, 1'500'000'000, 3'600'000'000'007};
  Capture c;
  for (auto t : times) c.udp(t, k_client, k_server, "tick");
  const TempFile file("time");
  const std::string& path = file.path;
  {
    PcapWriter w(path, start);
    c.write_to(w);
    w.flush();
  }
  auto rows = fields(path, {"frame.time_epoch"});
  ASSERT_EQ(rows.size(), times.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::int64_t when = start_ns + times[i];
    char expected[32];
    std::snprintf(expected, sizeof expected, "%lld.%09lld",
                  static_cast<long long>(when / 1'000'000'000),
                  static_cast<long long>(when % 1'000'000'000));
    EXPECT_EQ(rows[i].at("frame.time_epoch"), expected) << "t = " << times[i];
  }
}

// The checks above would notice broken packets: corrupting one byte makes tshark report it.
TEST(PcapTshark, CorruptedBytesAreReportedByTheseChecks) {
  SKIP_WITHOUT_TSHARK();
  const TempFile file("corrupt");
  const std::string& path = file.path;
  tcp_connection().save(path);
  std::string bytes = read_file(path);
  // Frame 4 (client's first data) starts after the header and three 40-byte packets.
  const std::size_t frame4 = 24 + 3 * (16 + 40) + 16;
  bytes[frame4 + 40] ^= 0x20;  // first payload byte: TCP checksum now wrong
  bytes[frame4 + 8] ^= 0x01;   // TTL: IPv4 header checksum now wrong
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto rows = fields(path, {"ip.checksum.status", "tcp.checksum.status"});
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows[3].at("ip.checksum.status"), "0");  // 0 = bad
  EXPECT_EQ(rows[3].at("tcp.checksum.status"), "0");
  EXPECT_EQ(rows[4].at("tcp.checksum.status"), "1");
  EXPECT_FALSE(warnings(rows).empty());
}

}  // namespace
}  // namespace simsock::pcap_test
