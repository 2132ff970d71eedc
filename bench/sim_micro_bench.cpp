// Simulator micro-benchmarks: the event queue, the RNG, TCP segmenting, and one UDP datagram and
// one TCP segment end to end through the public API (a world, two hosts, net::Network).
#include <benchmark/benchmark.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

#include <simsock/sim/event_queue.hpp>
#include <simsock/sim/rng.hpp>
#include <simsock/sim/world.hpp>

namespace {

namespace asio = boost::asio;
using simsock::net::Endpoint;
using simsock::net::error_code;

// Push one event and pop the earliest, with `state.range(0)` events pending (the steady state of
// a simulation with that many things in flight).
void BM_EventQueuePushPop(benchmark::State& state) {
  simsock::sim::EventQueue q;
  std::uint64_t ran = 0;
  std::int64_t t = 0;
  simsock::sim::Rng rng(1);
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    q.push(static_cast<std::int64_t>(rng.below(1'000'000)), [&ran] { ++ran; });
  }
  for (auto _ : state) {
    simsock::sim::Task task;
    q.pop(t, task);
    task();
    q.push(t + 1'000'000 + static_cast<std::int64_t>(rng.below(1000)), [&ran] { ++ran; });
  }
  benchmark::DoNotOptimize(ran);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueuePushPop)->Arg(2)->Arg(1000)->Arg(100000);

void BM_RngChance(benchmark::State& state) {
  simsock::sim::Rng rng(42, "bench");
  std::uint64_t hits = 0;
  for (auto _ : state) hits += rng.chance(0.01);
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngChance);

void BM_RngBetween(benchmark::State& state) {
  simsock::sim::Rng rng(42, "bench");
  std::uint64_t sum = 0;
  for (auto _ : state) sum += rng.between(536, 1460);
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngBetween);

// Two hosts 1 ms apart, no loss.
std::unique_ptr<simsock::sim::World> two_hosts() {
  auto w = std::make_unique<simsock::sim::World>(1);
  w->add_host("a", "10.0.0.1");
  w->add_host("b", "10.0.0.2");
  return w;
}

// One 64-byte datagram from a to b, sent and received, per iteration (one world run each).
void BM_UdpDatagramEndToEnd(benchmark::State& state) {
  auto w = two_hosts();
  error_code ec;
  auto tx = w->host("a").network().bind_udp({asio::ip::make_address("10.0.0.1"), 1000}, ec);
  auto rx = w->host("b").network().bind_udp({asio::ip::make_address("10.0.0.2"), 2000}, ec);
  if (!tx || !rx) return state.SkipWithError("bind failed");
  Endpoint to{asio::ip::make_address("10.0.0.2"), 2000};
  char out[64] = {}, in[64];
  std::uint64_t received = 0;
  for (auto _ : state) {
    tx->async_send_to(asio::buffer(out), to, [](error_code, std::size_t) {});
    rx->async_receive_from(asio::buffer(in), [&](error_code e, simsock::net::Datagram) {
      if (!e) ++received;
    });
    w->run();
  }
  if (received != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("datagrams were lost");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UdpDatagramEndToEnd);

// A connected pair a -> b.
struct TcpPair {
  std::unique_ptr<simsock::sim::World> world = two_hosts();
  std::unique_ptr<simsock::net::TcpListener> listener;
  std::unique_ptr<simsock::net::TcpStream> client, server;
  TcpPair() {
    error_code ec;
    listener = world->host("b").network().listen({asio::ip::make_address("0.0.0.0"), 80}, ec);
    if (!listener) return;
    listener->async_accept(
        [this](error_code, std::unique_ptr<simsock::net::TcpStream> s) { server = std::move(s); });
    world->host("a").network().async_connect(
        {asio::ip::make_address("10.0.0.2"), 80},
        [this](error_code, std::unique_ptr<simsock::net::TcpStream> s) { client = std::move(s); });
    world->run();
  }
  bool ok() const { return client && server; }
};

// Moves `len` bytes from client to server per iteration: `len` = 1460 is one MSS segment end to
// end; larger writes measure segmenting (a 64 KiB write becomes 45 segments plus their ACKs).
void BM_TcpWriteEndToEnd(benchmark::State& state) {
  TcpPair p;
  if (!p.ok()) return state.SkipWithError("connect failed");
  std::vector<char> out(static_cast<std::size_t>(state.range(0)), 'x'), in(out.size());
  std::uint64_t moved = 0;
  for (auto _ : state) {
    asio::async_write(*p.client, asio::buffer(out), [](error_code, std::size_t) {});
    asio::async_read(*p.server, asio::buffer(in), [&](error_code e, std::size_t n) {
      if (!e) moved += n;
    });
    p.world->run();
  }
  if (moved != out.size() * static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("bytes went missing");
  state.SetBytesProcessed(static_cast<std::int64_t>(moved));
}
BENCHMARK(BM_TcpWriteEndToEnd)->Arg(1460)->Arg(65536);

}  // namespace
