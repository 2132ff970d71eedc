// Uses the interface, the real-socket backend and the simulator from simsock::simsock alone.
#include <simsock/net/asio_network.hpp>
#include <simsock/sim/world.hpp>
#include <simsock/version.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>

// simsock's targets carry no compile definition to their consumers: Asio's deprecated interfaces,
// say, stay as the consumer's own build has them.
#ifdef BOOST_ASIO_NO_DEPRECATED
#error "a simsock target forced BOOST_ASIO_NO_DEPRECATED on this consumer"
#endif

int main() {
  boost::asio::io_context io;
  auto real = simsock::net::make_asio_network(io);
  simsock::sim::World world(7);
  world.add_host("a", "10.0.0.1");
  world.run_for(std::chrono::milliseconds(5));
  std::printf("simsock %s: real backend %s, simulated clock at %lld ns\n", simsock::version_string,
              real ? "made" : "missing", static_cast<long long>(world.now().count()));
  return real && world.find_host("a") && world.now() == std::chrono::milliseconds(5) ? 0 : 1;
}
