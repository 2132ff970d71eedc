// The interface conformance suite: one set of expectations about net::Network that every backend
// must meet, with the same error-code values. Instantiate it for a Backend type:
//
//   #include "tests/net/conformance_suite.hpp"
//   using Backends = ::testing::Types<MyBackend>;
//   INSTANTIATE_TYPED_TEST_SUITE_P(Mine, TcpStreamConformance, Backends);
//   ... likewise for TcpControlConformance, UdpConformance, AsyncConformance,
//       TimerConformance, ResolveConformance, LinuxSemanticsConformance and
//       AddressConformance (or use
//       SIMSOCK_INSTANTIATE_CONFORMANCE).
//
// The Backend concept. A Backend is default-constructible; each test constructs a fresh one
// (nothing bound, clocks wherever they are) and destroys it at the end. It provides:
//
//   net::Network& server();                 // the "server host": listens, binds, answers
//   net::Network& client();                 // the "client host": connects, sends (may be the
//                                           // same host on real sockets, another in simulation)
//   asio::ip::address server_address() const;  // what the server binds and the client connects
//                                           // to: 127.0.0.1 or ::1 on real sockets, the server
//                                           // host's IPv4 in simulation
//   asio::ip::address client_address() const;  // what the client binds UDP sockets to; the
//                                           // address its connections come from
//   std::string server_host_name() const;   // a name that resolves (IPv4 first) to
//                                           // server_address(): "localhost" / the host's name
//   std::chrono::nanoseconds arrival_time() const;  // after this long, bytes already sent
//                                           // (without loss) have reached the peer's socket
//   bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit);
//                                           // runs handlers until done() holds (returns true)
//                                           // or `limit` has passed (returns false); checks
//                                           // done() before running anything. Real sockets:
//                                           // wall clock, as a safety net so tests always end.
//                                           // Simulation: virtual time; returns when done()
//                                           // holds, or the clock reached now + limit.
//   static constexpr bool binds_wildcard = true;  // optional (default false): the tests may
//                                           // listen on 0.0.0.0 / ::. Real-socket suites leave it
//                                           // out: on a shared machine they bind only loopback.
//   static constexpr std::array not_yet_linux_like = {  // optional: cases the backend does not
//       Pending{"TestName", "what it does"}, ...};   // meet yet, skipped with that reason (an
//                                           // entry needs members `test` and `backend_does`).
//
// Everything the tests do goes through net::Network and the objects it makes. Tests use only
// ports the backend assigns (port 0), so real-socket suites may run in parallel. They never
// assert an upper bound on how long something takes; the limits only end broken runs.
//
// LinuxSemanticsConformance asserts what Linux does (measured on loopback) and uses 127.0.0.1 and
// 127.0.0.2 on the server host, so it is instantiated for IPv4 backends only.
//
// AddressConformance binds 127.0.0.1 and ::1 on the server host (both families on one host).
//
// ResolveConformance needs server_host_name() to resolve to server_address(), so an IPv6
// real-socket backend ("localhost" is IPv4 in /etc/hosts) instantiates the other suites only.
#pragma once

#include "tests/net/conformance_addresses.hpp"
#include "tests/net/conformance_async.hpp"
#include "tests/net/conformance_linux_semantics.hpp"
#include "tests/net/conformance_tcp_control.hpp"
#include "tests/net/conformance_tcp_stream.hpp"
#include "tests/net/conformance_timer_resolve.hpp"
#include "tests/net/conformance_udp.hpp"

// Instantiates every conformance suite for the ::testing::Types list `types` under `prefix`.
#define SIMSOCK_INSTANTIATE_CONFORMANCE(prefix, types)                      \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, TcpStreamConformance, types);      \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, TcpControlConformance, types);     \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, UdpConformance, types);            \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, AsyncConformance, types);          \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, TimerConformance, types);          \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, ResolveConformance, types);        \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, LinuxSemanticsConformance, types); \
  INSTANTIATE_TYPED_TEST_SUITE_P(prefix, AddressConformance, types)
