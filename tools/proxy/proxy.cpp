#include <simsock/tools/proxy/proxy.hpp>

#include <simsock/tools/proxy/proxy_parts.hpp>

namespace simsock::proxy {

std::unique_ptr<Proxy> Proxy::start(asio::io_context& io, const ProxySpec& spec, std::uint64_t seed,
                                    Trace& trace) {
  return spec.udp ? make_udp_proxy(io, spec, seed, trace) : make_tcp_proxy(io, spec, seed, trace);
}

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(port);
  return a.to_string() + ":" + std::to_string(port);
}

}  // namespace simsock::proxy
