// The interface conformance suite (tests/net/) on the simulator: the same expectations, with the
// same error codes, as on real sockets.
#include "tests/net/conformance_suite.hpp"
#include "tests/sim/sim_backend.hpp"

namespace simsock::conformance {
namespace {

using Sim = ::testing::Types<sim::testing::SimBackend>;
SIMSOCK_INSTANTIATE_CONFORMANCE(Sim, Sim);

}  // namespace
}  // namespace simsock::conformance
