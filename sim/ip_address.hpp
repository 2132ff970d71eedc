// The simulator's compact address: an IPv4 or IPv6 address in 16 bytes (4-byte aligned, so an
// endpoint is 20 bytes and a TCP packet still fits a task's inline storage), with no heap and
// cheap comparison, as it travels inside events, port tables and host maps. IPv4 is kept in its
// IPv4-mapped form (::ffff:a.b.c.d), so its 32-bit value is one word away.
#pragma once

#include <array>
#include <compare>
#include <cstdint>

#include <boost/asio/ip/address.hpp>

#include <simsock/net/endpoint.hpp>

namespace simsock::sim {

class IpAddress {
 public:
  // 0.0.0.0.
  constexpr IpAddress() = default;
  static constexpr IpAddress v4(std::uint32_t a) { return IpAddress(0, 0, 0xffff, a); }
  // Any address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address a.b.c.d, as
  // the interface reports IPv4 peers of dual-stack sockets.
  static IpAddress from(const boost::asio::ip::address& a) {
    return a.is_v4() ? v4(a.to_v4().to_uint()) : from_v6(a.to_v6());
  }
  static constexpr IpAddress loopback(bool v6) {
    return v6 ? IpAddress(0, 0, 0, 1) : v4(0x7f000001);
  }
  static constexpr IpAddress any(bool v6) { return v6 ? IpAddress(0, 0, 0, 0) : v4(0); }
  // The lowest address in IpAddress order (it is ::).
  static constexpr IpAddress lowest() { return IpAddress(0, 0, 0, 0); }

  constexpr bool is_v4() const { return w_[2] == 0xffff && (w_[0] | w_[1]) == 0; }
  constexpr bool is_v6() const { return !is_v4(); }
  // The IPv4 value (meaningless for an IPv6 address).
  constexpr std::uint32_t v4_value() const { return w_[3]; }
  // 0.0.0.0 or ::.
  constexpr bool is_unspecified() const {
    return w_[3] == 0 && w_[0] == 0 && w_[1] == 0 && (w_[2] == 0 || w_[2] == 0xffff);
  }
  // 127.0.0.0/8 or ::1.
  constexpr bool is_loopback() const {
    return is_v4() ? (w_[3] >> 24) == 127 : w_[0] == 0 && w_[1] == 0 && w_[2] == 0 && w_[3] == 1;
  }
  // The 16 bytes of an IPv6 address (of the mapped form for IPv4), in network order.
  std::array<unsigned char, 16> v6_bytes() const;
  // As Asio's address: IPv4 as an address_v4 (never ::ffff:a.b.c.d).
  boost::asio::ip::address to_address() const {
    if (is_v4()) return boost::asio::ip::address_v4(w_[3]);
    return boost::asio::ip::address_v6(v6_bytes());
  }

  // A total order for ordered containers, content-based (never pointers): the last word first,
  // which for IPv4 is the address itself, so most comparisons end after one word. :: is the
  // lowest address.
  friend constexpr std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    for (int i = 3; i >= 0; --i) {
      if (a.w_[i] != b.w_[i]) return a.w_[i] <=> b.w_[i];
    }
    return std::strong_ordering::equal;
  }
  // Word by word, without branches (the defaulted comparison calls memcmp).
  friend constexpr bool operator==(const IpAddress& a, const IpAddress& b) {
    return ((a.w_[0] ^ b.w_[0]) | (a.w_[1] ^ b.w_[1]) | (a.w_[2] ^ b.w_[2]) |
            (a.w_[3] ^ b.w_[3])) == 0;
  }

 private:
  static IpAddress from_v6(const boost::asio::ip::address_v6& a);
  constexpr IpAddress(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d)
      : w_{a, b, c, d} {}
  std::array<std::uint32_t, 4> w_{0, 0, 0xffff, 0};  // most significant word first
};

// Why `a` cannot be a simulated host's address ("a loopback address (127.0.0.0/8)", "the
// unspecified address", "a multicast address (ff00::/8)", ...), or null when it can: a host's
// address is unicast, not loopback (every host has 127.0.0.0/8 and ::1 already), not link-local
// IPv6 (fe80::/10 needs a scope) and not IPv4-mapped (::ffff:a.b.c.d is the IPv4 address).
const char* unusable_host_address(const boost::asio::ip::address& a);

// An endpoint as it travels inside events (20 bytes).
struct WireEndpoint {
  IpAddress addr;
  std::uint16_t port = 0;
  static WireEndpoint from(const net::Endpoint& e) { return {IpAddress::from(e.address), e.port}; }
  net::Endpoint to_endpoint() const { return {addr.to_address(), port}; }
};

}  // namespace simsock::sim
