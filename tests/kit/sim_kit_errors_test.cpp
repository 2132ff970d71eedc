// The kit's errors: every Sim call that names a host rejects an unknown one (no test passes
// vacuously on a misspelt host), and link errors name the link as the test set it.
#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <simsock/sim/testing/simsock_test.hpp>

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// The message of the std::invalid_argument `call` throws, or "" when it throws nothing.
std::string invalid_argument_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

TEST(SimKitErrors, EveryCallNamingAHostRejectsAnUnknownOne) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  auto idle = [](net::Network&) -> asio::awaitable<int> { co_return 0; };
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"set_link", [&] { sim.set_link("client", "sever", "{latency: 20ms}"); }},
      {"set_link", [&] { sim.set_link("sever", "client", "{latency: 20ms}", false); }},
      {"set_link", [&] { sim.set_link("client", "sever", test::link("{latency: 20ms}")); }},
      {"partition", [&] { sim.partition("client", "sever"); }},
      {"heal", [&] { sim.heal("sever", "client", 1s); }},
      {"clog", [&] { sim.clog("client", "sever", 1s); }},
      {"release", [&] { sim.release("client", "sever"); }},
      {"drop_nth", [&] { sim.drop_nth("client", "sever", "tcp", {1}); }},
      {"crash", [&] { sim.crash("sever", 1s); }},
      {"restart", [&] { sim.restart("sever", 2s); }},
      {"network", [&] { sim.network("sever"); }},
      {"faults", [&] { sim.faults("sever"); }},
      {"spawn", [&] { sim.spawn("p", "sever", idle); }},
      {"spawn", [&] { sim.spawn("p", "sever", [](net::Network&) {}); }},
      {"start_app", [&] { sim.start_app("a", "sever", "tcp-ts-server"); }},
  };
  for (const auto& [name, call] : calls) {
    const std::string message = invalid_argument_of(call);
    EXPECT_EQ(message, name + ": no host called 'sever' (hosts: client, server)") << name;
  }
  // Nothing was scheduled or started for the misspelt host.
  sim.run_for(5s);
  EXPECT_TRUE(sim.world().processes().empty());
}

TEST(SimKitErrors, ALinkFromAHostToItselfIsRejected) {
  test::Sim sim;
  sim.add_host("server");
  EXPECT_EQ(invalid_argument_of([&] { sim.set_link("server", "server", "{latency: 1ms}"); }),
            "set_link: host 'server' cannot be paired with itself");
}

TEST(SimKitErrors, LinkErrorsNameTheLinkAsSet) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  const std::string both = invalid_argument_of(
      [&] { sim.set_link("client", "server", "{tcp: {segment: {min: 0, max: 8}}}"); });
  EXPECT_EQ(both.rfind("link client<->server: tcp.segment.min", 0), 0u) << both;
  EXPECT_EQ(both.find("network.default"), std::string::npos) << both;
  const std::string one_way =
      invalid_argument_of([&] { sim.set_link("client", "server", "{latency: 3 parsecs}", false); });
  EXPECT_EQ(one_way.rfind("link client->server: latency", 0), 0u) << one_way;
  EXPECT_NE(one_way.find("3 parsecs"), std::string::npos) << one_way;
  const std::string by_default =
      invalid_argument_of([&] { sim.set_default_link("{udp: {loss: 140%}}"); });
  EXPECT_EQ(by_default.rfind("default link: udp.loss", 0), 0u) << by_default;
  EXPECT_EQ(by_default.find("network.default"), std::string::npos) << by_default;
}

}  // namespace
}  // namespace simsock
