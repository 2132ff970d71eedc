// The proxy's two kinds, made by Proxy::start. Internal to the proxy.
#pragma once

#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/basic_resolver.hpp>

#include <simsock/tools/proxy/proxy.hpp>

namespace simsock::proxy {

std::unique_ptr<Proxy> make_tcp_proxy(asio::io_context& io, const ProxySpec& spec,
                                      std::uint64_t seed, Trace& trace);
std::unique_ptr<Proxy> make_udp_proxy(asio::io_context& io, const ProxySpec& spec,
                                      std::uint64_t seed, Trace& trace);

// The first address spec.to_host resolves to (blocking). Throws std::system_error naming it.
template <class Protocol>
typename Protocol::endpoint resolve_target(asio::io_context& io, const ProxySpec& spec) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(spec.to_host, ec);
  if (!ec) return {a, spec.to_port};
  typename Protocol::resolver r(io);
  auto results = r.resolve(spec.to_host, std::to_string(spec.to_port), ec);
  if (ec || results.empty()) {
    throw std::system_error(ec ? ec : asio::error::host_not_found,
                            "cannot resolve " + spec.to_host);
  }
  return *results.begin();
}

}  // namespace simsock::proxy
