// Shared by the pcap writer's tests: records that own their payloads, and a complete TCP
// connection whose numbers follow the convention in sim/pcap_writer.hpp.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <unistd.h>

#include <simsock/net/endpoint.hpp>
#include <simsock/sim/pcap_writer.hpp>

namespace simsock::pcap_test {

using sim::PacketRecord;
using sim::PcapWriter;
using Proto = PacketRecord::Proto;

// 2000-01-01T00:00:00Z, the world's default start.
inline const std::chrono::system_clock::time_point k_start =
    std::chrono::sys_days(std::chrono::year(2000) / std::chrono::January / 1);
constexpr std::int64_t k_start_s = 946684800;

inline net::Endpoint ep(const char* text) {
  return *net::parse_endpoint(text);
}

inline const net::Endpoint k_client = ep("10.0.0.1:40001");
inline const net::Endpoint k_server = ep("10.0.0.2:7");

// A list of records that own their payloads (PacketRecord only points at its bytes).
class Capture {
 public:
  PacketRecord& tcp(std::int64_t t, const net::Endpoint& src, const net::Endpoint& dst,
                    std::uint32_t seq, std::uint32_t ack, std::string payload = {}) {
    PacketRecord& r = add(t, Proto::tcp, src, dst, std::move(payload));
    r.seq = seq;
    r.ack = ack;
    r.ack_flag = true;
    return r;
  }
  PacketRecord& udp(std::int64_t t, const net::Endpoint& src, const net::Endpoint& dst,
                    std::string payload) {
    return add(t, Proto::udp, src, dst, std::move(payload));
  }
  void write_to(PcapWriter& w) const {
    for (const auto& r : records_) w.on_packet(r);
  }
  // Writes every record to a new file at `path`.
  void save(const std::string& path) const {
    PcapWriter w(path, k_start);
    write_to(w);
    w.flush();
  }
  const std::deque<PacketRecord>& records() const { return records_; }

 private:
  PacketRecord& add(std::int64_t t, Proto proto, const net::Endpoint& src, const net::Endpoint& dst,
                    std::string payload) {
    payloads_.push_back(std::move(payload));
    PacketRecord r;
    r.t = t;
    r.proto = proto;
    r.src = src;
    r.dst = dst;
    r.payload = reinterpret_cast<const std::uint8_t*>(payloads_.back().data());
    r.payload_len = payloads_.back().size();
    records_.push_back(r);
    return records_.back();
  }

  std::deque<std::string> payloads_;  // stable addresses
  std::deque<PacketRecord> records_;
};

// Every byte value once, so the followed stream proves the bytes are carried exactly.
inline std::string all_byte_values() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

inline const std::string k_request1 = "GET /echo 1\n";
inline const std::string k_request2 = all_byte_values();
inline const std::string k_request3 = "odd";  // odd length: exercises the checksum's last byte
inline const std::string k_reply1 = "echo: GET /echo 1\n";
inline const std::string k_reply2 = std::string(1460, 'x') + "!";

// A complete connection: handshake, three client segments, two server segments, the client
// closes first, then the server. 12 records; numbers follow the convention in pcap_writer.hpp.
inline Capture tcp_connection() {
  Capture c;
  const std::uint32_t lc =
      static_cast<std::uint32_t>(k_request1.size() + k_request2.size() + k_request3.size());
  const std::uint32_t ls = static_cast<std::uint32_t>(k_reply1.size() + k_reply2.size());
  PacketRecord& syn = c.tcp(0, k_client, k_server, 0, 0);
  syn.syn = true;
  syn.ack_flag = false;
  c.tcp(1'000'000, k_server, k_client, 0, 0).syn = true;  // SYN-ACK
  c.tcp(2'000'000, k_client, k_server, 0, 0);             // ACK
  c.tcp(2'000'100, k_client, k_server, 0, 0, k_request1);
  c.tcp(2'000'200, k_client, k_server, 12, 0, k_request2);
  c.tcp(2'000'300, k_client, k_server, 268, 0, k_request3);
  c.tcp(3'000'000, k_server, k_client, 0, lc, k_reply1);
  c.tcp(3'000'001, k_server, k_client, 18, lc, k_reply2);
  c.tcp(4'000'000, k_client, k_server, lc, ls).fin = true;
  c.tcp(5'000'000, k_server, k_client, ls, lc + 1);  // ACK of the client's FIN
  c.tcp(5'500'000, k_server, k_client, ls, lc + 1).fin = true;
  c.tcp(6'500'000, k_client, k_server, lc + 1, ls + 1);  // ACK of the server's FIN
  return c;
}

// A file in the test temp directory, named after the test and the process (so concurrent runs
// of the same test in different build trees do not meet), removed when the test ends.
struct TempFile {
  explicit TempFile(const std::string& name) {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path = (std::filesystem::path(testing::TempDir()) /
            ("pcap_" + std::string(info->name()) + "_" + name + "_" + std::to_string(getpid()) +
             ".pcap"))
               .string();
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace simsock::pcap_test
