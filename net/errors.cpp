#include <simsock/net/errors.hpp>

#include <cerrno>

namespace simsock::net {

error_code from_errno(int err) {
  switch (err) {
    case EPIPE:
      return error::broken_pipe;
    case ECONNRESET:
      return error::connection_reset;
    case ECONNREFUSED:
      return error::connection_refused;
    case ETIMEDOUT:
      return error::timed_out;
    case EMSGSIZE:
      return error::message_size;
    case EADDRINUSE:
      return error::address_in_use;
    case EADDRNOTAVAIL:
      return error::address_not_available;
    case ECANCELED:
      return error::operation_aborted;
    case EHOSTUNREACH:
    case ENETUNREACH:
      return error::host_unreachable;
    case ENOTCONN:
      return error::not_connected;
    case EBADF:
      return error::bad_descriptor;
    case EINVAL:
      return error::invalid_argument;
    default:
      return error_code(err, boost::system::system_category());
  }
}

error_code from_resolver(const error_code& ec) {
  if (!ec) return ec;
  if (ec.category() == boost::system::system_category()) return from_errno(ec.value());
  return ec;
}

}  // namespace simsock::net
