// simsock-bench: the whole-process workloads of docs/performance.md, one per subcommand, each
// printing one JSON line (bench/report.hpp). bench/run calls it many times and aggregates.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <stdexcept>
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

  // W6: each workload through one backend (--backend net|asio), or through both in one process
  // (--backend both): --pieces alternating pieces of the workload, and one line with net/'s
  // figures and Asio's beside them (asio_rate, ratio = net/'s rate over Asio's).
  std::string backend = "net";
  std::uint64_t round_trips = 100'000;
  std::size_t size = 64;
  std::uint64_t pieces = 16;
  auto add_backend_options = [&](CLI::App* sub) {
    sub->add_option("--backend", backend,
                    "net (through net/), asio (raw Boost.Asio) or both (alternating pieces)")
        ->capture_default_str();
    sub->add_option("--pieces", pieces, "with --backend both: pieces per backend")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  };
  // Prints one backend's result, or both (net/'s as the line's figures).
  auto report = [&](const std::string& workload, const std::string& unit, std::uint64_t amount,
                    auto run_one) {
    if (backend != "both") {
      auto r = run_one(sb::parse_backend(backend), amount);
      sb::print_result(workload + "-" + backend, r.wall_seconds, static_cast<double>(r.done), unit);
      return;
    }
    if (amount < pieces) {
      throw std::invalid_argument("--backend both: the amount (" + std::to_string(amount) +
                                  ") must be at least --pieces (" + std::to_string(pieces) + ")");
    }
    auto r = sb::run_paired(amount, pieces, run_one);
    const double net_rate = static_cast<double>(r.net.done) / r.net.wall_seconds;
    const double asio_rate = static_cast<double>(r.asio.done) / r.asio.wall_seconds;
    sb::print_result(workload + "-paired", r.net.wall_seconds, static_cast<double>(r.net.done),
                     unit,
                     {{"pieces", pieces},
                      {"asio_wall_s", r.asio.wall_seconds},
                      {"asio_amount", r.asio.done},
                      {"asio_rate", asio_rate},
                      {"ratio", net_rate / asio_rate}});
  };
  auto* tcp_echo = app.add_subcommand("tcp-echo", "W6: TCP echo round trips over loopback");
  auto* udp_echo = app.add_subcommand("udp-echo", "W6: UDP echo round trips over loopback");
  for (auto* sub : {tcp_echo, udp_echo}) {
    add_backend_options(sub);
    sub->add_option("--round-trips", round_trips)->capture_default_str();
    sub->add_option("--size", size, "bytes per message")->capture_default_str();
  }
  tcp_echo->callback([&] {
    report("tcp-echo", "round_trips", round_trips,
           [&](sb::Backend b, std::uint64_t n) { return sb::tcp_echo(b, n, size); });
  });
  udp_echo->callback([&] {
    report("udp-echo", "round_trips", round_trips,
           [&](sb::Backend b, std::uint64_t n) { return sb::udp_echo(b, n, size); });
  });

  std::uint64_t bytes = 1ull << 30;
  std::size_t chunk = 65536;
  auto* tcp_bulk = app.add_subcommand("tcp-bulk", "W6: bulk TCP transfer over loopback");
  add_backend_options(tcp_bulk);
  tcp_bulk->add_option("--bytes", bytes)->capture_default_str();
  tcp_bulk->add_option("--chunk", chunk, "bytes per write")->capture_default_str();
  tcp_bulk->callback([&] {
    report("tcp-bulk", "bytes", bytes,
           [&](sb::Backend b, std::uint64_t n) { return sb::tcp_bulk(b, n, chunk); });
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
