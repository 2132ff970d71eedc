// simsock run: load a scenario, run it for one seed and report. Exit status: 0 all expectations
// held, 1 some failed, 2 the scenario file or the arguments are invalid, 3 an output could not
// be written.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>

#include <simsock/net/units.hpp>
#include <simsock/sim/pcap_writer.hpp>
#include <simsock/sim/pcapng_writer.hpp>
#include <simsock/sim/trace_writer.hpp>
#include <simsock/tools/background_writer.hpp>
#include <simsock/tools/commands.hpp>
#include <simsock/tools/junit.hpp>
#include <simsock/tools/load.hpp>
#include <simsock/tools/outputs.hpp>
#include <simsock/tools/report/chrome_trace.hpp>
#include <simsock/tools/report/html_report.hpp>
#include <simsock/tools/report/run_header.hpp>
#include <simsock/tools/scenario/runner.hpp>
#include <simsock/tools/sink_fanout.hpp>

namespace simsock::cli {
namespace {

struct RunOptions {
  std::string file, seed_text, trace_path, pcap_path, pcapng_path, pcap_classic_path, html_path,
      chrome_path, junit_path, color = "auto";
  bool json = false, quiet = false, pcapng_omit_drops = false, perturb = false;
};

int run(RunOptions o) {
  // --pcap and --pcapng are two names of the pcapng capture; --pcap-classic is libpcap's format.
  if (!o.pcap_path.empty()) {
    if (!o.pcapng_path.empty()) {
      throw UsageError("--pcap '" + o.pcap_path + "' and --pcapng '" + o.pcapng_path +
                       "' both write the pcapng capture: give one of them");
    }
    o.pcapng_path = o.pcap_path;
  }
  std::optional<std::uint64_t> seed;
  if (!o.seed_text.empty()) {
    seed = net::parse_uint(o.seed_text);
    if (!seed) {
      throw UsageError("--seed: '" + o.seed_text +
                       "' is not a seed (an integer in 0..18446744073709551615)");
    }
  }
  check_distinct_outputs(o.file, {{"--trace", o.trace_path},
                                  {o.pcap_path.empty() ? "--pcapng" : "--pcap", o.pcapng_path},
                                  {"--pcap-classic", o.pcap_classic_path},
                                  {"--html", o.html_path},
                                  {"--chrome-trace", o.chrome_path},
                                  {"--junit", o.junit_path}});
  if (o.pcapng_omit_drops && o.pcapng_path.empty()) {
    throw UsageError("--pcapng-omit-drops needs --pcap FILE (or --pcapng FILE)");
  }
  auto loaded = load_scenario_or_report(o.file);
  if (!loaded) return k_exit_usage;
  if (o.perturb) loaded->perturb.order = true;
  const scenario::ScenarioSpec& spec = *loaded;
  if (!o.pcap_classic_path.empty()) check_pcap_time_range(spec.start_time, spec.duration);

  std::ofstream trace_file, junit_file, chrome_file, html_file;
  std::unique_ptr<BackgroundWriter> trace_thread;
  std::unique_ptr<sim::JsonLinesTraceWriter> trace;
  std::unique_ptr<sim::PcapWriter> pcap;
  std::unique_ptr<sim::PcapngWriter> pcapng;
  std::unique_ptr<report::Timeline> timeline, chrome_timeline;  // each with its own size bound
  if (!o.trace_path.empty()) {
    open_output(trace_file, o.trace_path, "trace file");
    // Lines leave the writer 64 KiB at a time (one stream write per line cost a long run 5%) and
    // reach the file on a thread of their own: the kernel's part of writing a long run's trace
    // (a fifth to a third of a traced run's time on 355 MB) then overlaps the simulation.
    trace_thread = std::make_unique<BackgroundWriter>(trace_file, 512 * 1024, 4);
    trace = std::make_unique<sim::JsonLinesTraceWriter>(trace_thread->stream(), 64 * 1024);
  }
  if (!o.pcap_classic_path.empty()) {
    try {
      pcap = std::make_unique<sim::PcapWriter>(o.pcap_classic_path, spec.start_time);
    } catch (const std::system_error& e) {
      throw OutputError(e.what());
    }
  }
  if (!o.pcapng_path.empty()) {
    try {
      pcapng = std::make_unique<sim::PcapngWriter>(o.pcapng_path, spec.start_time,
                                                   sim::PcapngOptions{!o.pcapng_omit_drops});
    } catch (const std::system_error& e) {
      throw OutputError(e.what());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--pcapng: ") + e.what());
    }
  }
  if (!o.chrome_path.empty()) open_output(chrome_file, o.chrome_path, "Chrome trace file");
  if (!o.html_path.empty()) open_output(html_file, o.html_path, "HTML report");
  if (!o.html_path.empty()) {
    timeline =
        std::make_unique<report::Timeline>(report::lanes_for(spec), report::k_html_max_items);
  }
  if (!o.chrome_path.empty()) {
    chrome_timeline =
        std::make_unique<report::Timeline>(report::lanes_for(spec), report::k_chrome_max_items);
  }
  if (!o.junit_path.empty()) open_output(junit_file, o.junit_path, "JUnit file");

  SinkFanout sinks;
  sinks.add_trace(trace.get());
  sinks.add_trace(pcapng.get());
  sinks.add_trace(timeline.get());
  sinks.add_trace(chrome_timeline.get());
  sinks.add_packets(pcap.get());
  sinks.add_packets(pcapng.get());
  sinks.add_packets(timeline.get());
  sinks.add_packets(chrome_timeline.get());
  auto result =
      scenario::run_scenario(spec, seed.value_or(spec.seed), {sinks.trace(), sinks.packets()});

  std::ostream& human = o.json ? std::cerr : std::cout;
  scenario::HumanStyle style;
  style.colour = use_colour(o.color, o.json ? STDERR_FILENO : STDOUT_FILENO);
  human << (o.quiet ? scenario::render_verdict(result, style)
                    : scenario::render_human(result, style));
  human.flush();
  if (o.json) std::cout << scenario::render_json(result) << "\n";

  // Every output is checked, the files before stdout, so the message names the first that
  // failed; a report that could not be written is never a success.
  if (trace) {
    trace->flush();
    trace_thread->finish();
    check_written(trace_file, "trace file '" + o.trace_path + "'");
  }
  if (pcap) {
    try {
      pcap->flush();
    } catch (const std::system_error& e) {
      throw OutputError(e.what());
    }
  }
  if (pcapng) {
    try {
      pcapng->flush();
    } catch (const std::system_error& e) {
      throw OutputError(e.what());
    }
  }
  if (html_file.is_open()) {
    html_file << report::render_html(*timeline, report::header_for(result));
    check_written(html_file, "HTML report '" + o.html_path + "'");
  }
  if (chrome_file.is_open()) {
    report::write_chrome_trace(chrome_file, *chrome_timeline, report::header_for(result));
    check_written(chrome_file, "Chrome trace file '" + o.chrome_path + "'");
  }
  if (junit_file.is_open()) {
    junit_file << render_junit_run(result);
    check_written(junit_file, "JUnit file '" + o.junit_path + "'");
  }
  check_written(std::cout, "standard output");
  return result.passed ? k_exit_ok : k_exit_failed;
}

}  // namespace

Action add_run_command(CLI::App& root) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = root.add_subcommand("run", "Run a scenario for one seed and check its expectations");
  sub->add_option("SCENARIO", o->file, "scenario file (YAML)")->required()->type_name("FILE");
  sub->add_option("--seed", o->seed_text, "seed (overrides the file's seed)")->type_name("N");
  sub->add_option("--trace", o->trace_path, "write every event as JSON Lines to FILE")
      ->type_name("FILE");
  sub->add_option("--pcap", o->pcap_path,
                  "write the simulated packets as pcapng: an interface per host, 64-bit "
                  "timestamps, the simulator's decisions as packet comments")
      ->type_name("FILE");
  sub->add_option("--pcapng", o->pcapng_path, "the same as --pcap")->type_name("FILE");
  sub->add_option("--pcap-classic", o->pcap_classic_path,
                  "write the simulated packets as a classic libpcap file (no comments; "
                  "timestamps up to 2106)")
      ->type_name("FILE");
  sub->add_flag("--pcapng-omit-drops", o->pcapng_omit_drops,
                "leave packets the network dropped out of --pcap (default: included, marked)");
  sub->add_option("--html", o->html_path,
                  "write a self-contained HTML timeline of the run (open it in a browser)")
      ->type_name("FILE");
  sub->add_option("--chrome-trace", o->chrome_path,
                  "write the run as Trace Event Format JSON (Perfetto, chrome://tracing)")
      ->type_name("FILE");
  sub->add_option("--junit", o->junit_path, "write a JUnit XML report (a testcase per expectation)")
      ->type_name("FILE");
  sub->add_flag("--json", o->json,
                "print the report as one JSON object on stdout (the human "
                "report goes to stderr)");
  sub->add_flag("-q,--quiet", o->quiet, "print only the verdict line");
  sub->add_flag("--perturb", o->perturb,
                "run same-instant events and ready handlers in an order drawn from the seed");
  add_color_option(*sub, o->color);
  sub->footer(
      "Exit status: 0 every expectation held, 1 some failed, 2 bad arguments or scenario file,\n"
      "3 an output could not be written, 4 internal error, 5 out of memory.");
  return [o] { return run(*o); };
}

}  // namespace simsock::cli
