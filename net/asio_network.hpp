// The real-socket backend: net::Network on the operating system's sockets through Boost.Asio,
// IPv4 and IPv6. The factory is all there is; the implementation is private to asio_network.cpp.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include <simsock/net/network.hpp>

namespace simsock::net {

// A Network whose sockets are real OS sockets driven by `io`. Handlers run on io's executor; the
// caller runs io (io.run()). `io` must outlive the network and every object made from it.
// Also ignores SIGPIPE for the process (writes report broken_pipe instead).
std::unique_ptr<Network> make_asio_network(asio::io_context& io);

}  // namespace simsock::net
