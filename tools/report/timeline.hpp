// The run as the reports see it (html_report.hpp, chrome_trace.hpp): collected from the trace and
// the packets of a world while it runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <simsock/sim/world.hpp>
#include <simsock/tools/report/html_recorder.hpp>

namespace simsock::report {

// A run as the reports draw it, collected as it happens: a lane per host, packets with where
// and when each arrived or was dropped, marks for processes, faults, connections and drops at
// the receiver, and counters over time. Attach it as both a trace sink and a packet sink of the
// world (it must outlive the run), then render it.
class Timeline final : public sim::TraceSink, public sim::PacketSink {
 public:
  static constexpr std::size_t k_max_samples = 2'048;

  // `hosts`: (name, address) in the order their lanes are drawn. At most `max_items` packets and
  // marks are kept in detail; later ones are only counted per kind.
  explicit Timeline(std::vector<std::pair<std::string, std::string>> hosts, std::size_t max_items);

  // Adds a lane after construction (for worlds whose hosts are added as they go). A name that has
  // a lane already gets `address` as one more address of that lane.
  void add_lane(const std::string& name, const std::string& address);

  void on_event(const sim::TraceEvent& e) override;
  void on_packet(const sim::PacketRecord& p) override;
  void on_passage(const sim::PacketPassage& d) override;

  // A packet (kind 0) or a mark (kind 1: process, fault, connection event, receiver drop).
  struct Item {
    std::int64_t t = 0, end = -1;  // packet: send and arrival (or where its drop mark is drawn)
    int kind = 0;
    int from = -1, to = -1;  // lanes (-1: unknown / every lane)
    std::uint32_t flags = 0;
    std::int64_t len = -1, seq = -1;
    int label = -1, reason = -1, detail = -1, src = -1, dst = -1, conn = -1;  // string ids
  };
  // Counters over time: cumulative bytes delivered, drops and retransmits at t.
  struct Sample {
    std::int64_t t;
    std::uint64_t bytes, drops, retransmits;
  };

  const std::vector<std::string>& lanes() const { return lanes_; }
  const std::vector<std::string>& strings() const { return strings_; }
  const std::string& string(int id) const;  // "" for -1
  // Packets and marks in virtual-time order of their first instant.
  const std::vector<Item>& items() const { return items_; }
  // What was only counted beyond max_items, per kind.
  std::uint64_t summarised() const { return summarised_; }
  const std::map<std::string, std::uint64_t, std::less<>>& summarised_kinds() const {
    return summarised_kinds_;
  }
  const std::vector<Sample>& samples() const { return samples_; }

 private:
  int intern(const std::string& s);
  int lane_of(const std::string& endpoint) const;
  bool keep();  // room for one more item, else counts it
  void sample(std::int64_t t);

  std::vector<std::string> lanes_;
  std::map<std::string, int, std::less<>> lane_by_address_, lane_by_name_;
  std::map<std::string, std::string, std::less<>> process_host_;
  std::vector<std::string> strings_;
  std::map<std::string, int, std::less<>> string_ids_;
  std::vector<Item> items_;
  std::uint64_t summarised_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> summarised_kinds_;
  // The packet waiting for its passage, and packets a clog holds, per path, in order.
  std::optional<std::size_t> awaiting_;
  bool expect_passage_ = false;  // a packet was recorded and its decision has not come yet
  std::map<std::string, std::vector<std::size_t>, std::less<>> held_;
  // The latest send-side trace event, which names the packet recorded right after it.
  std::string last_kind_;
  std::int64_t last_t_ = -1;
  std::size_t max_items_;
  std::vector<Sample> samples_;  // thinned to k_max_samples
  std::int64_t sample_gap_ = 1000;
  std::uint64_t bytes_ = 0, drops_ = 0, retransmits_ = 0;
};

// Packet flags in the page's data (the script reads the same bits).
inline constexpr std::uint32_t k_tcp = 1;
inline constexpr std::uint32_t k_syn = 2;
inline constexpr std::uint32_t k_fin = 4;
inline constexpr std::uint32_t k_rst = 8;
inline constexpr std::uint32_t k_ack = 16;
inline constexpr std::uint32_t k_data = 32;
inline constexpr std::uint32_t k_retransmit = 64;
inline constexpr std::uint32_t k_duplicate = 128;
inline constexpr std::uint32_t k_reordered = 256;
inline constexpr std::uint32_t k_dropped = 512;
inline constexpr std::uint32_t k_held = 1024;
inline constexpr std::uint32_t k_delayed = 2048;

}  // namespace simsock::report
