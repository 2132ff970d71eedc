// The error codes the interface reports. Both backends use the same values for the same situation,
// so a test can compare `ec == net::error::connection_refused` whichever backend ran it.
//
// Values are Boost.Asio's (`boost::asio::error::*`): system-category errno values on POSIX, and
// the misc category for `eof`. `docs/errors.md` lists which operation reports which code.
#pragma once

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <string>

namespace simsock::net {

using error_code = boost::system::error_code;

namespace error {
namespace ae = boost::asio::error;
// The peer has closed its sending side and every byte before the close has been read.
inline constexpr auto eof = ae::eof;
// Nobody listens at the address connected to.
inline constexpr auto connection_refused = ae::connection_refused;
// The peer aborted the connection (RST), or its host crashed.
inline constexpr auto connection_reset = ae::connection_reset;
// A connection attempt got no answer within the retry budget.
inline constexpr auto timed_out = ae::timed_out;
// Writing after this side shut down sending, or after the peer reset the connection.
inline constexpr auto broken_pipe = ae::broken_pipe;
// A datagram larger than the largest UDP payload (65507 bytes for IPv4).
inline constexpr auto message_size = ae::message_size;
// bind/listen on an address and port already in use.
inline constexpr auto address_in_use = ae::address_in_use;
// The address is not one of this host's addresses.
inline const error_code address_not_available{EADDRNOTAVAIL, boost::system::system_category()};
// The operation was cancelled (cancel(), close(), or a cancellation slot).
inline constexpr auto operation_aborted = ae::operation_aborted;
// The name could not be resolved: it does not exist, or has no address (EAI_NONAME, EAI_NODATA).
inline constexpr auto host_not_found = ae::host_not_found;
// The name service did not answer in time; the same lookup may succeed later (EAI_AGAIN).
inline constexpr auto host_not_found_try_again = ae::host_not_found_try_again;
// The name service failed for good (EAI_FAIL).
inline constexpr auto no_recovery = ae::no_recovery;
// The service (port) is not known for the socket type (EAI_SERVICE).
inline constexpr auto service_not_found = ae::service_not_found;
// An argument is invalid (empty buffer where data is required, port 0 to send to, ...).
inline constexpr auto invalid_argument = ae::invalid_argument;
// The socket is not connected / already closed.
inline constexpr auto not_connected = ae::not_connected;
// The socket was closed (used after close()).
inline constexpr auto bad_descriptor = ae::bad_descriptor;
// No route to the peer's host (unknown address in the simulator).
inline constexpr auto host_unreachable = ae::host_unreachable;
}  // namespace error

// Maps an errno value to the interface's error_code. The only place errno is translated.
error_code from_errno(int err);

// Maps what a system name lookup reported to the interface's error_code: Boost.Asio's resolver
// turns getaddrinfo's EAI_* results into its netdb/addrinfo codes, and this keeps them apart
// (EAI_NONAME, EAI_NODATA: host_not_found; EAI_AGAIN: host_not_found_try_again; EAI_FAIL:
// no_recovery; EAI_SERVICE: service_not_found; EAI_MEMORY: no_memory; EAI_FAMILY:
// address_family_not_supported; EAI_SYSTEM: the errno through from_errno). No error stays no
// error; anything else passes through from_errno when it is a system error, unchanged otherwise.
error_code from_resolver(const error_code& ec);

}  // namespace simsock::net
