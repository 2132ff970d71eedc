// Addresses and endpoints as apps see them. No socket headers: an Endpoint is an IP address and a
// port, printable as "10.0.0.2:40001" or "[::1]:21567".
#pragma once

#include <boost/asio/ip/address.hpp>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simsock::net {

namespace asio = boost::asio;

// An IP address (v4 or v6) and a port.
struct Endpoint {
  asio::ip::address address;
  std::uint16_t port = 0;

  // "A.B.C.D:PORT" for IPv4, "[V6]:PORT" for IPv6.
  std::string to_string() const;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
  friend std::strong_ordering operator<=>(const Endpoint& a, const Endpoint& b);
};

// A "HOST:PORT" string split into its parts. HOST may be a name, an IPv4 literal or a bracketed
// IPv6 literal ("[::1]:21567"); brackets are removed.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// Splits "HOST:PORT". Returns nullopt when there is no colon, the host is empty, or the port is not
// a decimal number in 0..65535.
std::optional<HostPort> parse_host_port(std::string_view text);

// Parses "IP:PORT" with a literal address (no names). Returns nullopt when it is not one.
std::optional<Endpoint> parse_endpoint(std::string_view text);

}  // namespace simsock::net
