#include <simsock/net/endpoint.hpp>

#include <simsock/net/units.hpp>

namespace simsock::net {

std::string Endpoint::to_string() const {
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

std::strong_ordering operator<=>(const Endpoint& a, const Endpoint& b) {
  if (a.address < b.address) return std::strong_ordering::less;
  if (b.address < a.address) return std::strong_ordering::greater;
  return a.port <=> b.port;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal must be bracketed
  }
  if (host.empty()) return std::nullopt;
  auto p = parse_uint(port);
  if (!p || *p > 65535) return std::nullopt;
  return HostPort{std::string(host), static_cast<std::uint16_t>(*p)};
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  auto hp = parse_host_port(text);
  if (!hp) return std::nullopt;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(hp->host, ec);
  if (ec) return std::nullopt;
  return Endpoint{addr, hp->port};
}

}  // namespace simsock::net
