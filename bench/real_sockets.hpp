// W6: the real-socket backend's cost over hand-written Boost.Asio. Each workload exists twice, the
// same loop once through net::Network (make_asio_network) and once directly on Asio sockets, both
// as C++20 coroutines on one single-threaded io_context over loopback (client and server in the
// same thread, so every extra instruction in the layer is on the critical path twice).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace simsock::bench {

enum class Backend { net, asio };
// "net" or "asio"; throws std::invalid_argument otherwise.
Backend parse_backend(std::string_view name);

struct RealResult {
  double wall_seconds = 0;
  std::uint64_t done = 0;  // round trips completed, or payload bytes received
};

// TCP echo: one connection, `round_trips` times write `size` bytes and read them back.
RealResult tcp_echo(Backend b, std::uint64_t round_trips, std::size_t size);
// UDP echo: `round_trips` times send one `size`-byte datagram and receive the echo.
RealResult udp_echo(Backend b, std::uint64_t round_trips, std::size_t size);
// TCP bulk: write `bytes` in `chunk`-byte writes into a sink that reads until EOF.
RealResult tcp_bulk(Backend b, std::uint64_t bytes, std::size_t chunk);

// Both backends' figures for one workload, measured in one process as `pieces` alternating
// pieces of equal size, net/ first in even pieces and Asio first in odd ones: the machine's
// speed, which drifts by 10% and more from one second to the next on a shared machine, is the
// same for both sides of a pair at the scale of a piece, so their ratio shows the layer's cost
// instead of the drift. Each piece sets up afresh (sockets, connection), untimed as before.
struct PairedResult {
  RealResult net, asio;  // the sums over the pieces
};
// Runs `piece(backend, share)` `pieces` times for each backend in that order, the shares
// adding up to `amount` for each backend, and adds up the results. `amount` >= `pieces` >= 1.
template <typename Piece>
PairedResult run_paired(std::uint64_t amount, std::uint64_t pieces, Piece piece) {
  PairedResult r;
  auto add = [](RealResult& sum, const RealResult& one) {
    sum.wall_seconds += one.wall_seconds;
    sum.done += one.done;
  };
  for (std::uint64_t i = 0; i < pieces; ++i) {
    const Backend first = i % 2 == 0 ? Backend::net : Backend::asio;
    const Backend second = first == Backend::net ? Backend::asio : Backend::net;
    const std::uint64_t share = amount / pieces + (i < amount % pieces ? 1 : 0);
    for (Backend b : {first, second}) add(b == Backend::net ? r.net : r.asio, piece(b, share));
  }
  return r;
}

}  // namespace simsock::bench
