// Interoperation with the seed tutorial's programs (Python 3 ports in peers/): our servers answer
// the Python clients and the Python servers answer our clients; and for the same input, our
// servers' replies equal the Python servers' byte for byte once the stamp is masked.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

std::vector<std::string> python(const std::string& peer, std::uint16_t port) {
  return {"python3", "-u", std::string(SIMSOCK_PEERS_DIR) + "/" + peer, "127.0.0.1",
          std::to_string(port)};
}

std::vector<std::string> python_server(const std::string& peer) {
  return python(peer, 0);
}

// The stamp replaced by "[TS] ", so replies made at different seconds compare.
std::string mask(const std::string& s) {
  return std::regex_replace(s, std::regex(kStamp), "[TS] ");
}

struct Pair {
  std::string our_server, our_client, py_server, py_client;
};

const Pair kTcp{"tcp-ts-server", "tcp-ts-client", "tstserv.py", "tstclnt.py"};
const Pair kUdp{"udp-ts-server", "udp-ts-client", "tsuserv.py", "tsuclnt.py"};
const Pair kLine{"line-ts-server", "line-ts-client", "tsTservSS.py", "tsTclntSS.py"};
const Pair kTwisted{"tcp-ts-server", "tcp-ts-client", "tsTservTW.py", "tsTclntTW.py"};

class SeedProgram : public ::testing::TestWithParam<Pair> {};

TEST_P(SeedProgram, PythonClientAgainstOurServerPrintsTheSameAsOurClient) {
  ChildProcess server(simsock_app(GetParam().our_server, {"--listen", "127.0.0.1:0"}));
  auto port = wait_for_port(server);
  ChildProcess py(python(GetParam().py_client, port), "hello\nsecond line\n\n");
  EXPECT_EQ(py.wait(), 0) << py.err();
  ChildProcess ours(
      simsock_app(GetParam().our_client, {"--connect", "127.0.0.1:" + std::to_string(port)}),
      "hello\nsecond line\n\n");
  EXPECT_EQ(ours.wait(), 0) << ours.err();
  EXPECT_EQ(mask(py.out()), "[TS] hello\n[TS] second line\n") << py.out();
  EXPECT_EQ(mask(ours.out()), mask(py.out()));
}

TEST_P(SeedProgram, OurClientAgainstPythonServerPrintsTheSameAsThePythonClient) {
  ChildProcess server(python_server(GetParam().py_server));
  auto port = wait_for_port(server);
  ChildProcess ours(
      simsock_app(GetParam().our_client, {"--connect", "127.0.0.1:" + std::to_string(port),
                                          "--message", "hello", "--message", "second line"}));
  EXPECT_EQ(ours.wait(), 0) << ours.err();
  ChildProcess py(python(GetParam().py_client, port), "hello\nsecond line\n\n");
  EXPECT_EQ(py.wait(), 0) << py.err();
  EXPECT_EQ(mask(ours.out()), "[TS] hello\n[TS] second line\n") << ours.out();
  EXPECT_EQ(mask(ours.out()), mask(py.out()));
}

std::string seed_program_name(const ::testing::TestParamInfo<Pair>& info) {
  static const std::vector<std::string> names{"Tcp23", "Udp24", "SocketServer26", "Twisted27"};
  return names[info.index];
}

INSTANTIATE_TEST_SUITE_P(Seed, SeedProgram, ::testing::Values(kTcp, kUdp, kLine, kTwisted),
                         seed_program_name);

// What a raw client receives for `request` from a TCP server on `port` (until `until` arrives).
std::string tcp_exchange(std::uint16_t port, const std::string& request, const std::string& until) {
  Fd c = tcp_connect("127.0.0.1", port);
  if (!c || !send_all(c, request)) return "(no connection)";
  return until.empty() ? recv_until_close(c) : recv_until(c, until);
}

TEST(SeedProgramBytes, TcpServerRepliesEqualThePythonServersByteForByte) {
  for (auto [ours_name, py_name] :
       {std::pair{"tcp-ts-server", "tstserv.py"}, std::pair{"tcp-ts-server", "tsTservTW.py"}}) {
    ChildProcess ours(simsock_app(ours_name, {"--listen", "127.0.0.1:0"}));
    ChildProcess py(python_server(py_name));
    auto our_port = wait_for_port(ours), py_port = wait_for_port(py);
    const std::string request = "bytes \x01\x7f\r\n and more";
    EXPECT_EQ(mask(tcp_exchange(our_port, request, "more")), "[TS] " + request);
    EXPECT_EQ(mask(tcp_exchange(our_port, request, "more")),
              mask(tcp_exchange(py_port, request, "more")))
        << py_name;
  }
}

TEST(SeedProgramBytes, LineServerRepliesEqualTheSocketServersByteForByte) {
  ChildProcess ours(simsock_app("line-ts-server", {"--listen", "127.0.0.1:0"}));
  ChildProcess py(python_server("tsTservSS.py"));
  auto our_port = wait_for_port(ours), py_port = wait_for_port(py);
  for (std::string request : {"one line\r\n", "two\nlines\n", "no newline"}) {
    Fd a = tcp_connect("127.0.0.1", our_port), b = tcp_connect("127.0.0.1", py_port);
    ASSERT_TRUE(send_all(a, request) && send_all(b, request));
    shutdown(a.get(), SHUT_WR);  // "no newline" ends at EOF
    shutdown(b.get(), SHUT_WR);
    auto ours_reply = recv_until_close(a), py_reply = recv_until_close(b);
    EXPECT_EQ(mask(ours_reply), mask(py_reply)) << request;
    auto nl = request.find('\n');
    EXPECT_EQ(mask(ours_reply),
              "[TS] " + (nl == std::string::npos ? request : request.substr(0, nl + 1)));
  }
}

TEST(SeedProgramBytes, UdpServerRepliesEqualThePythonServersByteForByte) {
  ChildProcess ours(simsock_app("udp-ts-server", {"--listen", "127.0.0.1:0"}));
  ChildProcess py(python_server("tsuserv.py"));
  auto our_port = wait_for_port(ours), py_port = wait_for_port(py);
  Fd u = udp_bind("127.0.0.1");
  for (std::string request : {std::string("datagram"), std::string(2000, 'L')}) {
    ASSERT_TRUE(udp_send(u, "127.0.0.1", our_port, request));
    auto a = udp_recv(u, 10000);
    ASSERT_TRUE(udp_send(u, "127.0.0.1", py_port, request));
    auto b = udp_recv(u, 10000);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(mask(a->data), mask(b->data));  // both truncate to 1024 bytes
    EXPECT_EQ(mask(a->data), "[TS] " + request.substr(0, 1024));
  }
}

}  // namespace
}  // namespace simsock::apps_test
