// `simsock proxy --control`: the control protocol on a Unix socket and on standard input, and
// what the proxy does with a socket file that is already there (left by a killed proxy, or one
// another process listens on).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "tests/apps/app_process.hpp"
#include "tests/apps/peer.hpp"

namespace simsock::apps_test {
namespace {

std::vector<std::string> proxy_args(std::vector<std::string> args) {
  std::vector<std::string> v{SIMSOCK_BINARY, "proxy"};
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("simsock-proxy-" + std::to_string(::getpid()) + "-" + name))
      .string();
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

}  // namespace
}  // namespace simsock::apps_test
