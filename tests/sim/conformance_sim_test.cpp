// The interface conformance suite (tests/net/) on the simulator: the same expectations, with the
// same error codes, as on real sockets, over IPv4 and (the suites the real backend runs over ::1)
// over IPv6.
#include <array>
#include <string_view>

#include "tests/net/conformance_suite.hpp"
#include "tests/sim/sim_backend.hpp"

namespace simsock::conformance {
namespace {

// A conformance case the simulator does not meet yet, and what it does instead.
struct Pending {
  std::string_view test;
  std::string_view backend_does;
};

// The simulator as the suite sees it, with the one list of Linux-fidelity cases it does not
// pass yet: each is skipped with its reason. Remove an entry once the simulator meets the case.
class SimBackendForConformance : public sim::testing::SimBackend {
 public:
  static constexpr std::array<Pending, 0> not_yet_linux_like{};
};

using Sim = ::testing::Types<SimBackendForConformance>;
SIMSOCK_INSTANTIATE_CONFORMANCE(Sim, Sim);

// The suites the real backend runs over ::1 (tests/net/conformance_asio_test.cpp), over IPv6
// between two simulated hosts, and the address cases again.
using SimV6 = ::testing::Types<sim::testing::SimBackendV6>;
INSTANTIATE_TYPED_TEST_SUITE_P(SimV6, TcpStreamConformance, SimV6);
INSTANTIATE_TYPED_TEST_SUITE_P(SimV6, TcpControlConformance, SimV6);
INSTANTIATE_TYPED_TEST_SUITE_P(SimV6, UdpConformance, SimV6);
INSTANTIATE_TYPED_TEST_SUITE_P(SimV6, AsyncConformance, SimV6);
INSTANTIATE_TYPED_TEST_SUITE_P(SimV6, AddressConformance, SimV6);

}  // namespace
}  // namespace simsock::conformance
