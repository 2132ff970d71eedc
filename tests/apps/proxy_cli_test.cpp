// `simsock proxy` in front of real programs: the seed tutorial's Python programs (peers/) and
// simsock's own apps, on IPv4 and IPv6 loopback. The flagship stories of the simulator happen on
// real sockets: 1-3 byte segments break the one-recv TCP client and not the line client, UDP loss
// hangs the seed's UDP client while a retrying client succeeds, and the same seed gives the same
// segment sizes, equal to the simulator's for the same link and seed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <simsock/tools/proxy/test_proxy.hpp>
#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

const std::string kFragmenting = "{tcp: {segment: {min: 1, max: 3}}}";

std::vector<std::string> python(const std::string& peer, const std::string& ip,
                                std::uint16_t port) {
  return {"python3", "-u", std::string(SIMSOCK_PEERS_DIR) + "/" + peer, ip, std::to_string(port)};
}

std::vector<std::string> proxy_args(std::vector<std::string> args) {
  std::vector<std::string> v{SIMSOCK_BINARY, "proxy"};
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

std::string mask(const std::string& s) {
  return std::regex_replace(s, std::regex(kStamp), "[TS] ");
}

std::string to(std::uint16_t port, const std::string& ip = "127.0.0.1") {
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("simsock-proxy-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// (seq, len) of every tcp.segment the trace at `path` records from a source whose port is not
// `server_port`: the client -> server direction.
std::vector<std::pair<long, long>> client_segments(const std::string& trace,
                                                   std::uint16_t server_port) {
  std::vector<std::pair<long, long>> out;
  std::istringstream in(trace);
  std::string line;
  std::regex re(
      R"re("ev":"tcp.segment","src":"[^"]*:(\d+)","dst":"[^"]*","len":(\d+),"seq":(\d+))re");
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    if (std::stoi(m[1]) == server_port) continue;
    out.emplace_back(std::stol(m[3]), std::stol(m[2]));
  }
  return out;
}

// The seed's TCP pair through a fragmenting proxy with `seed`: the client's output and the
// proxy's trace. A fresh server each time: the seed's server serves one client at a time and
// dies when a client resets it.
struct ProxiedRun {
  std::string out, trace;
  std::uint16_t server_port = 0;
};
ProxiedRun seed_tcp_through_proxy(const std::string& server, const std::string& client,
                                  std::uint64_t seed, const std::string& link = kFragmenting) {
  ChildProcess srv(python(server, "127.0.0.1", 0));
  ProxiedRun run;
  run.server_port = wait_for_port(srv);
  std::string trace = temp_path("trace-" + std::to_string(seed) + ".jsonl");
  ChildProcess proxy(proxy_args({"--listen", "127.0.0.1:0", "--to", to(run.server_port), "--link",
                                 link, "--seed", std::to_string(seed), "--trace", trace}));
  auto port = wait_for_port(proxy);
  ChildProcess cli(python(client, "127.0.0.1", port), "hello world\nsecond line\n\n");
  EXPECT_TRUE(cli.wait().has_value()) << cli.err();
  run.out = cli.out();
  proxy.send_signal(SIGTERM);
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  run.trace = slurp(trace);
  std::remove(trace.c_str());
  return run;
}

TEST(ProxySeedPrograms, OneToThreeByteSegmentsBreakTheOneRecvTcpClient) {
  ProxiedRun run = seed_tcp_through_proxy("tstserv.py", "tstclnt.py", 7);
  EXPECT_NE(mask(run.out), "[TS] hello world\n[TS] second line\n") << run.out;
  EXPECT_GE(client_segments(run.trace, run.server_port).size(), 8u) << run.trace;
}

// The seed's SocketServer server reads a whole line whatever the segments; simsock's
// line-ts-client (seed 2.6, made robust) reads until the close: exact, as in the flagship.
TEST(ProxySeedPrograms, OneToThreeByteSegmentsLeaveTheLineClientExact) {
  ChildProcess srv(python("tsTservSS.py", "127.0.0.1", 0));
  auto server_port = wait_for_port(srv);
  ChildProcess proxy(proxy_args(
      {"--listen", "127.0.0.1:0", "--to", to(server_port), "--link", kFragmenting, "--seed", "7"}));
  auto port = wait_for_port(proxy);
  ChildProcess cli(simsock_app("line-ts-client", {"--connect", to(port), "--message", "hello world",
                                                  "--message", "second line"}));
  EXPECT_EQ(cli.wait(), 0) << cli.err();
  EXPECT_EQ(mask(cli.out()), "[TS] hello world\n[TS] second line\n") << cli.out();
}

TEST(ProxySeedPrograms, TheSameSeedGivesTheSameSegmentSizesTwice) {
  auto first = seed_tcp_through_proxy("tstserv.py", "tstclnt.py", 7);
  auto second = seed_tcp_through_proxy("tstserv.py", "tstclnt.py", 7);
  auto other = seed_tcp_through_proxy("tstserv.py", "tstclnt.py", 8);
  auto a = client_segments(first.trace, first.server_port);
  auto b = client_segments(second.trace, second.server_port);
  ASSERT_FALSE(a.empty()) << first.trace;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, client_segments(other.trace, other.server_port));
}

TEST(ProxySeedPrograms, SegmentSizesEqualTheSimulatorsForTheSameLinkAndSeed) {
  auto real = seed_tcp_through_proxy("tstserv.py", "tstclnt.py", 7);
  std::string scenario = temp_path("repro.yaml"), trace = temp_path("sim.jsonl");
  std::ofstream(scenario) << "name: repro\nseed: 7\nduration: 5s\nhosts:\n"
                             "  - {name: server, address: 10.0.0.1}\n"
                             "  - {name: client, address: 10.0.0.2}\n"
                             "network: {default: "
                          << kFragmenting
                          << "}\n"
                             "processes:\n"
                             "  - {name: srv, host: server, app: tcp-ts-server}\n"
                             "  - {name: cli, host: client, app: tcp-ts-client, start: 100ms,\n"
                             "     args: {connect: \"server:21567\", message: [hello world, second "
                             "line]}}\n";
  ChildProcess sim({SIMSOCK_BINARY, "run", scenario, "--trace", trace, "--quiet"});
  EXPECT_EQ(sim.wait(), 0) << sim.err();
  auto simulated = client_segments(slurp(trace), 21567);
  std::remove(scenario.c_str());
  std::remove(trace.c_str());
  auto proxied = client_segments(real.trace, real.server_port);
  ASSERT_EQ(proxied.size(), simulated.size()) << real.trace;
  EXPECT_EQ(proxied, simulated);
}

TEST(ProxySeedPrograms, UdpLossHangsTheSeedsUdpClient) {
  ChildProcess srv(python("tsuserv.py", "127.0.0.1", 0));
  auto server_port = wait_for_port(srv);
  test::ProxyOptions options;
  options.to = to(server_port);
  options.link = "{udp: {loss: 30%}}";
  options.udp = true;
  options.seed = 3;
  test::Proxy proxy(options);
  std::string input;
  for (int i = 1; i <= 20; ++i) input += "message " + std::to_string(i) + "\n";
  ChildProcess cli(python("tsuclnt.py", "127.0.0.1", proxy.port()), input + "\n");
  // Once a datagram of its exchange is dropped the seed's client (no timeout) waits forever.
  auto dropped = [&] {
    std::smatch m;
    std::string stats = proxy.command("stats");
    std::regex_search(stats, m, std::regex(R"(dropped=(\d+))"));
    return m.empty() ? 0 : std::stoi(m[1]);
  };
  for (int i = 0; i < 3000 && dropped() == 0 && cli.running(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(dropped(), 1) << proxy.command("stats");
  EXPECT_TRUE(cli.running()) << cli.out();
  cli.send_signal(SIGKILL);
  cli.wait();
  const std::string out = cli.out();
  EXPECT_LT(std::count(out.begin(), out.end(), '\n'), 20) << out;
}

TEST(ProxySeedPrograms, ARetryingUdpClientSucceedsThroughThirtyPercentLoss) {
  ChildProcess srv(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto server_port = wait_for_port(srv);
  ChildProcess proxy(proxy_args({"--udp", "--listen", "127.0.0.1:0", "--to", to(server_port),
                                 "--link", "{udp: {loss: 30%}}", "--seed", "3"}));
  auto port = wait_for_port(proxy);
  std::vector<std::string> args{"--connect", to(port), "--timeout", "300ms", "--retries", "12"};
  for (int i = 1; i <= 10; ++i) {
    args.push_back("--message");
    args.push_back("m" + std::to_string(i));
  }
  ChildProcess cli(simsock_app("udp-ts-client", args));
  EXPECT_EQ(cli.wait(), 0) << cli.err();
  const std::string out = cli.out();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 10) << out;
  proxy.send_signal(SIGINT);
  EXPECT_EQ(proxy.wait(), 0);
  EXPECT_NE(proxy.err().find("dropped="), std::string::npos) << proxy.err();
  EXPECT_EQ(proxy.err().find("dropped=0 "), std::string::npos) << proxy.err();
}

// simsock's apps through a proxy without impairments, over IPv4 and IPv6 loopback.
class ProxyApps : public ::testing::TestWithParam<std::string> {};

TEST_P(ProxyApps, TcpAndLineClientsGetExactRepliesThroughTheProxy) {
  const std::string ip = GetParam();
  for (const auto& [server, client] :
       {std::pair{"tcp-ts-server", "tcp-ts-client"}, {"line-ts-server", "line-ts-client"}}) {
    ChildProcess srv(simsock_app(server, {"--listen", to(0, ip)}));
    auto server_port = wait_for_port(srv);
    ChildProcess proxy(proxy_args(
        {"--listen", to(0, ip), "--to", to(server_port, ip), "--link", "{latency: 2ms}"}));
    auto port = wait_for_port(proxy);
    ChildProcess cli(simsock_app(
        client, {"--connect", to(port, ip), "--message", "hello", "--message", "second line"}));
    EXPECT_EQ(cli.wait(), 0) << client << ": " << cli.err();
    EXPECT_EQ(mask(cli.out()), "[TS] hello\n[TS] second line\n") << client << ": " << cli.out();
    proxy.send_signal(SIGTERM);
    EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  }
}

TEST_P(ProxyApps, UdpClientGetsExactRepliesThroughTheProxy) {
  const std::string ip = GetParam();
  ChildProcess srv(simsock_app("udp-ts-server", {"--listen", to(0, ip)}));
  auto server_port = wait_for_port(srv);
  ChildProcess proxy(proxy_args({"--udp", "--listen", to(0, ip), "--to", to(server_port, ip)}));
  auto port = wait_for_port(proxy);
  ChildProcess cli(simsock_app("udp-ts-client", {"--connect", to(port, ip), "--message", "hello"}));
  EXPECT_EQ(cli.wait(), 0) << cli.err();
  EXPECT_EQ(mask(cli.out()), "[TS] hello\n");
}

INSTANTIATE_TEST_SUITE_P(Loopback, ProxyApps, ::testing::Values("127.0.0.1", "::1"),
                         [](const auto& info) { return info.index == 0 ? "IPv4" : "IPv6"; });

// A bad --link exits 2 with one located message naming the key and the value.
TEST(ProxyCli, BadLinkValuesGiveLocatedErrors) {
  struct Case {
    std::string link, expected;
  };
  const std::vector<Case> cases{
      {"{tcp: {segment: {min: 0, max: 3}}}",
       R"(^--link:1:\d+: error: tcp\.segment\.min: '0' is not a segment size)"},
      {"{latency: 20 ms}", R"(^--link:1:\d+: error: latency: '20 ms' is not a duration)"},
      {"{udp: {loss: 130%}}", R"(^--link:1:\d+: error: udp\.loss: '130%' is not a probability)"},
      {"{lateny: 5ms}", R"(^--link:1:\d+: error: .*unknown key 'lateny')"},
      {"{tcp: {segment: {min: 5, max: 3}}}",
       R"(^--link:1:\d+: error: tcp\.segment\.max: '3' is smaller than min)"},
      {"20ms", R"(^--link:1:1: error: .*link like)"},
      {"{latency: [", R"(^--link:\d+:\d+: error: )"},
      {"", R"(^--link:1:1: error: empty link)"},
      {"  ", R"(^--link:1:1: error: empty link)"},
  };
  for (const auto& c : cases) {
    ChildProcess p(
        proxy_args({"--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--link", c.link}));
    EXPECT_EQ(p.wait(), 2) << c.link;
    EXPECT_TRUE(std::regex_search(p.err(), std::regex(c.expected))) << c.link << ": " << p.err();
  }
}

TEST(ProxyCli, BadAddressesAreUsageErrors) {
  ChildProcess a(proxy_args({"--listen", "localhost:9000", "--to", "127.0.0.1:9"}));
  EXPECT_EQ(a.wait(), 2);
  EXPECT_NE(a.err().find("--listen: 'localhost:9000' is not ADDR:PORT"), std::string::npos)
      << a.err();
  ChildProcess b(proxy_args({"--listen", "127.0.0.1:0"}));
  EXPECT_EQ(b.wait(), 2);
  EXPECT_NE(b.err().find("give --listen ADDR:PORT and --to HOST:PORT"), std::string::npos)
      << b.err();
  ChildProcess c(proxy_args({"--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--seed", "x"}));
  EXPECT_EQ(c.wait(), 2);
  EXPECT_NE(c.err().find("--seed: 'x' is not a seed"), std::string::npos) << c.err();
}

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  return addr;
}

// A connection to the Unix socket at `path`; invalid (errno set) when it is refused.
Fd unix_connect(const std::string& path) {
  Fd c(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr = unix_address(path);
  if (::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Fd();
  return c;
}

// The control protocol on a Unix socket (--control PATH) and on standard input (--control -).
TEST(ProxyCli, TheControlSocketAnswersEachCommandWithOneLine) {
  std::string path = temp_path("control.sock");
  ChildProcess proxy(
      proxy_args({"--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--control", path}));
  auto port = wait_for_port(proxy);
  Fd c = unix_connect(path);
  ASSERT_TRUE(c) << errno;
  ASSERT_TRUE(send_all(c, "port\nlink {udp: {loss: 2}}\nclog\n"));
  EXPECT_EQ(recv_until(c, "ok\n"), "ok " + std::to_string(port) +
                                       "\nlink:1:14: error: udp.loss: '2' is not a probability "
                                       "(0..1 or 0%..100%)\nok\n");
  proxy.send_signal(SIGTERM);
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A proxy killed with SIGKILL cannot remove its socket file; the next one on the same path takes
// it over (nobody listens on it) and answers there.
TEST(ProxyCli, AControlSocketLeftByAKilledProxyIsTakenOver) {
  std::string path = temp_path("stale.sock");
  const std::vector<std::string> args{"--listen",    "127.0.0.1:0", "--to",
                                      "127.0.0.1:9", "--control",   path};
  {
    ChildProcess killed(proxy_args(args));
    wait_for_port(killed);
    killed.send_signal(SIGKILL);
    killed.wait();
  }
  ASSERT_TRUE(std::filesystem::is_socket(path));
  ASSERT_FALSE(unix_connect(path));
  ASSERT_EQ(errno, ECONNREFUSED);
  ChildProcess proxy(proxy_args(args));
  auto port = wait_for_port(proxy);
  ASSERT_NE(port, 0) << proxy.err();
  Fd c = unix_connect(path);
  ASSERT_TRUE(c) << errno;
  ASSERT_TRUE(send_all(c, "port\n"));
  EXPECT_EQ(recv_until(c, "\n"), "ok " + std::to_string(port) + "\n");
  proxy.send_signal(SIGTERM);
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A control socket another process listens on is not taken: the proxy says so and exits 2, and
// the other process keeps its socket.
TEST(ProxyCli, AControlSocketSomeoneListensOnIsKept) {
  std::string path = temp_path("live.sock");
  Fd other(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un addr = unix_address(path);
  ASSERT_EQ(::bind(other.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << errno;
  ASSERT_EQ(::listen(other.get(), 4), 0) << errno;
  ChildProcess proxy(
      proxy_args({"--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--control", path}));
  EXPECT_EQ(proxy.wait(), 2);
  EXPECT_NE(proxy.err().find("cannot make the control socket '" + path +
                             "': another process is listening on it"),
            std::string::npos)
      << proxy.err();
  EXPECT_TRUE(unix_connect(path)) << "the other process lost its socket";
  std::remove(path.c_str());
}

TEST(ProxyCli, TheControlProtocolAlsoRunsOnStandardInput) {
  ChildProcess proxy(
      proxy_args({"--listen", "127.0.0.1:0", "--to", "127.0.0.1:9", "--control", "-"}), "list\n",
      true);
  auto port = wait_for_port(proxy);
  ASSERT_TRUE(proxy.wait_for_out_lines(1)) << proxy.err();
  EXPECT_EQ(proxy.out(), "ok server tcp " + std::to_string(port) + "\n");
  proxy.send_signal(SIGINT);
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
}

TEST(ProxyCli, AProxyFileRunsItsProxiesAndTimelineUntilItsDuration) {
  ChildProcess srv(simsock_app("tcp-ts-server", {"--listen", "127.0.0.1:0"}));
  auto server_port = wait_for_port(srv);
  std::string file = temp_path("proxies.yaml"), trace = temp_path("file-trace.jsonl");
  std::ofstream(file)
      << "seed: 7\nduration: 3s\nproxies:\n"
         "  - {name: web, listen: \"127.0.0.1:0\", to: \"127.0.0.1:"
      << server_port
      << "\", link: {latency: 1ms}}\n"
         "  - {name: dns, listen: \"127.0.0.1:0\", to: \"127.0.0.1:9\", udp: true}\n"
         "faults:\n"
         "  - {at: 100ms, partition: web}\n"
         "  - {at: 200ms, heal: web}\n"
         "  - {at: 300ms, set_link: {proxy: dns, udp: {loss: 50%}}}\n";
  ChildProcess proxy(proxy_args({file, "--trace", trace}));
  auto port = wait_for_port(proxy);
  ChildProcess cli(simsock_app("tcp-ts-client", {"--connect", to(port), "--message", "hi"}));
  EXPECT_EQ(cli.wait(), 0) << cli.err();
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  std::string t = slurp(trace);
  for (const char* fault : {"partition web", "heal web", "set_link dns"}) {
    EXPECT_NE(t.find(std::string("\"detail\":\"") + fault + "\""), std::string::npos) << t;
  }
  std::remove(file.c_str());
  std::remove(trace.c_str());
}

TEST(ProxyCli, ABadProxyFileGivesALocatedError) {
  std::string file = temp_path("bad.yaml");
  std::ofstream(file) << "proxies:\n  - {name: web, listen: \"127.0.0.1:0\", to: \"127.0.0.1:9\"}\n"
                         "faults:\n  - {at: 1s, partition: api}\n";
  ChildProcess p(proxy_args({file}));
  EXPECT_EQ(p.wait(), 2);
  EXPECT_TRUE(std::regex_search(
      p.err(), std::regex(":4:\\d+: error: faults\\[0\\]\\.partition: unknown proxy 'api'")))
      << p.err();
  std::remove(file.c_str());
}

}  // namespace
}  // namespace simsock::apps_test
