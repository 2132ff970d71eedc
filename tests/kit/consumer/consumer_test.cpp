// Uses the installed package's headers and libraries: the seeds, the mocks and the simulator.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <simsock/net/testing/mock_network.hpp>
#include <simsock/sim/testing/seeds.hpp>
#include <simsock/sim/testing/simsock_test.hpp>

// simsock's targets carry no compile definition to their consumers: Asio's deprecated interfaces,
// say, stay as the consumer's own build has them.
#ifdef BOOST_ASIO_NO_DEPRECATED
#error "a simsock target forced BOOST_ASIO_NO_DEPRECATED on this consumer"
#endif

TEST(Consumer, SeedsAndMocksWorkFromTheInstalledPackage) {
  std::vector<std::uint64_t> seeds;
  simsock::test::for_each_seed([&](std::uint64_t s) { seeds.push_back(s); }, 3);
  EXPECT_EQ(seeds, (std::vector<std::uint64_t>{1, 2, 3}));

  boost::asio::io_context io;
  simsock::net::mock::MockTimer timer(io.get_executor());
  EXPECT_CALL(timer, wait_impl)
      .WillOnce(simsock::net::mock::Complete(io.get_executor(), simsock::net::error_code{}));
  bool fired = false;
  timer.async_wait([&](simsock::net::error_code ec) { fired = !ec; });
  io.run();
  EXPECT_TRUE(fired);
}

TEST(Consumer, SimulatedAppsRunFromTheInstalledPackage) {
  simsock::test::Sim sim(5);
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{latency: 10ms, tcp: {segment: {min: 1, max: 4}}}");
  sim.start_app("srv", "server", "tcp-ts-server");
  sim.start_app("cli", "client", "tcp-ts-client", {{"connect", "server:21567"}, {"message", "x"}},
                "50ms");
  sim.run_for("1s");
  EXPECT_EQ(sim.process("cli").exit_code, 0) << sim.process("cli").err;
  EXPECT_GT(sim.stat("tcp.segments"), 0u);
}
