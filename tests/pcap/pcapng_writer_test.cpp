// The pcapng writer alone: its blocks (read back here byte by byte), its interfaces, timestamps,
// comments and IPv6 headers, and tshark's reading of them (frame.comment).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <simsock/sim/pcapng_writer.hpp>
#include "tests/pcap/pcap_test_util.hpp"
#include "tests/pcap/tshark_util.hpp"

namespace simsock::pcap_test {
namespace {

using sim::PacketPassage;
using sim::PcapngWriter;
using V = PacketPassage::Verdict;

std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<std::uint8_t>(b[at + i]);
  return v;
}
std::uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(b[at]) |
                                    static_cast<std::uint8_t>(b[at + 1]) << 8);
}

struct Block {
  std::uint32_t type;
  std::string body;  // between the two length fields
};

std::vector<Block> blocks(const std::string& file) {
  std::vector<Block> out;
  std::size_t at = 0;
  while (at + 12 <= file.size()) {
    std::uint32_t len = le32(file, at + 4);
    EXPECT_EQ(len % 4, 0u);
    EXPECT_LE(at + len, file.size());
    if (len < 12 || at + len > file.size()) break;
    EXPECT_EQ(le32(file, at + len - 4), len) << "trailing length of the block at " << at;
    out.push_back({le32(file, at), file.substr(at + 8, len - 12)});
    at += len;
  }
  EXPECT_EQ(at, file.size());
  return out;
}

// The options of a block body starting at `at`: code -> value.
std::vector<std::pair<std::uint16_t, std::string>> options(const std::string& body,
                                                           std::size_t at) {
  std::vector<std::pair<std::uint16_t, std::string>> out;
  while (at + 4 <= body.size()) {
    std::uint16_t code = le16(body, at), len = le16(body, at + 2);
    if (code == 0) break;
    out.emplace_back(code, body.substr(at + 4, len));
    at += 4 + (len + 3u) / 4 * 4;
  }
  return out;
}

std::string option(const std::string& body, std::size_t at, std::uint16_t code) {
  for (auto& [c, v] : options(body, at)) {
    if (c == code) return v;
  }
  return "";
}

// The EPB's comment (epb options start after the 20-byte fixed part and the padded data).
std::string epb_comment(const Block& b) {
  std::uint32_t captured = le32(b.body, 12);
  return option(b.body, 20 + (captured + 3u) / 4 * 4, 1);
}

PacketPassage passage(std::int64_t t, const char* from, const char* to, V v,
                      std::int64_t arrival = -1, const char* reason = "") {
  PacketPassage d;
  d.t = t;
  d.from = from;
  d.to = to;
  d.verdict = v;
  d.arrival = arrival;
  d.latency = 1'000'000;
  d.reason = reason;
  return d;
}

TEST(PcapngWriter, EachSendingHostGetsItsOwnInterfaceWithNanosecondTimestamps) {
  std::ostringstream out;
  {
    PcapngWriter w(out, k_start);
    Capture c;
    w.on_packet(c.udp(5, k_client, k_server, "ping"));
    w.on_passage(passage(5, "client", "server", V::arrive, 1'000'005));
    w.on_packet(c.udp(1'000'005, k_server, k_client, "pong"));
    w.on_passage(passage(1'000'005, "server", "client", V::arrive, 2'000'005));
    w.on_packet(c.udp(2'000'005, k_client, k_server, "again"));
    w.on_passage(passage(2'000'005, "client", "server", V::arrive, 3'000'005));
    w.flush();
    EXPECT_EQ(w.packets_written(), 3u);
    EXPECT_EQ(w.interfaces(), 2u);
  }
  auto b = blocks(out.str());
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(b[0].type, 0x0A0D0D0Au);
  EXPECT_EQ(le32(b[0].body, 0), 0x1A2B3C4Du);
  EXPECT_EQ(b[1].type, 1u);
  EXPECT_EQ(le16(b[1].body, 0), 101);  // LINKTYPE_RAW
  EXPECT_EQ(option(b[1].body, 8, 2), "client");
  EXPECT_EQ(option(b[1].body, 8, 9), std::string(1, '\x09'));  // if_tsresol: nanoseconds
  EXPECT_EQ(b[2].type, 6u);
  EXPECT_EQ(le32(b[2].body, 0), 0u);
  const std::uint64_t ts =
      std::uint64_t{le32(b[2].body, 4)} << 32 | std::uint64_t{le32(b[2].body, 8)};
  EXPECT_EQ(ts, static_cast<std::uint64_t>(k_start_s) * 1'000'000'000 + 5);
  EXPECT_EQ(b[3].type, 1u);
  EXPECT_EQ(option(b[3].body, 8, 2), "server");
  EXPECT_EQ(le32(b[4].body, 0), 1u);  // the server's packet on the server's interface
  EXPECT_EQ(le32(b[5].body, 0), 0u);
  EXPECT_EQ(epb_comment(b[2]), "");  // nothing decided: no comment
}

TEST(PcapngWriter, TimestampsGoPast2106) {
  const auto start = std::chrono::sys_days(std::chrono::year(2200) / std::chrono::January / 1);
  std::ostringstream out;
  {
    PcapngWriter w(out, start);
    Capture c;
    w.on_packet(c.udp(7, k_client, k_server, "late"));
    w.flush();
  }
  auto b = blocks(out.str());
  ASSERT_EQ(b.size(), 3u);
  const std::uint64_t ts =
      std::uint64_t{le32(b[2].body, 4)} << 32 | std::uint64_t{le32(b[2].body, 8)};
  const auto expected = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count() + 7);
  EXPECT_EQ(ts, expected);
  EXPECT_GT(ts / 1'000'000'000, std::uint64_t{0xffffffff});
}

TEST(PcapngWriter, DecisionsBecomePacketComments) {
  std::ostringstream out;
  {
    PcapngWriter w(out, k_start);
    Capture c;
    w.on_packet(c.udp(0, k_client, k_server, "lost"));
    w.on_passage(passage(0, "client", "server", V::dropped, -1, "loss"));
    w.on_packet(c.udp(1, k_client, k_server, "late"));
    w.on_passage(passage(1, "client", "server", V::arrive, 1 + 3'500'000));
    PacketPassage dup = passage(2, "client", "server", V::arrive, 2 + 1'000'000);
    dup.duplicate_at = 2 + 2'000'000;
    w.on_packet(c.udp(2, k_client, k_server, "twice"));
    w.on_passage(dup);
    sim::TraceEvent rx;
    rx.t = 3;
    rx.kind = "tcp.retransmit";
    rx.src = k_client.to_string();
    rx.dst = k_server.to_string();
    rx.seq = 100;
    rx.len = 4;
    w.on_event(rx);
    w.on_packet(c.tcp(3, k_client, k_server, 100, 0, "data"));
    w.on_passage(passage(3, "client", "server", V::held));
    w.flush();
  }
  auto b = blocks(out.str());
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(epb_comment(b[2]), "dropped: loss");
  EXPECT_EQ(epb_comment(b[3]), "delayed: arrives after 3500us (latency 1ms + 2500us)");
  EXPECT_EQ(epb_comment(b[4]), "duplicated: a second copy arrives after 2ms");
  EXPECT_EQ(epb_comment(b[5]),
            "retransmission of stream offset 100; held: the path is clogged; sent again on "
            "release");
}

TEST(PcapngWriter, DroppedPacketsCanBeLeftOut) {
  std::ostringstream out;
  {
    PcapngWriter w(out, k_start, sim::PcapngOptions{false});
    Capture c;
    w.on_packet(c.udp(0, k_client, k_server, "lost"));
    w.on_passage(passage(0, "client", "server", V::dropped, -1, "partition"));
    w.on_packet(c.udp(1, k_client, k_server, "kept"));
    w.on_passage(passage(1, "client", "server", V::arrive, 1'000'001));
    w.flush();
    EXPECT_EQ(w.packets_written(), 1u);
  }
  auto b = blocks(out.str());
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2].body.substr(20 + 28, 4), "kept");
}

TEST(PcapngWriter, Ipv6EndpointsGetAnIpv6Header) {
  std::ostringstream out;
  {
    PcapngWriter w(out, k_start);
    Capture c;
    w.on_packet(c.udp(0, ep("[fd00::1]:5000"), ep("[fd00::2]:7"), "six"));
    w.on_passage(passage(0, "a", "b", V::arrive, 10));
    w.flush();
  }
  auto b = blocks(out.str());
  ASSERT_EQ(b.size(), 3u);
  const std::string pkt = b[2].body.substr(20, le32(b[2].body, 12));
  ASSERT_EQ(pkt.size(), 40u + 8u + 3u);
  EXPECT_EQ(static_cast<std::uint8_t>(pkt[0]) >> 4, 6);
  EXPECT_EQ(static_cast<std::uint8_t>(pkt[6]), 17);  // next header: UDP
  EXPECT_EQ(static_cast<std::uint8_t>(pkt[23]), 1);  // fd00::1
  EXPECT_EQ(static_cast<std::uint8_t>(pkt[39]), 2);  // fd00::2
}

TEST(PcapngWriter, RejectsMixedAddressFamiliesAndTimesBeforeTheStart) {
  std::ostringstream out;
  PcapngWriter w(out, k_start);
  Capture c;
  EXPECT_THROW(w.on_packet(c.udp(0, ep("[fd00::1]:5"), k_server, "mixed")), std::invalid_argument);
  EXPECT_THROW(w.on_packet(c.udp(-1, k_client, k_server, "early")), std::invalid_argument);
  const auto before_1970 = std::chrono::sys_days(std::chrono::year(1969) / 12 / 31);
  EXPECT_THROW(PcapngWriter(out, before_1970), std::invalid_argument);
}

TEST(PcapngTshark, ShowsInterfacesCommentsAndIpv6) {
  SKIP_WITHOUT_TSHARK();
  TempFile file("pcapng");
  {
    PcapngWriter w(file.path, k_start);
    Capture c;
    w.on_packet(c.udp(0, k_client, k_server, "lost"));
    w.on_passage(passage(0, "client", "server", V::dropped, -1, "scripted"));
    w.on_packet(c.udp(10, k_server, k_client, "back"));
    w.on_passage(passage(10, "server", "client", V::arrive, 1'000'010));
    w.on_packet(c.udp(20, ep("[fd00::1]:5000"), ep("[fd00::2]:7"), "six"));
    w.on_passage(passage(20, "client", "server", V::arrive, 5'000'020));
    w.flush();
  }
  auto rows = fields(file.path, {"frame.interface_name", "frame.comment", "ip.src", "ipv6.dst",
                                 "udp.payload", "frame.time_epoch"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["frame.interface_name"], "client");
  EXPECT_EQ(rows[0]["frame.comment"], "dropped: scripted");
  EXPECT_EQ(rows[0]["ip.src"], "10.0.0.1");
  EXPECT_EQ(rows[1]["frame.interface_name"], "server");
  EXPECT_EQ(rows[1]["frame.comment"], "");
  EXPECT_EQ(rows[2]["ipv6.dst"], "fd00::2");
  EXPECT_EQ(rows[2]["udp.payload"], hex("six"));
  EXPECT_EQ(rows[2]["frame.comment"], "delayed: arrives after 5ms (latency 1ms + 4ms)");
  const std::string& epoch = rows[0]["frame.time_epoch"];
  EXPECT_EQ(epoch.substr(0, epoch.find('.')), std::to_string(k_start_s)) << epoch;
  EXPECT_TRUE(warnings(rows).empty()) << ::testing::PrintToString(warnings(rows));
}

}  // namespace
}  // namespace simsock::pcap_test
