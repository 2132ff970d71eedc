// One test, two backends: a GoogleTest fixture that runs each test once in the simulator and once
// on real loopback sockets, so that code written against net::Network is checked on both without
// the io_context, port-0 and run-for glue (tests/net's conformance suite works the same way).
//
//   class Echo : public simsock::test::BothBackends {};
//
//   TEST_P(Echo, RepliesWithWhatItGot) {
//     net::error_code ec;
//     auto listener = network("server").listen(endpoint("server", 0), ec);  // any free port
//     ASSERT_FALSE(ec) << ec.message();
//     const auto at = endpoint("server", listener->local_endpoint().port);
//     ... network("client").async_connect(at, ...) ...
//     ASSERT_TRUE(run_until([&] { return done; }));
//   }
//
//   SIMSOCK_BOTH_BACKENDS(Echo);  // Echo.RepliesWithWhatItGot/sim and .../loopback
//
// Hosts: "server" and "client" exist on both; add_host() adds more. In the simulator each host
// has its own address (10.0.0.1, 10.0.0.2, ...) and sim() gives the Sim for links and faults; on
// loopback every host is 127.0.0.1 (so use port 0 and the port the listener reports) and sim() is
// null. Durations are virtual in the simulator and wall-clock on loopback.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <simsock/net/network.hpp>
#include <simsock/sim/testing/simsock_test.hpp>

namespace simsock::test {

enum class BackendKind { sim, loopback };

// What a two-backend test runs on.
class Backend {
 public:
  virtual ~Backend() = default;
  Backend() = default;
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  virtual BackendKind kind() const = 0;
  // Adds a host (std::invalid_argument if the name is taken).
  virtual void add_host(const std::string& host) = 0;
  // The network code on `host` uses. std::invalid_argument for an unknown host.
  virtual net::Network& network(const std::string& host) = 0;
  // The address to bind and connect to on `host`. std::invalid_argument for an unknown host.
  virtual asio::ip::address address(const std::string& host) const = 0;
  // Runs handlers until `done()` holds (checked after each) or `limit` passes. Returns whether it
  // holds.
  virtual bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) = 0;
  // Runs handlers for `d`.
  virtual void run_for(std::chrono::nanoseconds d) = 0;
  // The simulator's Sim; nullptr on loopback.
  virtual Sim* sim() = 0;
};

// The simulator with hosts "server" (10.0.0.1) and "client" (10.0.0.2), seeded with `seed`.
std::unique_ptr<Backend> make_sim_backend(std::uint64_t seed);
// Real sockets on one io_context, every host on 127.0.0.1, with "server" and "client".
std::unique_ptr<Backend> make_loopback_backend();

// "sim" or "loopback" (the test name suffix SIMSOCK_BOTH_BACKENDS gives).
std::string to_string(BackendKind kind);

// The fixture: a fresh backend per test, of the kind the test parameter names. In the simulator
// the seed is seed_range().first (SIMSOCK_SEED replays one) and failures carry its banner.
class BothBackends : public ::testing::TestWithParam<BackendKind> {
 public:
  // How long run_until waits by default before giving up.
  static constexpr std::chrono::nanoseconds k_default_limit = std::chrono::seconds(30);

 protected:
  BothBackends();

  Backend& backend() { return *backend_; }
  bool simulated() const { return GetParam() == BackendKind::sim; }
  // The Sim in the simulator (links, faults, trace); nullptr on loopback.
  Sim* sim() { return backend_->sim(); }

  void add_host(const std::string& host) { backend_->add_host(host); }
  net::Network& network(const std::string& host) { return backend_->network(host); }
  // address(host) with `port` (0: any free port, for listen and bind_udp).
  net::Endpoint endpoint(const std::string& host, std::uint16_t port) const {
    return net::Endpoint{backend_->address(host), port};
  }
  [[nodiscard]] bool run_until(const std::function<bool()>& done,
                               std::chrono::nanoseconds limit = k_default_limit) {
    return backend_->run_until(done, limit);
  }
  void run_for(std::chrono::nanoseconds d) { backend_->run_for(d); }

 private:
  std::unique_ptr<Backend> backend_;
  std::optional<::testing::ScopedTrace> seed_trace_;
};

// The parameter generator and the name generator SIMSOCK_BOTH_BACKENDS uses.
inline auto both_backends() {
  return ::testing::Values(BackendKind::sim, BackendKind::loopback);
}
std::string backend_test_name(const ::testing::TestParamInfo<BackendKind>& info);

}  // namespace simsock::test

// Runs every TEST_P of `Fixture` (derived from simsock::test::BothBackends) on both backends.
#define SIMSOCK_BOTH_BACKENDS(Fixture)                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Fixture, ::simsock::test::both_backends(), \
                           ::simsock::test::backend_test_name)
