// `simsock app` and `simsock apps`: the command line generated from the app declarations, usage
// errors (exit 2), and stopping servers and clients with SIGINT / SIGTERM (exit 0).
#include <gtest/gtest.h>

#include <csignal>

#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

TEST(AppsCommand, ListsEveryAppWithItsOptions) {
  ChildProcess p({SIMSOCK_BINARY, "apps"});
  EXPECT_EQ(p.wait(), 0);
  for (auto name : {"tcp-ts-server", "tcp-ts-client", "udp-ts-server", "udp-ts-client",
                    "line-ts-server", "line-ts-client", "udp-ping", "tcp-sink", "tcp-bulk"}) {
    EXPECT_NE(p.out().find(std::string(name) + "\n"), std::string::npos) << name;
  }
  EXPECT_NE(p.out().find("--retries N"), std::string::npos);
  EXPECT_NE(p.out().find("--interval DURATION"), std::string::npos);
}

TEST(AppsCommand, HelpExitsZeroWithTheUsageLine) {
  ChildProcess p({SIMSOCK_BINARY, "apps", "--help"});
  EXPECT_EQ(p.wait(), 0) << p.err();
  EXPECT_NE(p.out().find("Usage: simsock apps"), std::string::npos) << p.out();
}

TEST(AppCommand, HelpListsEveryAppAsACommand) {
  ChildProcess p({SIMSOCK_BINARY, "app", "--help"});
  EXPECT_EQ(p.wait(), 0) << p.err();
  EXPECT_NE(p.out().find("Usage: simsock app"), std::string::npos) << p.out();
  EXPECT_NE(p.out().find("udp-ping"), std::string::npos) << p.out();
}

TEST(AppCommand, AppOptionsTakeTheEqualsFormAndRejectAStrayValue) {
  ChildProcess p({SIMSOCK_BINARY, "app", "udp-ping", "--connect=h:1", "--count", "2", "3"});
  EXPECT_EQ(p.wait(), 2);
  EXPECT_NE(p.err().find("unexpected argument '3'"), std::string::npos) << p.err();
}

TEST(AppCommand, HelpPrintsTheAppsOptions) {
  ChildProcess p(simsock_app("udp-ts-client", {"--help"}));
  EXPECT_EQ(p.wait(), 0);
  EXPECT_NE(p.out().find("--timeout DURATION"), std::string::npos) << p.out();
  EXPECT_NE(p.out().find("(default 1s)"), std::string::npos) << p.out();
}

struct UsageCase {
  std::vector<std::string> argv;
  std::string must_mention;
};

class AppUsageError : public ::testing::TestWithParam<UsageCase> {};

TEST_P(AppUsageError, ExitsTwoWithOneMessageNamingTheProblemAndAHint) {
  std::vector<std::string> argv{SIMSOCK_BINARY, "app"};
  argv.insert(argv.end(), GetParam().argv.begin(), GetParam().argv.end());
  ChildProcess p(argv);
  EXPECT_EQ(p.wait(), 2);
  EXPECT_NE(p.err().find(GetParam().must_mention), std::string::npos) << p.err();
  EXPECT_EQ(p.err().rfind("simsock app", 0), 0u) << p.err();
  EXPECT_NE(p.err().find("\nRun 'simsock help app"), std::string::npos) << p.err();
  EXPECT_EQ(p.out(), "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AppUsageError,
    ::testing::Values(
        UsageCase{{"no-such-app"}, "unknown app 'no-such-app'"},
        UsageCase{{"tcp-ts-client", "--connect", "h:1", "--colour", "red"},
                  "unknown option --colour"},
        UsageCase{{"udp-ts-client", "--connect", "h:1", "--timeout", "5x"}, "'5x'"},
        UsageCase{{"udp-ts-client", "--connect=h:1", "--timeout=5x"}, "--timeout"},
        UsageCase{{"tcp-ts-client", "--message", "hi"}, "missing required option --connect"},
        UsageCase{{"tcp-ts-server", "--listen", "localhost:80"}, "'localhost:80'"},
        UsageCase{{"tcp-ts-server", "--bufsize", "0"}, "'0'"},
        UsageCase{{"udp-ping", "--connect", "h:1", "--count", "-1"}, "--count"},
        UsageCase{{"tcp-bulk", "--connect"}, "--connect: 1 required HOST:PORT missing"},
        UsageCase{{"tcp-ts-server", "--listen", "127.0.0.1:1", "--listen", "127.0.0.1:2"},
                  "given twice"},
        UsageCase{{"tcp-ts-server", "stray"}, "'stray'"}));

class StopSignal : public ::testing::TestWithParam<int> {};

TEST_P(StopSignal, StopsAServerCleanlyWithExitZero) {
  ChildProcess server(simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  Fd c = tcp_connect("127.0.0.1", port);  // a connected client does not keep it alive
  ASSERT_TRUE(c);
  server.send_signal(GetParam());
  EXPECT_EQ(server.wait(), 0) << server.err();
}

TEST_P(StopSignal, StopsAClientWaitingForStdinWithExitZero) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  ChildProcess client(
      simsock_app("udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(port)}), "typed\n",
      /*keep_stdin_open=*/true);
  ASSERT_TRUE(client.wait_for_out_lines(1)) << client.err();
  client.send_signal(GetParam());
  EXPECT_EQ(client.wait(), 0) << client.err();
  EXPECT_TRUE(std::regex_match(client.out(), std::regex(kStamp + "typed\n"))) << client.out();
}

INSTANTIATE_TEST_SUITE_P(Signals, StopSignal, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) {
                           return info.param == SIGINT ? "SIGINT" : "SIGTERM";
                         });

TEST(AppCommand, ListeningOnAPortInUseIsExitOne) {
  Fd taken = tcp_listen("127.0.0.1");
  ChildProcess server(
      simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:" + std::to_string(local_port(taken))}));
  EXPECT_EQ(server.wait(), 1);
  EXPECT_NE(server.err().find("cannot listen"), std::string::npos) << server.err();
}

}  // namespace
}  // namespace simsock::apps_test
