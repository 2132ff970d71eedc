// The UDP model.
//
// One send is one datagram is at most one receive: boundaries are never merged or split. Per
// datagram the path applies, in order: partition (drop) -> clog (hold) -> loss (Bernoulli or
// Gilbert-Elliott, drawn per IP fragment when payload + 28 > MTU; the datagram is lost if any
// fragment is) -> bandwidth queue (drop when full) -> reorder (hold for reorder_delay) ->
// latency + jitter -> duplicate (a second copy with its own jitter).
// At the receiver: host down, no socket on the port ("no_listener") or a full receive queue
// (256 KiB of payload, "overflow") drop it. A receive buffer shorter than the datagram truncates
// it and reports the full size.
// Simplified: no ICMP (a send to a closed port succeeds and the datagram is dropped), no
// checksum corruption, fragments are not reassembled individually (one arrival per datagram).
// Accounting: udp.sent + udp.duplicated == udp.delivered + udp.dropped once nothing is in flight.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "net/network.hpp"
#include "sim/host.hpp"

namespace simsock::sim {

class Path;

inline constexpr std::size_t k_udp_max_payload = 65507;
inline constexpr std::size_t k_udp_receive_queue_bytes = 256 * 1024;

// An IPv4 endpoint in 6 bytes, as it travels inside events.
struct WireEndpoint {
  std::uint32_t addr = 0;
  std::uint16_t port = 0;
  net::Endpoint to_endpoint() const { return {asio::ip::address_v4(addr), port}; }
};

class SimUdpSocket final : public net::UdpSocket, public SimObject {
 public:
  SimUdpSocket(SimNetwork& net, const net::Endpoint& local) : SimObject(net), local_(local) {}
  ~SimUdpSocket() override;

  executor_type get_executor() override { return home().get_executor(); }
  net::Endpoint local_endpoint() const override { return local_; }
  void close() override;
  void cancel() override;
  void vanish(std::vector<Task>& grave, Vanish how) override;

  void set_local(const net::Endpoint& e) { local_ = e; }
  // A datagram arrives (from the world loop). Returns false when the queue overflowed.
  bool deliver(std::vector<std::uint8_t>&& data, WireEndpoint from);

 private:
  using SendHandler = asio::any_completion_handler<void(net::error_code, std::size_t)>;
  using RecvHandler = asio::any_completion_handler<void(net::error_code, net::Datagram)>;
  struct Queued {
    std::vector<std::uint8_t> data;
    WireEndpoint from;
  };

  void send_to_impl(asio::const_buffer buffer, const net::Endpoint& to, SendHandler h) override;
  void receive_from_impl(asio::mutable_buffer buffer, RecvHandler h) override;
  net::Datagram copy_out(const std::vector<std::uint8_t>& data, WireEndpoint from,
                         asio::mutable_buffer into);

  net::Endpoint local_;
  bool closed_ = false;
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  std::optional<RecvHandler> receiver_;
  asio::mutable_buffer receive_buffer_;
  // The path of the last send (paths live as long as the world): most sockets send to one peer.
  const HostImpl* last_to_ = nullptr;
  Path* last_path_ = nullptr;
};

std::unique_ptr<net::UdpSocket> make_udp_socket(SimNetwork& net, const net::Endpoint& at,
                                                net::error_code& ec);

}  // namespace simsock::sim
