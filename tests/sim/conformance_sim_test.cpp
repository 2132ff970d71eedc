// The interface conformance suite (tests/net/) on the simulator: the same expectations, with the
// same error codes, as on real sockets.
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

}  // namespace
}  // namespace simsock::conformance
