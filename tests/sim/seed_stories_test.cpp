// The seed tutorial's stories, told by the real apps inside the simulator: TCP segmentation breaks
// the program that assumes one send = one recv and not the one that reads until close; UDP loss
// hangs the client without a timeout and not the one that retries.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <simsock/apps/app.hpp>
#include <simsock/tools/app_process.hpp>
#include "tests/sim/sim_test_util.hpp"

namespace simsock::sim {
namespace {

using namespace testing;

// Spawns app `name` with (option, value) pairs; fails the test if the options are invalid.
void spawn_app(World& w, const std::string& proc, const std::string& host, const std::string& name,
               const std::vector<std::pair<std::string, std::string>>& args,
               Duration start = Duration(0)) {
  const apps::AppSpec* app = apps::find_app(name);
  ASSERT_NE(app, nullptr) << name;
  apps::Options options;
  auto err = apps::parse_options(*app, args, options);
  ASSERT_FALSE(err) << err->message;
  w.spawn(proc, host, name, cli::make_app_process(*app, std::move(options)), {}, start);
}

ProcessResult result(World& w, const std::string& name) {
  for (auto& p : w.processes()) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << "no process " << name;
  return {};
}

const std::vector<std::string> k_messages = {"hello world", "second line", "a third, longer line"};

std::vector<std::pair<std::string, std::string>> with_messages(
    std::vector<std::pair<std::string, std::string>> args) {
  for (const auto& m : k_messages) args.push_back({"message", m});
  return args;
}

// Every line is "[timestamp] MESSAGE" for the messages in order.
bool replies_match(const std::string& out) {
  std::string expected;
  for (const auto& m : k_messages) expected += "[2000-01-01 00:00:00] " + m + "\n";
  return out == expected;
}

LinkConfig tiny_segments() {
  LinkConfig link;
  link.latency = 5ms;
  link.tcp.segment = {1, 3};
  return link;
}

TEST(SeedStories, TinyTcpSegmentsBreakTheClientThatReadsOnceButNotTheOneThatReadsUntilClose) {
  int broken = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    World w(seed);
    add_two_hosts(w, tiny_segments());
    spawn_app(w, "srv", "server", "tcp-ts-server", {{"listen", "0.0.0.0:21567"}});
    spawn_app(w, "cli", "client", "tcp-ts-client", with_messages({{"connect", "server:21567"}}),
              100ms);
    spawn_app(w, "lsrv", "server", "line-ts-server", {{"listen", "0.0.0.0:21568"}});
    spawn_app(w, "lcli", "client", "line-ts-client", with_messages({{"connect", "server:21568"}}),
              100ms);
    w.run_until(10s);
    auto cli = result(w, "cli");
    auto lcli = result(w, "lcli");
    EXPECT_EQ(lcli.state, ProcessState::exited) << "seed " << seed;
    EXPECT_EQ(lcli.exit_code, 0) << "seed " << seed << " " << lcli.err;
    EXPECT_TRUE(replies_match(lcli.out)) << "seed " << seed << ":\n" << lcli.out;
    broken += !replies_match(cli.out);
    EXPECT_GT(w.stats().at("tcp.segments"), 50u);
  }
  EXPECT_EQ(broken, 5) << "tcp-ts-client should print fragments, not its whole replies";
}

TEST(SeedStories, WithoutImpairmentsTheReadOnceClientWorks) {
  World w(1);
  LinkConfig link;
  link.latency = 5ms;
  add_two_hosts(w, link);
  spawn_app(w, "srv", "server", "tcp-ts-server", {{"listen", "0.0.0.0:21567"}});
  spawn_app(w, "cli", "client", "tcp-ts-client", with_messages({{"connect", "server:21567"}}),
            100ms);
  w.run_until(10s);
  auto cli = result(w, "cli");
  EXPECT_EQ(cli.exit_code, 0);
  EXPECT_TRUE(replies_match(cli.out)) << cli.out;
}

LinkConfig lossy_udp() {
  LinkConfig link;
  link.latency = 5ms;
  link.udp.loss = 0.3;
  return link;
}

TEST(SeedStories, UdpLossLeavesTheClientWithoutTimeoutWaitingForever) {
  int stuck = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    World w(seed);
    add_two_hosts(w, lossy_udp());
    spawn_app(w, "srv", "server", "udp-ts-server", {{"listen", "0.0.0.0:21567"}});
    spawn_app(w, "cli", "client", "udp-ts-client",
              with_messages({{"connect", "server:21567"}, {"timeout", "0"}}), 100ms);
    w.run_until(30s);
    stuck += result(w, "cli").state == ProcessState::running;
  }
  // Each of 3 exchanges survives with probability 0.7^2: all three with about 0.12.
  EXPECT_GE(stuck, 6);
}

// The messages of every reply line, timestamps removed.
std::string messages_of(const std::string& out) {
  static const std::regex stamp(R"(^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] )");
  std::string result, line;
  std::istringstream in(out);
  while (std::getline(in, line)) result += std::regex_replace(line, stamp, "") + "\n";
  return result;
}

TEST(SeedStories, UdpLossIsHarmlessToTheClientThatRetries) {
  std::uint64_t dropped = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    World w(seed);
    add_two_hosts(w, lossy_udp());
    spawn_app(w, "srv", "server", "udp-ts-server", {{"listen", "0.0.0.0:21567"}});
    spawn_app(w, "cli", "client", "udp-ts-client",
              with_messages({{"connect", "server:21567"}, {"timeout", "200ms"}, {"retries", "10"}}),
              100ms);
    w.run_until(30s);
    auto cli = result(w, "cli");
    EXPECT_EQ(cli.state, ProcessState::exited) << "seed " << seed;
    EXPECT_EQ(cli.exit_code, 0) << "seed " << seed << " " << cli.err;
    EXPECT_EQ(messages_of(cli.out), "hello world\nsecond line\na third, longer line\n")
        << "seed " << seed;
    dropped += w.stats().at("udp.dropped");
  }
  EXPECT_GT(dropped, 5u);
}

}  // namespace
}  // namespace simsock::sim
