// `simsock proxy` in front of real programs: the seed tutorial's Python programs (peers/) and
// simsock's own apps, on IPv4 and IPv6 loopback. The flagship stories of the simulator happen on
// real sockets: 1-3 byte segments break the one-recv TCP client and not the line client, UDP loss
// hangs the seed's UDP client while a retrying client succeeds, and the same seed gives the same
// segment sizes, equal to the simulator's for the same link and seed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
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
  auto counter = [&](const std::string& key) {
    std::smatch m;
    std::string stats = proxy.command("stats");
    std::regex_search(stats, m, std::regex(" " + key + R"(=(\d+))"));
    return m.empty() ? 0 : std::stoi(m[1]);
  };
  for (int i = 0; i < 3000 && counter("dropped") == 0 && cli.running(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(counter("dropped"), 1) << proxy.command("stats");
  // Stuck, not slow: long after the drop it still runs, has printed nothing more, and has sent
  // nothing more through the proxy.
  std::this_thread::sleep_for(300ms);
  const std::string out_at_drop = cli.out();
  const int datagrams_at_drop = counter("datagrams");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(cli.running()) << cli.out();
  EXPECT_EQ(cli.out(), out_at_drop);
  EXPECT_EQ(counter("datagrams"), datagrams_at_drop) << proxy.command("stats");
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

// (t, ev, detail) of every event of a JSON Lines trace.
struct Event {
  long long t = 0;
  std::string ev, detail;
};
std::vector<Event> events(const std::string& trace) {
  std::vector<Event> out;
  std::istringstream in(trace);
  std::string line;
  const std::regex head(R"re(^\{"t":(\d+),"ev":"([^"]+)")re"), detail(R"re("detail":"([^"]*)")re");
  while (std::getline(in, line)) {
    std::smatch m, d;
    if (!std::regex_search(line, m, head)) continue;
    Event e{std::stoll(m[1]), m[2], ""};
    if (std::regex_search(line, d, detail)) e.detail = d[1];
    out.push_back(e);
  }
  return out;
}

// The file's timeline partitions the proxy in front of a timestamp server while a client sends a
// line every 20 ms: nothing is delivered between partition and heal, the lines sent meanwhile
// are held and delivered after the heal, and every line and its reply arrive, in order.
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
         "  - {at: 500ms, partition: web}\n"
         "  - {at: 1500ms, heal: web}\n"
         "  - {at: 1600ms, set_link: {proxy: dns, udp: {loss: 50%}}}\n";
  ChildProcess proxy(proxy_args({file, "--trace", trace}));
  auto port = wait_for_port(proxy);
  Fd c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(c);
  constexpr int k_lines = 100;  // 2 s of lines, across the partition
  for (int i = 0; i < k_lines; ++i) {
    ASSERT_TRUE(send_all(c, "line " + std::to_string(i) + "\n"));
    std::this_thread::sleep_for(20ms);
  }
  ::shutdown(c.get(), SHUT_WR);
  // The server stamps what each recv gave it: the lines held by the partition come back under
  // one stamp. Without the stamps, every line, once and in order.
  std::string sent;
  for (int i = 0; i < k_lines; ++i) sent += "line " + std::to_string(i) + "\n";
  const std::string replies = recv_until_close(c);
  EXPECT_EQ(std::regex_replace(replies, std::regex(kStamp), ""), sent) << replies;
  EXPECT_EQ(proxy.wait(), 0) << proxy.err();
  const std::string t = slurp(trace);
  long long partition = -1, heal = -1;
  for (const auto& e : events(t)) {
    if (e.ev == "fault" && e.detail == "partition web") partition = e.t;
    if (e.ev == "fault" && e.detail == "heal web") heal = e.t;
  }
  ASSERT_GE(partition, 0) << t;
  ASSERT_GT(heal, partition) << t;
  int read_before_heal = 0, delivered_during = 0, delivered_after = 0;
  for (const auto& e : events(t)) {
    if (e.ev == "tcp.segment" && e.t < heal) ++read_before_heal;
    if (e.ev == "tcp.deliver" && e.t > partition && e.t < heal) ++delivered_during;
    if (e.ev == "tcp.deliver" && e.t > heal) ++delivered_after;
  }
  EXPECT_GT(read_before_heal, 0) << "no traffic before the heal: the test tested nothing";
  EXPECT_EQ(delivered_during, 0) << "bytes crossed a partitioned proxy";
  EXPECT_GT(delivered_after, 0) << "forwarding did not resume after the heal";
  EXPECT_NE(t.find("\"detail\":\"set_link dns\""), std::string::npos) << t;
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
