// How the Chrome trace is built. Tracks are numbered per host in order of first use (tid 1 is the
// host's "processes" track), so the same run gives the same bytes; thread_name metadata events
// name them after the connection. Perfetto's JSON importer binds a flow event to the slice open
// on its thread track at its timestamp and requires the complete slices of one track to nest,
// so:
// - a track's marks are complete slices at the distinct instants a packet left or reached that
//   track, each lasting k_mark_ns or up to the track's next instant, whichever is shorter (they
//   never overlap);
// - the packets themselves, which overlap freely under jitter, serialisation and reordering, are
//   async slices (one id each), which the importer lays out on as many rows as they need;
// - the events are written in time order, and at one instant marks come before the flows that
//   bind to them, and those before the instants that nest in them.
#include <simsock/tools/report/chrome_trace.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {
namespace {

// The longest a mark lasts (1 us), shorter when the track's next instant comes sooner.
constexpr std::int64_t k_mark_ns = 1000;
// Packets named in a mark's arguments; more are only counted.
constexpr std::size_t k_mark_listed = 16;

std::string micros(std::int64_t ns) {
  std::string s = std::to_string(ns / 1000);
  std::int64_t frac = ns % 1000;
  if (frac != 0) {
    std::string f = std::to_string(1000 + frac).substr(1);
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

std::string packet_name(std::uint32_t f, std::int64_t len) {
  if (!(f & k_tcp)) return "udp";
  if (f & k_rst) return "RST";
  if (f & k_syn) return f & k_ack ? "SYN-ACK" : "SYN";
  if (f & k_fin) return "FIN";
  if (len > 0) return f & k_retransmit ? "data (retransmit)" : "data";
  return "ACK";
}

std::string decisions(std::uint32_t f, const std::string& reason) {
  std::string d;
  auto add = [&](const std::string& s) { d += (d.empty() ? "" : ", ") + s; };
  if (f & k_retransmit) add("retransmission");
  if (f & k_duplicate) add("duplicate copy");
  if (f & k_reordered) add("reordered");
  if (f & k_delayed) add("delayed beyond latency");
  if (f & k_held) add("held by a clog");
  if (f & k_dropped) add("dropped: " + reason);
  return d;
}

// What happened on one track at one instant.
struct Mark {
  int lane = 0, tid = 0;
  std::int64_t t = 0, dur = 0;
  std::vector<std::size_t> sent, arrived;  // packet numbers (1-based item order of packets)
};

// One event of the file, written in (ts, order, position) order.
struct Event {
  enum Order { mark, flow, begin, end, instant };
  enum What { mark_slice, flow_start, flow_end, packet_begin, packet_end, drop, item };
  std::int64_t ts;
  Order order;
  What what;
  std::size_t index;  // into marks, packets or the timeline's items
};

class Writer {
 public:
  Writer(std::ostream& out, const Timeline& tl) : out_(out), tl_(tl) {}

  void event(const std::string& body) {
    out_ << (first_ ? "\n" : ",\n") << '{' << body << '}';
    first_ = false;
  }
  // The track of `conn` on host `lane`, declared on first use.
  int track(int lane, int conn) {
    auto& tracks = tracks_[lane];
    if (auto it = tracks.find(conn); it != tracks.end()) return it->second;
    int tid = static_cast<int>(tracks.size()) + 2;
    tracks.emplace(conn, tid);
    event("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + std::to_string(lane + 1) +
          ",\"tid\":" + std::to_string(tid) +
          ",\"args\":{\"name\":" + json_string(tl_.string(conn)) + "}");
    return tid;
  }

 private:
  std::ostream& out_;
  const Timeline& tl_;
  bool first_ = true;
  std::map<int, std::map<int, int>> tracks_;
};

// A packet as the trace shows it.
struct Packet {
  std::size_t item;
  int tid = 0, to_tid = -1;  // to_tid: the receiver's track, -1 when it never arrived
  std::uint64_t id = 0;
};

std::string short_label(const Timeline::Item& it, std::uint64_t id) {
  std::string s = packet_name(it.flags, it.len);
  if (it.seq >= 0) s += " seq " + std::to_string(it.seq);
  if (it.len > 0) s += " len " + std::to_string(it.len);
  return s + " #" + std::to_string(id);
}

std::string mark_part(const char* verb, const std::vector<std::size_t>& ps,
                      const std::vector<Packet>& packets, const Timeline& tl) {
  if (ps.empty()) return "";
  const auto& first = tl.items()[packets[ps.front() - 1].item];
  return std::string(verb) + " " +
         (ps.size() == 1 ? packet_name(first.flags, first.len)
                         : std::to_string(ps.size()) + " packets");
}

std::string mark_list(const std::vector<std::size_t>& ps, const std::vector<Packet>& packets,
                      const Timeline& tl) {
  std::string s;
  for (std::size_t i = 0; i < ps.size() && i < k_mark_listed; ++i) {
    const Packet& p = packets[ps[i] - 1];
    s += (i ? ", " : "") + short_label(tl.items()[p.item], p.id);
  }
  if (ps.size() > k_mark_listed) s += ", ... (" + std::to_string(ps.size()) + " in all)";
  return json_string(s);
}

}  // namespace

void write_chrome_trace(std::ostream& out, const Timeline& tl, const ReportHeader& h) {
  out << "{\"displayTimeUnit\":\"ns\",\"metadata\":{\"scenario\":" << json_string(h.title)
      << ",\"file\":" << json_string(h.file) << ",\"seed\":\"" << h.seed
      << "\",\"passed\":" << (h.passed ? "true" : "false")
      << ",\"replay\":" << json_string(h.replay) << ",\"trace_digest\":" << json_string(h.digest)
      << ",\"summarised\":" << tl.summarised() << "},\"traceEvents\":[";
  Writer w(out, tl);
  const auto& lanes = tl.lanes();
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const std::string pid = std::to_string(i + 1);
    w.event("\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + pid +
            ",\"tid\":1,\"args\":{\"name\":" + json_string(lanes[i]) + "}");
    w.event("\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":" + pid +
            ",\"tid\":1,\"args\":{\"sort_index\":" + std::to_string(i) + "}");
    w.event("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + pid +
            ",\"tid\":1,\"args\":{\"name\":\"processes\"}");
  }

  // Packets, their tracks and the marks on each track.
  const auto& items = tl.items();
  std::vector<Packet> packets;
  std::vector<Event> events;
  std::map<std::pair<int, int>, std::map<std::int64_t, Mark>> track_marks;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& it = items[i];
    if (it.kind == 1) {
      events.push_back({it.t, Event::instant, Event::item, i});
      continue;
    }
    if (it.from < 0) continue;  // a packet from an address no host has (never in a scenario)
    Packet p{i, w.track(it.from, it.conn), -1, packets.size() + 1};
    Mark& sent = track_marks[{it.from, p.tid}][it.t];
    sent.sent.push_back(p.id);
    if (!(it.flags & k_dropped) && it.end >= 0 && it.to >= 0) {
      p.to_tid = w.track(it.to, it.conn);
      track_marks[{it.to, p.to_tid}][it.end].arrived.push_back(p.id);
      events.push_back({it.t, Event::flow, Event::flow_start, packets.size()});
      events.push_back({it.end, Event::flow, Event::flow_end, packets.size()});
    }
    events.push_back({it.t, Event::begin, Event::packet_begin, packets.size()});
    events.push_back({std::max(it.end, it.t), Event::end, Event::packet_end, packets.size()});
    if (it.flags & k_dropped)
      events.push_back({it.end, Event::instant, Event::drop, packets.size()});
    packets.push_back(p);
  }
  std::vector<Mark> marks;
  for (auto& [track, by_time] : track_marks) {
    for (auto at = by_time.begin(); at != by_time.end(); ++at) {
      Mark m = std::move(at->second);
      m.lane = track.first;
      m.tid = track.second;
      m.t = at->first;
      auto next = std::next(at);
      m.dur = next == by_time.end() ? k_mark_ns : std::min(k_mark_ns, next->first - at->first);
      events.push_back({m.t, Event::mark, Event::mark_slice, marks.size()});
      marks.push_back(std::move(m));
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.order < b.order;
  });

  for (const Event& e : events) {
    const std::string ts = micros(e.ts);
    if (e.what == Event::mark_slice) {
      const Mark& m = marks[e.index];
      std::string name = mark_part("arrive", m.arrived, packets, tl);
      const std::string send = mark_part("send", m.sent, packets, tl);
      name += (name.empty() || send.empty() ? "" : ", ") + send;
      std::string args;
      if (!m.arrived.empty()) args += "\"arrived\":" + mark_list(m.arrived, packets, tl);
      if (!m.sent.empty())
        args += std::string(args.empty() ? "" : ",") + "\"sent\":" + mark_list(m.sent, packets, tl);
      w.event("\"ph\":\"X\",\"name\":" + json_string(name) + ",\"cat\":\"mark\",\"ts\":" + ts +
              ",\"dur\":" + micros(m.dur) + ",\"pid\":" + std::to_string(m.lane + 1) +
              ",\"tid\":" + std::to_string(m.tid) + ",\"args\":{" + args + "}");
      continue;
    }
    if (e.what == Event::item) {
      const auto& it = items[e.index];
      const std::string& kind = tl.string(it.label);
      std::string args = "\"args\":{\"detail\":" + json_string(tl.string(it.detail));
      if (it.src >= 0) args += ",\"src\":" + json_string(tl.string(it.src));
      if (it.dst >= 0) args += ",\"dst\":" + json_string(tl.string(it.dst));
      if (it.reason >= 0) args += ",\"reason\":" + json_string(tl.string(it.reason));
      args += "}";
      std::string name = kind == "fault"  ? "fault: " + tl.string(it.detail)
                         : it.reason >= 0 ? "drop: " + tl.string(it.reason)
                                          : kind + " " + tl.string(it.detail);
      const std::string scope = it.from < 0 ? "\"s\":\"g\"" : "\"s\":\"t\"";
      w.event("\"ph\":\"i\"," + scope + ",\"name\":" + json_string(name) +
              ",\"cat\":" + json_string(kind) + ",\"ts\":" + ts +
              ",\"pid\":" + std::to_string(it.from < 0 ? 1 : it.from + 1) + ",\"tid\":1," + args);
      continue;
    }
    const Packet& p = packets[e.index];
    const auto& it = items[p.item];
    const std::string pid = std::to_string(it.from + 1), tid = std::to_string(p.tid);
    const std::string name = json_string(packet_name(it.flags, it.len));
    const std::string id = std::to_string(p.id);
    switch (e.what) {
      case Event::flow_start:
        w.event("\"ph\":\"s\",\"name\":" + name + ",\"cat\":\"packet\",\"id\":" + id +
                ",\"ts\":" + ts + ",\"pid\":" + pid + ",\"tid\":" + tid);
        break;
      case Event::flow_end:
        w.event("\"ph\":\"f\",\"bp\":\"e\",\"name\":" + name + ",\"cat\":\"packet\",\"id\":" + id +
                ",\"ts\":" + ts + ",\"pid\":" + std::to_string(it.to + 1) +
                ",\"tid\":" + std::to_string(p.to_tid));
        break;
      case Event::packet_begin:
      case Event::drop: {
        std::string args =
            "\"args\":{\"packet\":" + id + ",\"src\":" + json_string(tl.string(it.src)) +
            ",\"dst\":" + json_string(tl.string(it.dst)) + ",\"len\":" + std::to_string(it.len);
        if (it.seq >= 0) args += ",\"seq\":" + std::to_string(it.seq);
        const std::string d = decisions(it.flags, tl.string(it.reason));
        if (!d.empty()) args += ",\"decisions\":" + json_string(d);
        args += "}";
        if (e.what == Event::drop) {
          w.event("\"ph\":\"i\",\"s\":\"t\",\"name\":" +
                  json_string("drop: " + tl.string(it.reason)) + ",\"cat\":\"drop\",\"ts\":" + ts +
                  ",\"pid\":" + pid + ",\"tid\":" + tid + "," + args);
        } else {
          w.event("\"ph\":\"b\",\"name\":" + name + ",\"cat\":\"packet\",\"id\":" + id +
                  ",\"ts\":" + ts + ",\"pid\":" + pid + ",\"tid\":" + tid + "," + args);
        }
        break;
      }
      case Event::packet_end:
        w.event("\"ph\":\"e\",\"name\":" + name + ",\"cat\":\"packet\",\"id\":" + id +
                ",\"ts\":" + ts + ",\"pid\":" + pid + ",\"tid\":" + tid);
        break;
      default:
        break;
    }
  }
  out << "\n]}\n";
}

}  // namespace simsock::report
