// The snippets of docs/writing-tests.md that are not in tests/examples, copied verbatim, so that
// every one of them compiles and passes (the worked example's are in upper_server_test.cpp).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include <simsock/sim/testing/both_backends.hpp>
#include <simsock/sim/testing/simsock_test.hpp>

namespace {

namespace net = simsock::net;

// ---- "Seeds": reporting under gtest-spi

void fails_on_seed_seven() {
  simsock::test::for_each_seed([](std::uint64_t seed) { EXPECT_NE(seed, 7u); }, 20);
}

TEST(MyKit, ReportsTheFailingSeed) {
  EXPECT_NONFATAL_FAILURE(fails_on_seed_seven(), "failed at seed 7 (seed 7 of 1..20)");
}

// ---- "Code on hosts: spawn"

TEST(Heartbeat, BeatsOnceAndExits) {
  simsock::test::Sim sim;
  sim.add_host("client");
  sim.spawn("heartbeat", "client", [](net::Network& net, simsock::test::Process& p) {
    std::shared_ptr<net::Timer> t = net.make_timer();
    t->expires_at(net.now() + std::chrono::seconds(1));  // or expires_after(1s)
    t->async_wait([t, &p](net::error_code ec) {
      p.out() << "beat\n";
      p.exit(ec ? 1 : 0);
    });
  });
  sim.run_for("2s");
  EXPECT_EQ(sim.process("heartbeat").exit_code, 0);
  EXPECT_EQ(sim.process("heartbeat").out, "beat\n");
}

// ---- "One test, both backends"

class Echo : public simsock::test::BothBackends {};

TEST_P(Echo, ConnectsToAnyFreePort) {
  net::error_code ec;
  auto listener = network("server").listen(endpoint("server", 0), ec);
  ASSERT_FALSE(ec) << ec.message();
  if (sim()) sim()->set_link("client", "server", "{latency: 5ms}");  // simulator only
  std::unique_ptr<net::TcpStream> accepted, connected;
  listener->async_accept(
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { accepted = std::move(s); });
  network("client").async_connect(
      endpoint("server", listener->local_endpoint().port),
      [&](net::error_code, std::unique_ptr<net::TcpStream> s) { connected = std::move(s); });
  ASSERT_TRUE(run_until([&] { return accepted && connected; }));
}

SIMSOCK_BOTH_BACKENDS(Echo);  // Backends/Echo.ConnectsToAnyFreePort/sim and .../loopback

}  // namespace
