// Independent peers for the app tests, written with raw POSIX sockets (socket, bind, connect,
// send, recv): nothing from simsock, so a bug shared by the apps and net/ cannot hide itself.
// Every blocking call has a receive/send timeout, so a peer never hangs a test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace simsock::apps_test {

// A socket descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  ~Fd();
  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A TCP connection to ip:port ("127.0.0.1" or "::1"); invalid Fd on failure.
Fd tcp_connect(const std::string& ip, std::uint16_t port);
// A listening TCP socket on ip:0.
Fd tcp_listen(const std::string& ip);
// Accepts one connection, waiting at most the hang limit.
Fd tcp_accept(const Fd& listener);
// A UDP socket bound to ip:0.
Fd udp_bind(const std::string& ip);
// The port a socket is bound to.
std::uint16_t local_port(const Fd& fd);
// A port nobody listens on right now (bound and released).
std::uint16_t free_port();

bool send_all(const Fd& fd, const std::string& data);
// One recv of up to `max` bytes; "" at EOF or timeout.
std::string recv_some(const Fd& fd, std::size_t max = 65536);
// Reads until the peer closes (or an error / the timeout).
std::string recv_until_close(const Fd& fd);
// Reads until `delim` has arrived (included), the peer closes, or the timeout.
std::string recv_until(const Fd& fd, const std::string& delim);
// Aborts a connection: the peer sees RST.
void reset(Fd& fd);

struct Received {
  std::string data;
  std::string ip;
  std::uint16_t port = 0;
};
bool udp_send(const Fd& fd, const std::string& ip, std::uint16_t port, const std::string& data);
// One datagram, or nullopt when none came within `timeout_ms`.
std::optional<Received> udp_recv(const Fd& fd, int timeout_ms);

}  // namespace simsock::apps_test
