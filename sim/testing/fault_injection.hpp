// Targeted fault injection for tests, on top of net::NetworkWrapper (leveldb's
// fault_injection_test and Boost.Beast's test::fail_count and test::stream are the models):
//
//  - FailCount: the Nth operation (counting from 0) fails with a chosen error code, so a test can
//    loop n = 0, 1, 2, ... until the count is no longer reached and so cover every failure point;
//  - StreamCaps: reads and writes of chosen sockets transfer at most so many bytes per call;
//  - scripted datagram drops: exactly the listed datagrams this host sends to an address vanish
//    (ns-3's ReceiveListErrorModel).
//
// A FaultPlan holds these settings for one host; FaultyNetwork applies a plan to every object made
// through it. The testing kit (simsock_test.hpp) routes each host's code through one.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <simsock/net/network_wrapper.hpp>

namespace simsock::test {

// The operations a FailCount counts; combine with |.
enum Op : unsigned {
  op_connect = 1u << 0,
  op_accept = 1u << 1,
  op_read = 1u << 2,
  op_write = 1u << 3,
  op_send = 1u << 4,
  op_receive = 1u << 5,
  op_resolve = 1u << 6,
  op_wait = 1u << 7,
  op_listen = 1u << 8,
  op_bind = 1u << 9,
  op_all = (1u << 10) - 1,
};

// Counts operations of the chosen kinds; the one numbered `n` (from 0) fails with `ec`, every
// other one runs normally. A failed asynchronous operation completes (never inline) with `ec` and
// an empty result, without reaching the network; a failed listen/bind_udp returns null with `ec`.
class FailCount {
 public:
  explicit FailCount(std::size_t n, net::error_code ec = net::error::connection_reset,
                     unsigned ops = op_all)
      : n_(n), ec_(ec), ops_(ops) {}

  // Counts one operation of kind `op` (when it is counted); true when it must fail.
  bool fail(Op op);
  // True once the Nth operation has happened (and failed). When a run ends with this false, the
  // count is past the last operation: every failure point has been tried.
  bool triggered() const { return triggered_; }
  // How many counted operations there have been.
  std::size_t counted() const { return counted_; }
  net::error_code error() const { return ec_; }

 private:
  std::size_t n_;
  net::error_code ec_;
  unsigned ops_;
  std::size_t counted_ = 0;
  bool triggered_ = false;
};

// Upper bounds on the bytes one read_some / write_some call transfers (Beast test::stream's
// read_size and write_size). A capped write is a short write; the caller must loop.
struct StreamCaps {
  std::size_t read_max = std::numeric_limits<std::size_t>::max();
  std::size_t write_max = std::numeric_limits<std::size_t>::max();
};

// The faults of one host. Shared by the FaultyNetwork of that host and everything made from it.
class FaultPlan {
 public:
  // Starts counting operations afresh; the Nth fails with `ec`. Returns the count to inspect.
  FailCount& fail_nth(std::size_t n, net::error_code ec = net::error::connection_reset,
                      unsigned ops = op_all);
  // No more injected failures.
  void clear_failures() { fail_.reset(); }
  // The current count, or null.
  FailCount* fail_count() { return fail_ ? &*fail_ : nullptr; }

  // Caps for streams made (connected or accepted) from now on. With `port`, only streams whose
  // local or remote port is `port`; without, every stream.
  void cap_streams(StreamCaps caps, std::optional<std::uint16_t> port = std::nullopt);

  // Drops exactly the listed datagrams (numbered from 1, counting every datagram this host sends
  // to `to`, dropped ones included) as if the network lost them: the send still succeeds.
  void drop_datagrams(const net::asio::ip::address& to, std::vector<std::uint64_t> nth);
  // How many datagrams the script has dropped.
  std::uint64_t datagrams_dropped() const { return dropped_; }

  // Internal: used by the wrappers.
  bool fail(Op op, net::error_code& ec);
  std::optional<StreamCaps> caps_for(const net::Endpoint& local, const net::Endpoint& remote) const;
  bool drop_datagram_to(const net::asio::ip::address& to);

 private:
  struct CapRule {
    StreamCaps caps;
    std::optional<std::uint16_t> port;
  };
  struct DropScript {
    net::asio::ip::address to;
    std::set<std::uint64_t> nth;
    std::uint64_t sent = 0;
  };
  std::optional<FailCount> fail_;
  std::vector<CapRule> caps_;
  std::vector<DropScript> drops_;
  std::uint64_t dropped_ = 0;
};

// A Network that applies `plan` to everything made through it. `target` must outlive it.
class FaultyNetwork final : public net::NetworkWrapper {
 public:
  FaultyNetwork(net::Network& target, std::shared_ptr<FaultPlan> plan);
  using NetworkWrapper::listen;
  std::unique_ptr<net::TcpListener> listen(const net::Endpoint& at, net::error_code& ec,
                                           int backlog, const net::TcpOptions& options) override;
  std::unique_ptr<net::UdpSocket> bind_udp(const net::Endpoint& at, net::error_code& ec) override;
  FaultPlan& plan() { return *plan_; }

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override;
  std::unique_ptr<net::TcpListener> wrap(std::unique_ptr<net::TcpListener> l) override;
  std::unique_ptr<net::UdpSocket> wrap(std::unique_ptr<net::UdpSocket> s) override;
  std::unique_ptr<net::Timer> wrap(std::unique_ptr<net::Timer> t) override;
  void connect_impl(const net::Endpoint& to, const net::TcpOptions& options,
                    net::StreamHandler h) override;
  void resolve_impl(const std::string& host, std::uint16_t port, net::ResolveHandler h) override;

 private:
  std::shared_ptr<FaultPlan> plan_;
};

// Wraps one stream so its reads and writes obey `caps` (for code that owns its streams).
std::unique_ptr<net::TcpStream> with_caps(std::unique_ptr<net::TcpStream> s, StreamCaps caps);

}  // namespace simsock::test
