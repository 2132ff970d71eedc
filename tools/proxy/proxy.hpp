// simsock proxy: real sockets forwarded through the simulator's link model (sim/link_model.hpp).
// A TCP proxy accepts, connects upstream and forwards each direction of each connection through
// its own seeded link; a UDP proxy keeps a session per client address. Everything runs on the
// caller's io_context, on the thread that runs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <simsock/sim/config.hpp>
#include <simsock/tools/proxy/proxy_trace.hpp>

namespace simsock::proxy {

namespace asio = boost::asio;

// One proxy: where it listens, where it forwards to, and the link in between.
struct ProxySpec {
  // Names the proxy in traces, control messages and random streams: connection 1's directions
  // draw from the simulator's streams "path:client->NAME" and "path:NAME->client", so a scenario
  // with hosts `client` and NAME and the same link and seed draws the same segment sizes.
  std::string name = "server";
  asio::ip::address listen_address;
  std::uint16_t listen_port = 0;  // 0: an ephemeral port (see Proxy::port)
  std::string to_host;            // a numeric address or a name to resolve
  std::uint16_t to_port = 0;
  bool udp = false;
  // The link (the scenario defaults for keys not given). nullopt: forward as read, with no delay
  // and no randomness (the "empty link" of the speed measurements).
  std::optional<sim::LinkConfig> link;
  // On links whose tcp.segment.max is below 1460 bytes, consecutive segments of a direction
  // leave at least this far apart, so that a receiver on loopback reads them one by one as the
  // simulator's receivers do (back-to-back writes on loopback coalesce). 0: back to back.
  std::chrono::nanoseconds segment_gap = std::chrono::milliseconds(1);
};

// The bounds that keep a proxy's memory finite (docs/proxy.md, "Limits").
// A TCP direction holds at most k_max_buffered bytes of data (in one buffer that doubles up to
// that size, whatever the sizes of the reads; while a write started before its last doubling is
// in progress, the half-size buffer it points into is kept too) and k_max_segments segments
// waiting to be written (plus a FIN), each a record of k_segment_record bytes; at either bound it
// stops reading (backpressure). So one direction holds at most k_max_held bytes (640 KiB),
// however small the writes.
inline constexpr std::size_t k_max_buffered = 256 * 1024;
inline constexpr std::size_t k_max_segments = 8192;
inline constexpr std::size_t k_segment_record = 32;
inline constexpr std::size_t k_max_held =
    k_max_buffered + k_max_buffered / 2 + (k_max_segments + 1) * k_segment_record;
inline constexpr std::size_t k_max_connections = 1024;  // per TCP proxy; more wait in the backlog
inline constexpr std::size_t k_max_sessions = 1024;     // per UDP proxy; more are dropped
inline constexpr std::size_t k_max_pending_udp = 4 * 1024 * 1024;  // datagram bytes in flight
inline constexpr std::chrono::seconds k_udp_session_idle{60};

class Proxy {
 public:
  virtual ~Proxy() = default;

  // Binds and starts forwarding on `io`. The target is resolved here. Throws std::system_error
  // (bind or resolve failed) naming the address. `trace` must outlive the proxy.
  static std::unique_ptr<Proxy> start(asio::io_context& io, const ProxySpec& spec,
                                      std::uint64_t seed, Trace& trace);

  const ProxySpec& spec() const { return spec_; }
  // The port it listens on (the one the system picked when spec().listen_port was 0).
  virtual std::uint16_t port() const = 0;

  // Faults, on the io_context's thread (or before it runs). Partition: nothing is forwarded
  // (UDP datagrams are dropped; TCP stalls, and new connections wait to be connected upstream)
  // until heal. Clog: everything is held (UDP datagrams too) and sent, in order, on release.
  virtual void partition() = 0;
  virtual void heal() = 0;
  virtual void clog() = 0;
  virtual void release() = 0;
  // Changes the keys `patch` sets, for live connections and sessions and new ones. A proxy
  // without a link gets the scenario defaults first.
  virtual void set_link(const sim::LinkPatch& patch) = 0;
  // Every open connection is aborted: both sides get RST (TCP). UDP: sessions are forgotten.
  virtual void reset() = 0;
  // Stops accepting and closes everything; the io_context then runs out of work.
  virtual void stop() = 0;

  // What happened so far: "connections", "segments", "bytes", "datagrams", "dropped", ...
  virtual std::string stats() const = 0;

 protected:
  explicit Proxy(ProxySpec spec) : spec_(std::move(spec)) {}
  ProxySpec spec_;
};

// "ADDR:PORT" with brackets for IPv6.
std::string endpoint_text(const asio::ip::address& a, std::uint16_t port);

}  // namespace simsock::proxy
