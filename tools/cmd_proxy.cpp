// simsock proxy: real-socket proxies through the simulator's link model, from the command line
// (--listen, --to, --link) or from a proxy file. Exit status: 0 stopped by SIGINT/SIGTERM or at
// the file's duration, 2 bad arguments, link or file, or nothing to listen on, 3 the trace could
// not be written.
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include <simsock/net/units.hpp>
#include <simsock/sim/trace_writer.hpp>
#include <simsock/tools/commands.hpp>
#include <simsock/tools/outputs.hpp>
#include <simsock/tools/proxy/proxy_file.hpp>
#include <simsock/tools/proxy/proxy_runner.hpp>
#include <simsock/tools/scenario/link_text.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace simsock::cli {
namespace {

struct ProxyOptions {
  std::string file, listen, to, link, seed_text, trace_path, control, name = "server", gap,
                                                                      duration;
  bool udp = false;
  CLI::App* sub = nullptr;
};

std::optional<std::chrono::nanoseconds> duration_option(const std::string& option,
                                                        const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = net::parse_duration(text);
  if (!d || *d < std::chrono::nanoseconds(0)) {
    throw UsageError(option + ": '" + text + "' is not a duration (e.g. 200us, 30s)");
  }
  return d;
}

// The proxies to run: the file's, or the one the options describe.
std::optional<proxy::ProxyFile> proxies_from(const ProxyOptions& o) {
  // Given, even as "": an empty --link is an error (as in a scenario file), not "no link".
  const bool link_given = o.sub->count("--link") > 0;
  const bool inline_given = !o.listen.empty() || !o.to.empty() || link_given || o.udp ||
                            o.sub->count("--name") || !o.gap.empty();
  if (!o.file.empty()) {
    if (inline_given) {
      throw UsageError(
          "give either a proxy file or --listen/--to/--udp/--link/--name/"
          "--segment-gap, not both");
    }
    try {
      return proxy::load_proxy_file(o.file);
    } catch (const scenario::ScenarioError& e) {
      std::cerr << e.what() << "\n";
      return std::nullopt;
    }
  }
  if (o.listen.empty() || o.to.empty()) {
    throw UsageError("give --listen ADDR:PORT and --to HOST:PORT, or a proxy file");
  }
  proxy::ProxyFile pf;
  pf.file = "(command line)";
  proxy::ProxySpec spec;
  if (!proxy::parse_listen(o.listen, spec)) {
    throw UsageError("--listen: '" + o.listen +
                     "' is not ADDR:PORT with a literal address (e.g. 127.0.0.1:9000 or "
                     "[::1]:9000)");
  }
  if (!proxy::parse_target(o.to, spec)) {
    throw UsageError("--to: '" + o.to +
                     "' is not HOST:PORT with a port in 1..65535 (e.g. 127.0.0.1:21567)");
  }
  spec.udp = o.udp;
  spec.name = o.name;
  if (spec.name.empty() || spec.name.size() > 64 ||
      spec.name.find_first_of(" \t\r\n") != std::string::npos) {
    throw UsageError("--name: '" + o.name + "' is not a name (1 to 64 characters, no spaces)");
  }
  if (auto g = duration_option("--segment-gap", o.gap)) spec.segment_gap = *g;
  if (link_given) {
    try {
      spec.link = scenario::load_link(o.link, "--link");
    } catch (const scenario::ScenarioError& e) {
      std::cerr << e.what() << "\n";
      return std::nullopt;
    }
  }
  pf.proxies.push_back(spec);
  return pf;
}

int run_proxy(const ProxyOptions& o) {
  auto pf = proxies_from(o);
  if (!pf) return k_exit_usage;
  if (!o.seed_text.empty()) {
    auto seed = net::parse_uint(o.seed_text);
    if (!seed) {
      throw UsageError("--seed: '" + o.seed_text +
                       "' is not a seed (an integer in 0..18446744073709551615)");
    }
    pf->seed = *seed;
  }
  if (auto d = duration_option("--duration", o.duration)) {
    if (*d <= std::chrono::nanoseconds(0)) throw UsageError("--duration: must be positive");
    pf->duration = *d;
  }
  check_distinct_outputs(o.file, {{"--trace", o.trace_path}});
  std::ofstream trace_file;
  std::unique_ptr<sim::JsonLinesTraceWriter> trace;
  if (!o.trace_path.empty()) {
    open_output(trace_file, o.trace_path, "trace file");
    trace = std::make_unique<sim::JsonLinesTraceWriter>(trace_file);
  }
  auto end = proxy::run_proxies(*pf, {trace.get(), o.control}, std::cerr);
  if (trace) check_written(trace_file, "trace file '" + o.trace_path + "'");
  return end == proxy::RunEnd::setup_failed ? k_exit_usage : k_exit_ok;
}

}  // namespace

Action add_proxy_command(CLI::App& root) {
  auto o = std::make_shared<ProxyOptions>();
  auto* sub = root.add_subcommand(
      "proxy",
      "Forward real TCP or UDP traffic through a simulated link (seeded segment sizes, loss, "
      "delays, faults) until SIGINT/SIGTERM");
  o->sub = sub;
  sub->add_option("FILE", o->file, "a proxy file: several proxies and a fault timeline");
  sub->add_option("--listen", o->listen, "where to listen, ADDR:PORT ([::1]:9000 for IPv6)");
  sub->add_option("--to", o->to, "where to forward, HOST:PORT");
  sub->add_flag("--udp", o->udp, "forward UDP datagrams (default TCP)");
  sub->add_option("--link", o->link,
                  "the link, in the scenario files' syntax: \"{latency: 20ms, tcp: {segment: "
                  "{min: 1, max: 3}}}\" (default: forward as read, no delay)");
  sub->add_option("--seed", o->seed_text, "the seed of every random decision (default 1)");
  sub->add_option("--trace", o->trace_path, "write the decisions as JSON Lines to FILE");
  sub->add_option("--control", o->control,
                  "serve the control protocol on a Unix socket at PATH, or on stdin with -");
  sub->add_option("--name", o->name, "the proxy's name (default server)");
  sub->add_option(
      "--segment-gap", o->gap,
      "least time between TCP segments on links cutting below 1460 bytes (default 1ms)");
  sub->add_option("--duration", o->duration, "stop after DURATION (default: at SIGINT/SIGTERM)");
  return [o] { return run_proxy(*o); };
}

}  // namespace simsock::cli
