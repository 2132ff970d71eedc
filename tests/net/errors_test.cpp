// net::from_errno: the one place errno becomes the interface's error codes (docs/errors.md).
#include "net/errors.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <utility>

namespace simsock::net {
namespace {

TEST(FromErrno, MapsEveryNetworkErrnoToItsInterfaceCode) {
  const std::pair<int, error_code> table[] = {
      {EPIPE, error::broken_pipe},
      {ECONNRESET, error::connection_reset},
      {ECONNREFUSED, error::connection_refused},
      {ETIMEDOUT, error::timed_out},
      {EMSGSIZE, error::message_size},
      {EADDRINUSE, error::address_in_use},
      {EADDRNOTAVAIL, error::address_not_available},
      {ECANCELED, error::operation_aborted},
      {EHOSTUNREACH, error::host_unreachable},
      {ENETUNREACH, error::host_unreachable},
      {ENOTCONN, error::not_connected},
      {EBADF, error::bad_descriptor},
      {EINVAL, error::invalid_argument},
  };
  for (const auto& [err, code] : table) EXPECT_EQ(from_errno(err), code) << "errno " << err;
}

TEST(FromErrno, PassesOtherErrnoValuesThroughAsSystemErrors) {
  const error_code ec = from_errno(EMFILE);
  EXPECT_EQ(ec.value(), EMFILE);
  EXPECT_EQ(ec.category(), boost::system::system_category());
}

TEST(FromErrno, CodesOfDifferentSituationsAreDistinct) {
  // Tests tell situations apart by comparing codes, so no two constants may be equal.
  const error_code all[] = {error::eof,
                            error::connection_refused,
                            error::connection_reset,
                            error::timed_out,
                            error::broken_pipe,
                            error::message_size,
                            error::address_in_use,
                            error::address_not_available,
                            error::operation_aborted,
                            error::host_not_found,
                            error::invalid_argument,
                            error::not_connected,
                            error::bad_descriptor,
                            error::host_unreachable};
  for (std::size_t i = 0; i < std::size(all); ++i) {
    for (std::size_t j = i + 1; j < std::size(all); ++j) EXPECT_NE(all[i], all[j]) << i << "," << j;
  }
}

}  // namespace
}  // namespace simsock::net
