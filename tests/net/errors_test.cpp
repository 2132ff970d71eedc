// net::from_errno and net::from_resolver: the one place errno and getaddrinfo's results become the
// interface's error codes (docs/errors.md).
#include <simsock/net/errors.hpp>

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
                            error::host_unreachable,
                            error::host_not_found_try_again,
                            error::no_recovery,
                            error::service_not_found};
  for (std::size_t i = 0; i < std::size(all); ++i) {
    for (std::size_t j = i + 1; j < std::size(all); ++j) EXPECT_NE(all[i], all[j]) << i << "," << j;
  }
}

TEST(FromResolver, KeepsTheLookupFailuresApartWithTheirOwnMessages) {
  // What Boost.Asio's resolver reports for EAI_NONAME, EAI_AGAIN, EAI_FAIL and EAI_SERVICE.
  namespace ae = boost::asio::error;
  const std::pair<error_code, error_code> table[] = {
      {ae::host_not_found, error::host_not_found},
      {ae::host_not_found_try_again, error::host_not_found_try_again},
      {ae::no_recovery, error::no_recovery},
      {ae::service_not_found, error::service_not_found},
  };
  for (std::size_t i = 0; i < std::size(table); ++i) {
    const error_code mapped = from_resolver(table[i].first);
    EXPECT_EQ(mapped, table[i].second) << table[i].first.message();
    for (std::size_t j = 0; j < i; ++j) {
      EXPECT_NE(mapped.message(), from_resolver(table[j].first).message());
    }
  }
  EXPECT_NE(from_resolver(ae::host_not_found_try_again).message(),
            "Host not found (authoritative)");
}

TEST(FromResolver, PassesSystemErrorsThroughFromErrnoAndNoErrorAsNoError) {
  // EAI_SYSTEM: the lookup failed with an errno, reported as a system error.
  EXPECT_EQ(from_resolver(error_code(ECONNREFUSED, boost::system::system_category())),
            error::connection_refused);
  EXPECT_FALSE(from_resolver(error_code()));
}

}  // namespace
}  // namespace simsock::net
