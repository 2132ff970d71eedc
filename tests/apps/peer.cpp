#include "tests/apps/peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/apps/app_process.hpp"

namespace simsock::apps_test {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}
Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}
int Fd::release() {
  int f = fd_;
  fd_ = -1;
  return f;
}

namespace {

socklen_t make_addr(const std::string& ip, std::uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (ip.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr);
    return sizeof(sockaddr_in6);
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a->sin_addr);
  return sizeof(sockaddr_in);
}

void set_timeouts(int fd) {
  timeval tv{static_cast<time_t>(kHang.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Fd make_socket(const std::string& ip, int type) {
  Fd fd(::socket(ip.find(':') != std::string::npos ? AF_INET6 : AF_INET, type, 0));
  if (fd) set_timeouts(fd.get());
  return fd;
}

}  // namespace

Fd tcp_connect(const std::string& ip, std::uint16_t port) {
  Fd fd = make_socket(ip, SOCK_STREAM);
  sockaddr_storage ss;
  socklen_t len = make_addr(ip, port, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return Fd();
  return fd;
}

Fd tcp_listen(const std::string& ip) {
  Fd fd = make_socket(ip, SOCK_STREAM);
  sockaddr_storage ss;
  socklen_t len = make_addr(ip, 0, ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return Fd();
  if (::listen(fd.get(), 128) != 0) return Fd();
  return fd;
}

Fd tcp_accept(const Fd& listener) {
  pollfd p{listener.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(kHang.count() * 1000)) != 1) return Fd();
  Fd fd(::accept(listener.get(), nullptr, nullptr));
  if (fd) set_timeouts(fd.get());
  return fd;
}

Fd udp_bind(const std::string& ip) {
  Fd fd = make_socket(ip, SOCK_DGRAM);
  sockaddr_storage ss;
  socklen_t len = make_addr(ip, 0, ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return Fd();
  return fd;
}

std::uint16_t local_port(const Fd& fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

std::uint16_t free_port() {
  Fd fd = tcp_listen("127.0.0.1");
  return local_port(fd);
}

bool send_all(const Fd& fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd.get(), data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string recv_some(const Fd& fd, std::size_t max) {
  std::string buf(max, '\0');
  ssize_t n;
  do {
    n = ::recv(fd.get(), buf.data(), max, 0);
  } while (n < 0 && errno == EINTR);
  buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return buf;
}

std::string recv_until_close(const Fd& fd) {
  std::string all;
  for (;;) {
    auto part = recv_some(fd);
    if (part.empty()) return all;
    all += part;
  }
}

std::string recv_until(const Fd& fd, const std::string& delim) {
  std::string all;
  while (all.find(delim) == std::string::npos) {
    auto part = recv_some(fd);
    if (part.empty()) break;
    all += part;
  }
  return all;
}

void reset(Fd& fd) {
  linger l{1, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd = Fd();
}

bool udp_send(const Fd& fd, const std::string& ip, std::uint16_t port, const std::string& data) {
  sockaddr_storage ss;
  socklen_t len = make_addr(ip, port, ss);
  return ::sendto(fd.get(), data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
         static_cast<ssize_t>(data.size());
}

std::optional<Received> udp_recv(const Fd& fd, int timeout_ms) {
  pollfd p{fd.get(), POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return std::nullopt;
  std::string buf(65536, '\0');
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  ssize_t n =
      ::recvfrom(fd.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  Received r{buf, "", 0};
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    r.port = ntohs(a->sin6_port);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    r.port = ntohs(a->sin_port);
  }
  r.ip = text;
  return r;
}

}  // namespace simsock::apps_test
