// Reading captures back with tshark for the pcap tests: the binary's path comes from CMake
// (find_program); tests skip only when it is not installed. Checksum validation is always on.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace simsock::pcap_test {

#ifdef SIMSOCK_TSHARK
inline const char* const k_tshark = SIMSOCK_TSHARK;
#else
inline const char* const k_tshark = "";
#endif

#define SKIP_WITHOUT_TSHARK()                                                \
  if (std::string(k_tshark).empty() || !std::filesystem::exists(k_tshark)) { \
    GTEST_SKIP() << "tshark is not installed";                               \
  }

inline constexpr long k_severity_warning = 0x00600000;  // Wireshark's PI_WARN

inline const char* const k_checks =
    " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE";

// Runs tshark with `args` and returns its standard output (standard error, which has the
// "running as root" notice, is dropped).
inline std::string tshark(const std::string& args) {
  std::string command = std::string(k_tshark) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return {};
  }
  std::string out;
  char chunk[65536];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
  int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return out;
}

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

using Row = std::map<std::string, std::string>;

// One row per packet: field name -> value (several occurrences joined with ','). The expert
// fields are always included, for warnings().
inline std::vector<Row> fields(const std::string& path, std::vector<std::string> names) {
  names.insert(names.end(), {"frame.number", "_ws.expert.severity", "_ws.expert.message"});
  std::string args = "-r '" + path + "'" + k_checks + " -T fields -E occurrence=a -E aggregator=,";
  for (const auto& name : names) args += " -e " + name;
  std::vector<Row> rows;
  for (const auto& line : split(tshark(args), '\n')) {
    auto cells = split(line, '\t');
    cells.resize(names.size());
    Row row;
    for (std::size_t i = 0; i < names.size(); ++i) row[names[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every expert message of warning severity or worse in `rows`, as "frame: message".
inline std::vector<std::string> warnings(const std::vector<Row>& rows) {
  std::vector<std::string> found;
  for (const auto& row : rows) {
    auto severities = split(row.at("_ws.expert.severity"), ',');
    auto messages = split(row.at("_ws.expert.message"), ',');
    for (std::size_t i = 0; i < severities.size(); ++i) {
      if (std::stol(severities[i]) >= k_severity_warning) {
        found.push_back(row.at("frame.number") + ": " +
                        (i < messages.size() ? messages[i] : std::string("?")));
      }
    }
  }
  return found;
}

inline std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned char c : bytes) {
    s.push_back(digits[c >> 4]);
    s.push_back(digits[c & 15]);
  }
  return s;
}

// The two directions of TCP stream `stream` as tshark's "follow" reassembles them, hex-encoded.
inline std::pair<std::string, std::string> follow(const std::string& path, int stream = 0) {
  std::string out =
      tshark("-r '" + path + "'" + k_checks + " -q -z follow,tcp,raw," + std::to_string(stream));
  std::string to_server, to_client;
  bool in_data = false;
  for (const auto& line : split(out, '\n')) {
    if (line.rfind("Node 1:", 0) == 0) {
      in_data = true;
    } else if (line.rfind("====", 0) == 0) {
      in_data = false;
    } else if (in_data && !line.empty()) {
      if (line[0] == '\t') {
        to_client += line.substr(1);
      } else {
        to_server += line;
      }
    }
  }
  return {to_server, to_client};
}

}  // namespace simsock::pcap_test
