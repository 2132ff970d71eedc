// How the timeline collects a run: packets become items when they are recorded, and the path's
// decision (PacketPassage) that the world tells right after fills in where and when each one
// arrives or is dropped; packets a clog holds wait in a per-path queue for their release. Trace
// events that are not packets (processes, faults, connections, drops at the receiver) become
// marks. Counters over time are cumulative samples, thinned by doubling the minimum gap between
// samples whenever k_max_samples is reached, so their number stays bounded.
#include <simsock/tools/report/timeline.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <string_view>

namespace simsock::report {
namespace {

constexpr std::size_t k_max_string = 200;
// The kind a second copy of a datagram is counted under beyond the detail limit.
constexpr const char* k_duplicate_kind = "duplicate copy";

std::string address_of(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  std::string a = colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
  if (a.size() >= 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  return a;
}

bool path_reason(std::string_view r) {
  return r == "partition" || r == "loss" || r == "fragment_loss" || r == "scripted" ||
         r == "queue_full";
}

}  // namespace

Timeline::Timeline(std::vector<std::pair<std::string, std::string>> hosts, std::size_t max_items)
    : max_items_(max_items) {
  for (auto& [name, address] : hosts) add_lane(name, address);
}

void Timeline::add_lane(const std::string& name, const std::string& address) {
  // A host with several addresses keeps one lane; each address leads to it. Addresses are kept
  // in the form traces print them ("fd00::1", not "FD00:0::1").
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(address, ec);
  const std::string key = ec ? address : parsed.to_string();
  auto [it, added] = lane_by_name_.emplace(name, static_cast<int>(lanes_.size()));
  if (added) lanes_.push_back(name);
  lane_by_address_.emplace(key, it->second);
}

int Timeline::intern(const std::string& s) {
  std::string key = s.size() > k_max_string ? s.substr(0, k_max_string) + "..." : s;
  if (auto it = string_ids_.find(key); it != string_ids_.end()) return it->second;
  auto id = static_cast<int>(strings_.size());
  strings_.push_back(key);
  string_ids_.emplace(std::move(key), id);
  return id;
}

int Timeline::lane_of(const std::string& endpoint) const {
  auto it = lane_by_address_.find(address_of(endpoint));
  return it == lane_by_address_.end() ? -1 : it->second;
}

bool Timeline::keep() {
  if (items_.size() < max_items_) return true;
  ++summarised_;
  return false;
}

void Timeline::sample(std::int64_t t) {
  Sample s{t, bytes_, drops_, retransmits_};
  if (!samples_.empty() && t - samples_.back().t < sample_gap_ && samples_.size() > 1) {
    samples_.back() = s;
    return;
  }
  samples_.push_back(s);
  if (samples_.size() < k_max_samples) return;
  std::vector<Sample> thinned;
  thinned.reserve(k_max_samples / 2 + 1);
  for (std::size_t i = 0; i < samples_.size(); i += 2) thinned.push_back(samples_[i]);
  if (thinned.back().t != samples_.back().t) thinned.back() = samples_.back();
  samples_ = std::move(thinned);
  sample_gap_ *= 2;
}

void Timeline::on_event(const sim::TraceEvent& e) {
  const std::string_view k = e.kind;
  if (k == "udp.send" || k == "tcp.segment" || k == "tcp.retransmit" || k == "tcp.fin" ||
      k == "tcp.rst") {
    last_kind_ = std::string(k);
    last_t_ = e.t;
  }
  bool counted = true;
  if (k == "tcp.deliver" || k == "udp.deliver") {
    bytes_ += static_cast<std::uint64_t>(std::max<std::int64_t>(e.len, 0));
  } else if (k == "udp.drop" || k == "tcp.drop") {
    ++drops_;
  } else if (k == "tcp.retransmit") {
    ++retransmits_;
  } else {
    counted = false;
  }
  if (counted) sample(e.t);

  Item m;
  m.kind = 1;
  m.t = e.t;
  if (k == "process.start" || k == "process.exit") {
    // detail: "NAME on HOST (APP)" / "NAME exit 0" / "NAME crashed" ...
    auto space = e.detail.find(' ');
    std::string name = e.detail.substr(0, space);
    if (k == "process.start") {
      auto on = e.detail.find(" on ");
      if (on != std::string::npos) {
        auto end = e.detail.find(' ', on + 4);
        process_host_[name] =
            e.detail.substr(on + 4, end == std::string::npos ? end : end - on - 4);
      }
    }
    if (auto it = process_host_.find(name); it != process_host_.end()) {
      if (auto l = lane_by_name_.find(it->second); l != lane_by_name_.end()) m.from = l->second;
    }
  } else if (k == "fault") {
    m.from = -1;
  } else if (k == "tcp.connect" || k == "tcp.refused") {
    m.from = lane_of(e.src);
  } else if (k == "tcp.accept") {
    m.from = lane_of(e.dst);
  } else if ((k == "udp.drop" || k == "tcp.drop") && !path_reason(e.reason)) {
    m.from = lane_of(e.dst);  // dropped on arrival: no listener, full queue, host down
  } else {
    return;
  }
  if (!keep()) {
    ++summarised_kinds_[std::string(k)];
    return;
  }
  m.label = intern(std::string(k));
  if (!e.detail.empty()) m.detail = intern(e.detail);
  if (!e.reason.empty()) m.reason = intern(std::string(e.reason));
  if (!e.src.empty()) m.src = intern(e.src);
  if (!e.dst.empty()) m.dst = intern(e.dst);
  m.len = e.len;
  m.seq = e.seq;
  items_.push_back(m);
}

void Timeline::on_packet(const sim::PacketRecord& p) {
  awaiting_.reset();
  expect_passage_ = true;
  const bool tcp = p.proto == sim::PacketRecord::Proto::tcp;
  const bool retransmit = tcp && last_kind_ == "tcp.retransmit" && last_t_ == p.t;
  last_kind_.clear();
  if (!keep()) {
    ++summarised_kinds_[tcp ? "tcp packet" : "udp datagram"];
    return;
  }
  Item it;
  it.t = p.t;
  std::string src = p.src.to_string(), dst = p.dst.to_string();
  it.src = intern(src);
  it.dst = intern(dst);
  it.conn = intern((tcp ? "tcp " : "udp ") + std::min(src, dst) + " <-> " + std::max(src, dst));
  it.from = lane_of(src);
  it.to = lane_of(dst);
  it.len = static_cast<std::int64_t>(p.payload_len);
  it.seq = tcp ? p.seq : -1;
  it.flags = (tcp ? k_tcp : 0) | (p.syn ? k_syn : 0) | (p.fin ? k_fin : 0) | (p.rst ? k_rst : 0) |
             (p.ack_flag ? k_ack : 0) | (p.payload_len > 0 || !tcp ? k_data : 0) |
             (retransmit ? k_retransmit : 0);
  awaiting_ = items_.size();
  items_.push_back(it);
}

void Timeline::on_passage(const sim::PacketPassage& d) {
  const std::string path = std::string(d.from) + "->" + std::string(d.to);
  std::size_t index = 0;
  // A packet only counted, or released from a clog that held it only counted: its second copy,
  // if any, is only counted too.
  auto count_copy = [&] {
    if (d.verdict == sim::PacketPassage::Verdict::arrive && d.duplicate_at >= 0) {
      ++summarised_;
      ++summarised_kinds_[k_duplicate_kind];
    }
  };
  if (expect_passage_) {  // the decision for the packet just recorded (kept or only counted)
    expect_passage_ = false;
    if (!awaiting_) return count_copy();
    index = *awaiting_;
    awaiting_.reset();
  } else {  // a clogged packet released
    auto q = held_.find(path);
    if (q == held_.end() || q->second.empty()) return count_copy();
    index = q->second.front();
    q->second.erase(q->second.begin());
  }
  Item& it = items_[index];
  if (auto l = lane_by_name_.find(d.from); l != lane_by_name_.end()) it.from = l->second;
  if (auto l = lane_by_name_.find(d.to); l != lane_by_name_.end()) it.to = l->second;
  using V = sim::PacketPassage::Verdict;
  if (d.verdict == V::held) {
    it.flags |= k_held;
    held_[path].push_back(index);
    return;
  }
  if (d.verdict == V::dropped) {
    it.flags |= k_dropped;
    it.reason = intern(std::string(d.reason));
    it.end = d.t + std::max<std::int64_t>(d.latency, 2000) / 2;
    return;
  }
  it.end = d.arrival;
  if (d.reordered) it.flags |= k_reordered;
  if (d.arrival - d.t > d.latency) it.flags |= k_delayed;
  if (d.duplicate_at < 0) return;
  if (!keep()) {
    ++summarised_kinds_[k_duplicate_kind];
    return;
  }
  Item copy = it;
  copy.flags = (it.flags & ~(k_reordered | k_delayed | k_retransmit)) | k_duplicate;
  copy.end = d.duplicate_at;
  items_.push_back(copy);
}

const std::string& Timeline::string(int id) const {
  static const std::string empty;
  return id < 0 ? empty : strings_[static_cast<std::size_t>(id)];
}

}  // namespace simsock::report
