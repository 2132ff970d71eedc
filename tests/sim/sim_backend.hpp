// The conformance suite's Backend for the simulator (see tests/net/conformance_suite.hpp): a world
// with a "server" host (10.0.0.1) and a "client" host (10.0.0.2), 1 ms apart.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sim/world.hpp"

namespace simsock::sim::testing {

class SimBackend {
 public:
  // Simulated hosts have no real interfaces: binding the wildcard address is safe here.
  static constexpr bool binds_wildcard = true;

  SimBackend() {
    world_.add_host("server", "10.0.0.1");
    world_.add_host("client", "10.0.0.2");
  }
  net::Network& server() { return world_.host("server").network(); }
  net::Network& client() { return world_.host("client").network(); }
  boost::asio::ip::address server_address() const {
    return boost::asio::ip::make_address("10.0.0.1");
  }
  boost::asio::ip::address client_address() const {
    return boost::asio::ip::make_address("10.0.0.2");
  }
  std::string server_host_name() const { return "server"; }
  std::chrono::nanoseconds arrival_time() const { return std::chrono::milliseconds(10); }
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) {
    return world_.run_until_done(done, world_.now() + limit);
  }
  World& world() { return world_; }

 private:
  World world_{1};
};

}  // namespace simsock::sim::testing
