// The conformance suite on real OS sockets: every suite over 127.0.0.1, and the address-dependent
// ones again over ::1.
#include "tests/net/asio_backend.hpp"
#include "tests/net/conformance_suite.hpp"

namespace simsock::conformance {
namespace {

using V4 = ::testing::Types<AsioBackend<false>>;
using V6 = ::testing::Types<AsioBackend<true>>;

SIMSOCK_INSTANTIATE_CONFORMANCE(AsioV4, V4);

INSTANTIATE_TYPED_TEST_SUITE_P(AsioV6, TcpStreamConformance, V6);
INSTANTIATE_TYPED_TEST_SUITE_P(AsioV6, TcpControlConformance, V6);
INSTANTIATE_TYPED_TEST_SUITE_P(AsioV6, UdpConformance, V6);
INSTANTIATE_TYPED_TEST_SUITE_P(AsioV6, AsyncConformance, V6);

}  // namespace
}  // namespace simsock::conformance
