// The conformance suite's Backend for real OS sockets (see tests/net/conformance_suite.hpp): two
// Networks from make_asio_network() on one io_context, over 127.0.0.1 or ::1.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <simsock/net/asio_network.hpp>

namespace simsock::conformance {

template <bool V6>
class AsioBackend {
 public:
  net::Network& server() { return *server_; }
  net::Network& client() { return *client_; }
  boost::asio::ip::address server_address() const {
    return boost::asio::ip::make_address(V6 ? "::1" : "127.0.0.1");
  }
  boost::asio::ip::address client_address() const { return server_address(); }
  std::string server_host_name() const { return "localhost"; }
  // Loopback delivers within the sending call; the margin covers a loaded machine.
  std::chrono::nanoseconds arrival_time() const { return std::chrono::milliseconds(20); }

  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io_.run_one_for(deadline - now);
    }
    return true;
  }

 private:
  boost::asio::io_context io_;
  // Keeps run_one_for() waiting for the next event instead of returning when nothing is queued.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::unique_ptr<net::Network> server_ = net::make_asio_network(io_);
  std::unique_ptr<net::Network> client_ = net::make_asio_network(io_);
};

}  // namespace simsock::conformance
