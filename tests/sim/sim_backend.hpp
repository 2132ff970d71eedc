// The conformance suite's Backends for the simulator (see tests/net/conformance_suite.hpp): a world
// with a "server" host (10.0.0.1) and a "client" host (10.0.0.2), 1 ms apart; SimBackendV6 gives
// the hosts IPv6 addresses as well (fd00::1, fd00::2) and the suite talks IPv6.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::sim::testing {

class SimBackend {
 public:
  // Simulated hosts have no real interfaces: binding the wildcard address is safe here.
  static constexpr bool binds_wildcard = true;

  SimBackend() : SimBackend("10.0.0.1", "10.0.0.2") {}
  net::Network& server() { return world_.host("server").network(); }
  net::Network& client() { return world_.host("client").network(); }
  boost::asio::ip::address server_address() const { return server_; }
  boost::asio::ip::address client_address() const { return client_; }
  std::string server_host_name() const { return "server"; }
  std::chrono::nanoseconds arrival_time() const { return std::chrono::milliseconds(10); }
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) {
    return world_.run_until_done(done, world_.now() + limit);
  }
  World& world() { return world_; }

 protected:
  // Hosts with the IPv4 addresses 10.0.0.1 and 10.0.0.2, and `server` and `client` (one of them
  // each, IPv4 or IPv6) as the addresses the suite uses.
  SimBackend(const std::string& server, const std::string& client)
      : server_(boost::asio::ip::make_address(server)),
        client_(boost::asio::ip::make_address(client)) {
    add("server", "10.0.0.1", server);
    add("client", "10.0.0.2", client);
  }

 private:
  void add(const std::string& name, const std::string& v4, const std::string& address) {
    if (address == v4) {
      world_.add_host(name, v4);
    } else {
      world_.add_host(name, std::vector<std::string>{v4, address});
    }
  }

  World world_{1};
  boost::asio::ip::address server_, client_;
};

// The same world with fd00::1 and fd00::2 as the suite's addresses: the IPv6 suites run on it.
class SimBackendV6 : public SimBackend {
 public:
  SimBackendV6() : SimBackend("fd00::1", "fd00::2") {}
};

}  // namespace simsock::sim::testing
