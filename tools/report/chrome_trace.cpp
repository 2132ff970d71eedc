// How the Chrome trace is built: one pass over the timeline's items. Tracks are numbered per host
// in order of first use (tid 1 is the host's "processes" track), so the same run gives the same
// bytes; thread_name metadata events name them after the connection.
#include <simsock/tools/report/chrome_trace.hpp>

#include <map>
#include <ostream>
#include <string>

#include <simsock/tools/report/html_report.hpp>

namespace simsock::report {
namespace {

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
  std::uint64_t flow = 0;
  for (const auto& it : tl.items()) {
    const std::string ts = micros(it.t);
    if (it.kind == 1) {
      const std::string& kind = tl.string(it.label);
      std::string args = "\"args\":{\"detail\":" + json_string(tl.string(it.detail));
      if (it.src >= 0) args += ",\"src\":" + json_string(tl.string(it.src));
      if (it.dst >= 0) args += ",\"dst\":" + json_string(tl.string(it.dst));
      if (it.reason >= 0) args += ",\"reason\":" + json_string(tl.string(it.reason));
      args += "}";
      std::string name = kind == "fault"  ? "fault: " + tl.string(it.detail)
                         : it.reason >= 0 ? "drop: " + tl.string(it.reason)
                                          : kind + " " + tl.string(it.detail);
      if (it.from < 0) {
        w.event("\"ph\":\"i\",\"s\":\"g\",\"name\":" + json_string(name) +
                ",\"cat\":" + json_string(kind) + ",\"ts\":" + ts + ",\"pid\":1,\"tid\":1," + args);
      } else {
        w.event("\"ph\":\"i\",\"s\":\"t\",\"name\":" + json_string(name) +
                ",\"cat\":" + json_string(kind) + ",\"ts\":" + ts +
                ",\"pid\":" + std::to_string(it.from + 1) + ",\"tid\":1," + args);
      }
      continue;
    }
    if (it.from < 0) continue;  // a packet from an address no host has (never in a scenario)
    const int tid = w.track(it.from, it.conn);
    const std::string pid = std::to_string(it.from + 1);
    const std::int64_t end = it.end >= 0 ? it.end : it.t;
    const std::string name = packet_name(it.flags, it.len);
    std::string args = "\"args\":{\"src\":" + json_string(tl.string(it.src)) +
                       ",\"dst\":" + json_string(tl.string(it.dst)) +
                       ",\"len\":" + std::to_string(it.len);
    if (it.seq >= 0) args += ",\"seq\":" + std::to_string(it.seq);
    const std::string d = decisions(it.flags, tl.string(it.reason));
    if (!d.empty()) args += ",\"decisions\":" + json_string(d);
    args += "}";
    w.event("\"ph\":\"X\",\"name\":" + json_string(name) + ",\"cat\":\"packet\",\"ts\":" + ts +
            ",\"dur\":" + micros(end - it.t) + ",\"pid\":" + pid +
            ",\"tid\":" + std::to_string(tid) + "," + args);
    if (it.flags & k_dropped) {
      w.event("\"ph\":\"i\",\"s\":\"t\",\"name\":" + json_string("drop: " + tl.string(it.reason)) +
              ",\"cat\":\"drop\",\"ts\":" + micros(end) + ",\"pid\":" + pid +
              ",\"tid\":" + std::to_string(tid) + "," + args);
    } else if (it.end >= 0 && it.to >= 0) {
      const int to_tid = w.track(it.to, it.conn);
      const std::string id = std::to_string(++flow);
      w.event("\"ph\":\"s\",\"name\":" + json_string(name) + ",\"cat\":\"packet\",\"id\":" + id +
              ",\"ts\":" + ts + ",\"pid\":" + pid + ",\"tid\":" + std::to_string(tid));
      w.event("\"ph\":\"f\",\"bp\":\"e\",\"name\":" + json_string(name) +
              ",\"cat\":\"packet\",\"id\":" + id + ",\"ts\":" + micros(it.end) +
              ",\"pid\":" + std::to_string(it.to + 1) + ",\"tid\":" + std::to_string(to_tid));
    }
  }
  out << "\n]}\n";
}

}  // namespace simsock::report
