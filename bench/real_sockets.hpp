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

}  // namespace simsock::bench
