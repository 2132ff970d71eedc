// Google Benchmark micro-benchmarks. The sim-side ones (event queue, RNG, segmenting, one UDP
// datagram and one TCP segment end to end) are in sim_micro_bench.cpp, built once the simulator
// library exists.
#include <benchmark/benchmark.h>

#include "bench/bare_loop.hpp"
#include "bench/real_sockets.hpp"

namespace sb = simsock::bench;

// The W5 baseline per event, at several heap sizes (events pending at once).
static void BM_BareEventLoop(benchmark::State& state) {
  auto in_flight = static_cast<std::uint32_t>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    auto r = sb::run_bare_loop(10'000, in_flight);
    benchmark::DoNotOptimize(r.checksum);
    events += r.events;
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BareEventLoop)->Arg(2)->Arg(1000)->Arg(100000);

// W6 per round trip / per byte, through net/ (arg 0) and raw Asio (arg 1).
static void BM_TcpEchoRoundTrip(benchmark::State& state) {
  auto b = state.range(0) == 0 ? sb::Backend::net : sb::Backend::asio;
  std::uint64_t done = 0;
  for (auto _ : state) done += sb::tcp_echo(b, 100, 64).done;
  state.counters["round_trips_per_s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TcpEchoRoundTrip)->ArgName("asio")->Arg(0)->Arg(1)->UseRealTime();

static void BM_UdpEchoRoundTrip(benchmark::State& state) {
  auto b = state.range(0) == 0 ? sb::Backend::net : sb::Backend::asio;
  std::uint64_t done = 0;
  for (auto _ : state) done += sb::udp_echo(b, 100, 64).done;
  state.counters["round_trips_per_s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_UdpEchoRoundTrip)->ArgName("asio")->Arg(0)->Arg(1)->UseRealTime();

static void BM_TcpBulk(benchmark::State& state) {
  auto b = state.range(0) == 0 ? sb::Backend::net : sb::Backend::asio;
  std::uint64_t bytes = 0;
  for (auto _ : state) bytes += sb::tcp_bulk(b, 4 << 20, 65536).done;
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_TcpBulk)->ArgName("asio")->Arg(0)->Arg(1)->UseRealTime();

BENCHMARK_MAIN();
