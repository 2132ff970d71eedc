// One trace sink and one packet sink that pass everything to several others, in the order they
// were added: how `simsock run` feeds --trace, --pcap, --pcapng, --html and --chrome-trace from
// one run.
#pragma once

#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::cli {

class SinkFanout final : public sim::TraceSink, public sim::PacketSink {
 public:
  // Null pointers are ignored; the sinks are not owned and must outlive the run.
  void add_trace(sim::TraceSink* s) {
    if (s) traces_.push_back(s);
  }
  void add_packets(sim::PacketSink* s) {
    if (s) packets_.push_back(s);
  }
  // Null when nothing was added, so the world does no work for an absent output.
  sim::TraceSink* trace() { return traces_.empty() ? nullptr : this; }
  sim::PacketSink* packets() { return packets_.empty() ? nullptr : this; }

  void on_event(const sim::TraceEvent& e) override {
    for (auto* s : traces_) s->on_event(e);
  }
  void on_packet(const sim::PacketRecord& p) override {
    for (auto* s : packets_) s->on_packet(p);
  }
  void on_passage(const sim::PacketPassage& d) override {
    for (auto* s : packets_) s->on_passage(d);
  }

 private:
  std::vector<sim::TraceSink*> traces_;
  std::vector<sim::PacketSink*> packets_;
};

}  // namespace simsock::cli
