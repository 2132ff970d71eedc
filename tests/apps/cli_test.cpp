// `simsock app` and `simsock apps`: the command line generated from the app declarations, usage
// errors (exit 2), and stopping servers (exit 0) and clients ("interrupted", exit 130) with SIGINT
// or SIGTERM.
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

TEST(AppsCommand, ListsTheTimeoutsAndCapsWithTheirDefaults) {
  ChildProcess p({SIMSOCK_BINARY, "apps"});
  EXPECT_EQ(p.wait(), 0);
  const auto out = p.out();
  // Each app's block runs from its name to the next blank line.
  auto block = [&](const std::string& app) {
    auto at = out.find(app + "\n");
    if (at == std::string::npos) return std::string();
    return out.substr(at, out.find("\n\n", at) - at);
  };
  for (auto app : {"tcp-ts-client", "line-ts-client", "tcp-bulk"}) {
    EXPECT_TRUE(
        std::regex_search(block(app), std::regex(R"(--timeout DURATION .*\(default 10s\))")))
        << app << ":\n"
        << block(app);
  }
  EXPECT_TRUE(std::regex_search(block("line-ts-client"),
                                std::regex(R"(--max-reply BYTES .*\(default 1048576\))")));
  for (auto app : {"tcp-ts-server", "line-ts-server", "tcp-sink"}) {
    EXPECT_TRUE(
        std::regex_search(block(app), std::regex(R"(--idle-timeout DURATION .*\(default 60s\))")))
        << app << ":\n"
        << block(app);
  }
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
        UsageCase{{"udp-ts-client", "--connect", "h:1", "--timeout", "9223372036.9s"},
                  "'9223372036.9s' is not a duration"},
        UsageCase{{"tcp-ts-client", "--message", "hi"}, "missing required option --connect"},
        UsageCase{{"tcp-ts-server", "--listen", "localhost:80"}, "'localhost:80'"},
        UsageCase{{"tcp-ts-server", "--bufsize", "0"}, "'0'"},
        UsageCase{{"tcp-ts-client", "--connect", "h:1", "--bufsize", "99999999999"},
                  "'99999999999' is more than 67108864 bytes"},
        UsageCase{{"udp-ping", "--connect", "h:1", "--size", "70000"}, "more than 65507 bytes"},
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

TEST_P(StopSignal, StopsAClientWaitingForStdinAsInterruptedWithExit130) {
  ChildProcess server(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  ChildProcess client(
      simsock_app("udp-ts-client", {"--connect", "127.0.0.1:" + std::to_string(port)}), "typed\n",
      /*keep_stdin_open=*/true);
  ASSERT_TRUE(client.wait_for_out_lines(1)) << client.err();
  client.send_signal(GetParam());
  EXPECT_EQ(client.wait(), 130) << client.err();
  EXPECT_EQ(client.err(), "udp-ts-client: interrupted\n");
  EXPECT_TRUE(std::regex_match(client.out(), std::regex(kStamp + "typed\n"))) << client.out();
}

TEST_P(StopSignal, StopsEachTcpClientWaitingForAReplyAsInterruptedWithExit130) {
  for (std::string app : {"tcp-ts-client", "line-ts-client", "tcp-bulk"}) {
    Fd listener = tcp_listen("127.0.0.1");
    ChildProcess client(simsock_app(
        app, {"--connect", "127.0.0.1:" + std::to_string(local_port(listener)),
              app == "tcp-bulk" ? "--bytes" : "--message", app == "tcp-bulk" ? "10" : "hi"}));
    Fd s = tcp_accept(listener);  // accepted, never answered
    ASSERT_TRUE(s);
    EXPECT_FALSE(recv_some(s).empty()) << app;  // the client has sent and now waits
    client.send_signal(GetParam());
    EXPECT_EQ(client.wait(), 130) << app << ": " << client.err();
    EXPECT_EQ(client.err(), app + ": interrupted\n");
  }
}

TEST_P(StopSignal, StopsUdpPingAsInterruptedWithExit130) {
  Fd u = udp_bind("127.0.0.1");
  ChildProcess ping(
      simsock_app("udp-ping", {"--connect", "127.0.0.1:" + std::to_string(local_port(u)), "--count",
                               "100000", "--interval", "10ms"}));
  ASSERT_TRUE(udp_recv(u, 10000));
  ping.send_signal(GetParam());
  EXPECT_EQ(ping.wait(), 130) << ping.err();
  EXPECT_EQ(ping.err(), "udp-ping: interrupted\n");
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
