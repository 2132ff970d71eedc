// Hosts and the per-process view of the network.
//
// A host has a name, one or more addresses, IPv4 and IPv6 (plus loopback 127.0.0.0/8 and ::1),
// port tables (bindings per address and port, ephemeral ports as Linux picks them; see HostImpl)
// and a set of Networks:
// one for test code (Host::network()) and one per process incarnation. Every simulated object
// (timer, socket, listener, connection end) registers with the Network that made it, so a crash
// can find and destroy everything the host owns, including pending completion handlers (which
// own the coroutine frames waiting on them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <simsock/net/network.hpp>
#include <simsock/sim/ip_address.hpp>
#include <simsock/sim/task.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

class HostImpl;
class SimNetwork;
class SimUdpSocket;
class SimTcpListener;
class PortTables;

// Linux's default net.ipv4.ip_local_port_range: the ports connect() and a bind to port 0 pick from.
inline constexpr std::uint16_t k_ephemeral_first = 32768;
inline constexpr std::uint16_t k_ephemeral_last = 60999;

// How an object leaves its host: the world is destroyed (nothing is sent), the host lost power
// (nothing is sent; peers learn of it by their own time-outs), or its process was killed (the
// kernel closes the object as close() would: FIN, or RST where data was unread).
enum class Vanish { world_end, crash, kill };

// Base of every object made by a SimNetwork.
class SimObject {
 public:
  explicit SimObject(SimNetwork& net);
  virtual ~SimObject();
  SimObject(const SimObject&) = delete;
  SimObject& operator=(const SimObject&) = delete;

  // The object's host crashed, its process was killed or the world is ending (`how`): move every
  // stored handler into `grave` (the caller destroys them, never calls them), release ports and
  // detach. Connections close as `how` says.
  virtual void vanish(std::vector<Task>& grave, Vanish how) = 0;

  // The network that made this object (stays valid while the world lives).
  SimNetwork& home() const { return *home_; }
  World::Impl& world() const;
  // True after vanish(): the object no longer exists on the simulated host.
  bool gone() const { return !linked_; }

 protected:
  void detach();

 private:
  friend class SimNetwork;
  SimNetwork* home_;
  bool linked_ = true;
  SimObject* prev_ = nullptr;
  SimObject* next_ = nullptr;
};

class SimNetwork final : public net::Network {
 public:
  SimNetwork(World::Impl& world, HostImpl& host);
  ~SimNetwork() override;

  World::Impl& world() const { return world_; }
  HostImpl& host() const { return host_; }
  bool dead() const { return dead_; }
  void set_dead(bool d) { dead_ = d; }

  executor_type get_executor() override;
  std::chrono::nanoseconds now() override;
  std::chrono::system_clock::time_point wall_now() override;
  std::chrono::seconds utc_offset(std::chrono::system_clock::time_point) override {
    return std::chrono::seconds(0);
  }
  using net::Network::listen;
  std::unique_ptr<net::TcpListener> listen(const net::Endpoint& at, net::error_code& ec,
                                           int backlog, const net::TcpOptions& options) override;
  std::unique_ptr<net::UdpSocket> bind_udp(const net::Endpoint& at, net::error_code& ec) override;
  std::unique_ptr<net::Timer> make_timer() override;

  // Vanishes every object made by this network; their handlers go to `grave`.
  void vanish_all(std::vector<Task>& grave, Vanish how);

 private:
  friend class SimObject;
  void connect_impl(
      const net::Endpoint& to, const net::TcpOptions& options,
      asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)> h)
      override;
  void resolve_impl(
      const std::string& host, std::uint16_t port,
      asio::any_completion_handler<void(net::error_code, std::vector<net::Endpoint>)> h) override;

  World::Impl& world_;
  HostImpl& host_;
  bool dead_ = false;
  SimObject* objects_ = nullptr;
};

// Inline: every model callback asks for its world, some several times per packet.
inline World::Impl& SimObject::world() const {
  return home_->world();
}

class HostImpl final : public Host {
 public:
  // `addresses`: at least one, unicast, not loopback, no two equal (World::add_host checks).
  HostImpl(World::Impl& world, std::string name, std::vector<asio::ip::address> addresses,
           std::uint32_t index);
  ~HostImpl() override;

  const std::string& name() const override { return name_; }
  const asio::ip::address& address() const override { return addresses_.front(); }
  const std::vector<asio::ip::address>& addresses() const override { return addresses_; }
  net::Network& network() override { return *network_; }
  void crash() override;
  void restart() override;

  std::uint32_t index() const { return index_; }
  bool up() const { return up_; }
  World::Impl& world() const { return world_; }
  // The host's first address of the family (IPv6 when `v6`), the source of its traffic to other
  // hosts; null when it has none.
  const IpAddress* first_address(bool v6) const { return first_[v6 ? 1 : 0]; }

  // True when `a` is one of this host's addresses, a loopback address (127.0.0.0/8, ::1) or the
  // unspecified address of either family (binding).
  bool owns(const IpAddress& a) const;

  // ---- port tables (Linux's rules, without SO_REUSEPORT)
  // A binding is (address, port); 0.0.0.0 stands for every IPv4 address of the host and [::] for
  // every address of both families (a dual-stack socket: Linux's IPV6_V6ONLY is off by default,
  // and the interface has no way to turn it on). Two bindings of one port conflict when the
  // addresses they stand for overlap: 127.0.0.1:P and 127.0.0.2:P coexist, so do 10.0.0.1:P and
  // [fd00::1]:P, while [::]:P conflicts with every binding of P. TCP and UDP have separate
  // tables; a TCP listener also conflicts with a live outgoing connection whose local
  // (address, port) overlaps it, as Linux's bind does.
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 address a.b.c.d here.
  // `bind_*` fill in a free ephemeral port when `at.port` is 0. Errors: address_not_available
  // (not this host's address), address_in_use (conflict, or no free ephemeral port).
  net::error_code bind_udp(SimUdpSocket* s, net::Endpoint& at);
  void unbind_udp(std::uint16_t port, SimUdpSocket* s);
  net::error_code bind_tcp(SimTcpListener* l, net::Endpoint& at);
  void unbind_tcp(std::uint16_t port, SimTcpListener* l);
  // The socket or listener that receives traffic for (dst, port): the binding of exactly `dst`,
  // else the wildcard of its family, else (IPv4 traffic) a dual-stack [::] one, else null.
  // O(log n); a repeat of the previous UDP lookup (a stream of datagrams to one socket) is O(1).
  SimUdpSocket* udp_at(const IpAddress& dst, std::uint16_t port) const {
    if (last_udp_.valid && last_udp_.port == port && last_udp_.dst == dst) return last_udp_.socket;
    return udp_lookup(dst, port);
  }
  SimTcpListener* listener_at(const IpAddress& dst, std::uint16_t port) const;

  // Outgoing TCP connections, as Linux's __inet_hash_connect: the local port for a connection
  // from `local_address` to `remote`. Unique per (local address, port, remote address, port), so
  // one port serves connections to different peers; a port some listener is bound to is never
  // used. Even ports first, then odd; each destination starts at its own offset (from the world
  // seed, the host's name and the destination) and moves on by 2 to 16 per connection. The port
  // stays taken until release_connection_port. Errors: address_not_available when all 28,232
  // ports are taken for that destination (Linux's EADDRNOTAVAIL).
  net::error_code take_connection_port(const IpAddress& local_address, const WireEndpoint& remote,
                                       std::uint16_t& port);
  net::error_code take_connection_port(const asio::ip::address& local_address,
                                       const net::Endpoint& remote, std::uint16_t& port) {
    return take_connection_port(IpAddress::from(local_address), WireEndpoint::from(remote), port);
  }
  // The connection from `local` to `remote` is gone (its end is destroyed, or its TIME_WAIT is
  // over): the 4-tuple may be used again. Unknown tuples are ignored.
  void release_connection_port(const net::Endpoint& local, const net::Endpoint& remote);

  // A new Network for a process incarnation; lives as long as the host.
  SimNetwork& new_process_network();

  // Implementation of crash/restart, run from the world loop.
  void do_crash();
  void do_restart();
  // World teardown: every object of every network vanishes without sending anything.
  void vanish_everything(std::vector<Task>& grave);

 private:
  PortTables& ports();
  // udp_at without the remembered lookup; remembers this one.
  SimUdpSocket* udp_lookup(const IpAddress& dst, std::uint16_t port) const;

  World::Impl& world_;
  std::string name_;
  std::vector<asio::ip::address> addresses_;
  std::vector<IpAddress> ips_;      // addresses_, compact
  const IpAddress* first_[2] = {};  // the first IPv4 and IPv6 entries of ips_, or null
  std::uint32_t index_;
  bool up_ = true;
  std::unique_ptr<PortTables> ports_;  // made on first use: most hosts of a large world bind little
  // The previous udp_at lookup and its answer (null included); every change to the UDP bindings
  // forgets it.
  struct UdpLookup {
    IpAddress dst;
    std::uint16_t port = 0;
    bool valid = false;
    SimUdpSocket* socket = nullptr;
  };
  mutable UdpLookup last_udp_;
  std::unique_ptr<SimNetwork> network_;
  std::vector<std::unique_ptr<SimNetwork>> process_networks_;
};

}  // namespace simsock::sim
