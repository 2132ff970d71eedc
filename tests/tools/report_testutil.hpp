// What the report tests share: a scenario of scenarios/ run in-process with a Timeline and a
// tally of what the world told its sinks, to compare the reports with.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <simsock/tools/report/html_report.hpp>
#include <simsock/tools/report/run_header.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/sink_fanout.hpp>

namespace simsock::report_test {

// The path of scenarios/NAME.yaml in the source tree.
inline std::string scenario_path(const std::string& name) {
  return std::string(SIMSOCK_SOURCE_DIR) + "/scenarios/" + name + ".yaml";
}

// Counts what the world told its sinks, to compare the reports with.
struct Tally final : sim::TraceSink, sim::PacketSink {
  std::map<std::string, std::uint64_t> kinds;
  std::map<std::string, std::uint64_t> drop_reasons;
  std::uint64_t packets = 0, pure_acks = 0, dropped = 0, delivered_bytes = 0;
  void on_event(const sim::TraceEvent& e) override {
    ++kinds[std::string(e.kind)];
    if (e.kind == "udp.deliver" || e.kind == "tcp.deliver") delivered_bytes += e.len;
    if (e.kind == "udp.drop" || e.kind == "tcp.drop") ++drop_reasons[std::string(e.reason)];
  }
  void on_packet(const sim::PacketRecord& p) override {
    ++packets;
    if (p.proto == sim::PacketRecord::Proto::tcp && p.payload_len == 0 && !p.syn && !p.fin &&
        !p.rst)
      ++pure_acks;
  }
  void on_passage(const sim::PacketPassage& d) override {
    if (d.verdict == sim::PacketPassage::Verdict::dropped) ++dropped;
  }
};

// One run: its scenario, result, timeline and tally.
struct Run {
  scenario::ScenarioSpec spec;
  scenario::RunResult result;
  std::unique_ptr<report::Timeline> timeline;
  Tally tally;
};

// Runs scenarios/NAME.yaml (or `text`, as NAME.yaml, when given) on its own seed with a Timeline
// keeping `max_items` in detail; `extra` and `extra_trace` see the run too.
inline std::unique_ptr<Run> run(const std::string& name,
                                std::size_t max_items = report::k_html_max_items,
                                sim::PacketSink* extra = nullptr,
                                sim::TraceSink* extra_trace = nullptr, std::string text = "") {
  auto r = std::make_unique<Run>();
  r->spec = text.empty() ? scenario::load_scenario_file(scenario_path(name))
                         : scenario::load_scenario_text(text, name + ".yaml");
  r->timeline = std::make_unique<report::Timeline>(report::lanes_for(r->spec), max_items);
  cli::SinkFanout sinks;
  sinks.add_trace(&r->tally);
  sinks.add_trace(r->timeline.get());
  sinks.add_trace(extra_trace);
  sinks.add_packets(&r->tally);
  sinks.add_packets(r->timeline.get());
  sinks.add_packets(extra);
  r->result = scenario::run_scenario(r->spec, r->spec.seed, {sinks.trace(), sinks.packets()});
  return r;
}

}  // namespace simsock::report_test
