// simsock-bench: the whole-process workloads of docs/performance.md, one per subcommand, each
// printing one JSON line (bench/report.hpp). bench/run calls it many times and aggregates.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include "bench/bare_loop.hpp"
#include "bench/real_sockets.hpp"
#include "bench/report.hpp"
#ifdef SIMSOCK_BENCH_SIM
#include "bench/scenario_load.hpp"
#include "bench/sim_workloads.hpp"
#endif

namespace sb = simsock::bench;

int main(int argc, char** argv) {
  CLI::App app{"simsock benchmark workloads; each prints one JSON line"};
  app.require_subcommand(1);

  std::uint64_t loop_events = 10'000'000;
  std::uint32_t loop_in_flight = 2;
  auto* loop = app.add_subcommand("loop", "W5 baseline: bare binary-heap event loop, no network");
  loop->add_option("--events", loop_events, "events to run")->capture_default_str();
  loop->add_option("--in-flight", loop_in_flight, "events pending at all times")
      ->capture_default_str();
  loop->callback([&] {
    auto t0 = std::chrono::steady_clock::now();
    auto r = sb::run_bare_loop(loop_events, loop_in_flight);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sb::print_result("loop", wall, static_cast<double>(r.events), "events",
                     {{"in_flight", loop_in_flight}, {"checksum", r.checksum}});
  });

  std::string backend = "net";
  std::uint64_t round_trips = 100'000;
  std::size_t size = 64;
  auto* tcp_echo = app.add_subcommand("tcp-echo", "W6: TCP echo round trips over loopback");
  auto* udp_echo = app.add_subcommand("udp-echo", "W6: UDP echo round trips over loopback");
  for (auto* sub : {tcp_echo, udp_echo}) {
    sub->add_option("--backend", backend, "net (through net/) or asio (raw Boost.Asio)")
        ->capture_default_str();
    sub->add_option("--round-trips", round_trips)->capture_default_str();
    sub->add_option("--size", size, "bytes per message")->capture_default_str();
  }
  tcp_echo->callback([&] {
    auto r = sb::tcp_echo(sb::parse_backend(backend), round_trips, size);
    sb::print_result("tcp-echo-" + backend, r.wall_seconds, static_cast<double>(r.done),
                     "round_trips");
  });
  udp_echo->callback([&] {
    auto r = sb::udp_echo(sb::parse_backend(backend), round_trips, size);
    sb::print_result("udp-echo-" + backend, r.wall_seconds, static_cast<double>(r.done),
                     "round_trips");
  });

  std::uint64_t bytes = 1ull << 30;
  std::size_t chunk = 65536;
  auto* tcp_bulk = app.add_subcommand("tcp-bulk", "W6: bulk TCP transfer over loopback");
  tcp_bulk->add_option("--backend", backend, "net or asio")->capture_default_str();
  tcp_bulk->add_option("--bytes", bytes)->capture_default_str();
  tcp_bulk->add_option("--chunk", chunk, "bytes per write")->capture_default_str();
  tcp_bulk->callback([&] {
    auto r = sb::tcp_bulk(sb::parse_backend(backend), bytes, chunk);
    sb::print_result("tcp-bulk-" + backend, r.wall_seconds, static_cast<double>(r.done), "bytes");
  });

#ifdef SIMSOCK_BENCH_SIM
  sb::add_sim_workloads(app);
  sb::add_load_workload(app);
#endif

  // A workload that cannot run as asked (a bad option value, a failed run) throws: the message
  // goes to stderr and the exit status is 1, never an abort.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "simsock-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
