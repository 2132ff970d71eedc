// The UDP model.
//
// One send is one datagram is at most one receive: boundaries are never merged or split. Per
// datagram the path applies, in order: partition (drop) -> clog (hold) -> loss (Bernoulli or
// Gilbert-Elliott, drawn per IP fragment when payload + 28 > MTU; the datagram is lost if any
// fragment is) -> bandwidth queue (drop when full) -> reorder (hold for reorder_delay) ->
// latency + jitter -> duplicate (a second copy with its own jitter).
// At the receiver: host down, no socket bound to the destination address and port
// ("no_listener"; a socket bound to that exact address wins over a 0.0.0.0 one) or a full receive
// queue ("overflow", Linux's RcvbufErrors) drop it. A receive buffer shorter than the datagram
// truncates it and reports the full size.
// The receive queue is charged as Linux charges it (net/ipv4/udp.c, __udp_enqueue_schedule_skb
// and udp_rmem_release), measured on Linux 6.18 x86_64 over loopback:
//  - each queued datagram costs udp_truesize(payload) bytes against a budget of
//    k_udp_receive_buffer = 212,992 B (net.core.rmem_default);
//  - a datagram is admitted when charged + truesize <= budget, or when nothing is charged (one
//    datagram larger than the budget still gets in); so 256 datagrams of 1..197 bytes fit.
//    Older kernels tested only charged <= budget and so took one datagram past it (257);
//  - reading does not refund at once: refunds gather until they reach a quarter of the budget
//    or the batch of datagrams the reader took over from the queue is used up (Linux's
//    forward_deficit and reader_queue), so a reader that just took one datagram from a full
//    queue leaves no room.
// Simplified: no ICMP (a send to a closed port succeeds and the datagram is dropped), no
// checksum corruption, fragments are not reassembled individually (one arrival per datagram),
// every datagram is charged its loopback truesize whatever path brought it (a NIC driver's
// receive buffers cost otherwise), and the budget is fixed (no SO_RCVBUF).
// Accounting: udp.sent + udp.duplicated == udp.delivered + udp.dropped once nothing is in flight.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <simsock/net/network.hpp>
#include <simsock/sim/host.hpp>
#include <simsock/sim/ip_address.hpp>

namespace simsock::sim {

class Path;

// The interface's largest datagram on both families (Linux takes 65,527 bytes over IPv6, whose
// length field does not count the 40-byte header; the real backend refuses them as well).
inline constexpr std::size_t k_udp_max_payload = 65507;
// Linux's net.core.rmem_default on x86_64: a socket's receive budget (SO_RCVBUF).
inline constexpr std::size_t k_udp_receive_buffer = 212'992;

// What Linux charges one received datagram of `payload` bytes (skb->truesize) when it is sent
// over loopback (ip_append_data; Linux 6.x, x86_64, SLUB). The sender builds one skb whose head
// holds IP + UDP headers, 16 bytes of link-layer room, 15 of alignment slack and the payload:
//   linear = payload + 59, used while linear < 16,064 (SKB_MAX_ALLOC: 4 pages minus the
//   320-byte skb_shared_info), that is payload <= 16,004; then
//     head = round_up(linear, 64) + 320, allocated from the 576-byte small-head cache when
//     head <= 576, else from the kmalloc size class at or above head (1024, 2048, ..., 16384);
//     truesize = allocation + 256 (the sk_buff itself).
//   Above 16,004 bytes the payload goes to page fragments: truesize = 832 + payload.
// Measured: 0..197 -> 832, 198..645 -> 1280, 646..1669 -> 2304, 1670..3717 -> 4352,
// 3718..7813 -> 8448, 7814..16004 -> 16640, 16005 -> 16837, 65507 -> 66339.
// Over IPv6 (`v6`) the head holds 13 bytes more (a 40-byte IPv6 header, with its alignment):
// linear = payload + 72. Measured on ::1: 0..184 -> 832, 185..632 -> 1280, 633..1656 -> 2304,
// 1657..3704 -> 4352, 3705..7800 -> 8448.
constexpr std::size_t udp_truesize(std::size_t payload, bool v6 = false) {
  const std::size_t linear = payload + (v6 ? 72 : 59);
  if (linear >= 16'064) return linear + 773;  // 832 + payload over IPv4
  const std::size_t head = ((linear + 63) & ~std::size_t{63}) + 320;
  if (head <= 576) return 576 + 256;
  std::size_t alloc = 1024;
  while (alloc < head) alloc *= 2;
  return alloc + 256;
}

class SimUdpSocket final : public net::UdpSocket, public SimObject {
 public:
  SimUdpSocket(SimNetwork& net, const net::Endpoint& local)
      : SimObject(net), local_(local), local_ip_(IpAddress::from(local.address)) {}
  ~SimUdpSocket() override;

  executor_type get_executor() override { return home().get_executor(); }
  net::Endpoint local_endpoint() const override { return local_; }
  void close() override;
  void cancel() override;
  void vanish(std::vector<Task>& grave, Vanish how) override;

  void set_local(const net::Endpoint& e) {
    local_ = e;
    local_ip_ = IpAddress::from(e.address);
  }
  // A datagram arrives (from the world loop). Returns false when the queue overflowed.
  bool deliver(std::vector<std::uint8_t>&& data, WireEndpoint from);

 private:
  using SendHandler = net::detail::QueueCompletion<void(net::error_code, std::size_t)>;
  using RecvHandler = net::detail::QueueCompletion<void(net::error_code, net::Datagram)>;
  struct Queued {
    std::vector<std::uint8_t> data;
    WireEndpoint from;
    bool v6 = false;  // it came over IPv6 (charged as udp_truesize says)
  };

  void send_to_impl(asio::const_buffer buffer, const net::Endpoint& to,
                    asio::any_completion_handler<void(net::error_code, std::size_t)> h) override;
  void receive_from_impl(
      asio::mutable_buffer buffer,
      asio::any_completion_handler<void(net::error_code, net::Datagram)> h) override;
  void send_to_queued(asio::const_buffer buffer, const net::Endpoint& to, SendHandler&& h) override;
  void receive_from_queued(asio::mutable_buffer buffer, RecvHandler&& h) override;
  net::Datagram copy_out(const std::vector<std::uint8_t>& data, WireEndpoint from,
                         asio::mutable_buffer into);

  net::Endpoint local_;
  IpAddress local_ip_;  // local_.address, as packets carry it
  bool closed_ = false;
  std::deque<Queued> queue_;
  // Linux's sk_rmem_alloc (every queued datagram's truesize plus refunds not yet made), the
  // refunds gathered (forward_deficit) and how many queued datagrams the reader has taken over
  // (reader_queue: refunds wait while it is not empty).
  std::size_t charged_ = 0, deficit_ = 0, taken_over_ = 0;
  std::optional<RecvHandler> receiver_;
  asio::mutable_buffer receive_buffer_;
  // The route and path of the last send (hosts and paths live as long as the world, and an
  // address, once a host's, stays that host's): most sockets send to one peer.
  IpAddress last_dst_;
  HostImpl* last_dst_host_ = nullptr;
  const HostImpl* last_to_ = nullptr;
  Path* last_path_ = nullptr;
};

std::unique_ptr<net::UdpSocket> make_udp_socket(SimNetwork& net, const net::Endpoint& at,
                                                net::error_code& ec);

}  // namespace simsock::sim
