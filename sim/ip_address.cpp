// IpAddress: conversions to and from Asio's address, byte by byte in network order.
#include <simsock/sim/ip_address.hpp>

namespace simsock::sim {

IpAddress IpAddress::from_v6(const boost::asio::ip::address_v6& a) {
  const auto b = a.to_bytes();
  std::uint32_t w[4] = {};
  for (std::size_t i = 0; i < 16; ++i) w[i / 4] = w[i / 4] << 8 | b[i];
  return IpAddress(w[0], w[1], w[2], w[3]);
}

std::array<unsigned char, 16> IpAddress::v6_bytes() const {
  std::array<unsigned char, 16> b{};
  for (std::size_t i = 0; i < 16; ++i) {
    b[i] = static_cast<unsigned char>(w_[i / 4] >> (24 - 8 * (i % 4)));
  }
  return b;
}

const char* unusable_host_address(const boost::asio::ip::address& a) {
  if (a.is_v4()) {
    const auto v4 = a.to_v4();
    if (v4.is_loopback()) return "a loopback address (127.0.0.0/8)";
    if (v4.is_unspecified()) return "the unspecified address";
    if (v4.is_multicast()) return "a multicast address (224.0.0.0/4)";
    if (v4 == boost::asio::ip::address_v4::broadcast()) return "the broadcast address";
    return nullptr;
  }
  const auto v6 = a.to_v6();
  if (v6.is_loopback()) return "the IPv6 loopback address (::1)";
  if (v6.is_unspecified()) return "the unspecified address";
  if (v6.is_multicast()) return "a multicast address (ff00::/8)";
  if (v6.is_link_local()) return "a link-local address (fe80::/10), which needs a scope";
  if (v6.is_v4_mapped()) return "an IPv4-mapped address (give the IPv4 address itself)";
  return nullptr;
}

}  // namespace simsock::sim
