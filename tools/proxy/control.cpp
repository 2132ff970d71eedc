#include <simsock/tools/proxy/control.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <list>

#include <simsock/tools/scenario/link_text.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace simsock::proxy {
namespace {

constexpr std::size_t k_max_line = 64 * 1024;

std::string_view next_word(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  std::size_t end = s.find_first_of(" \t");
  std::string_view w = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return w;
}

// What is at `path`, whose bind failed with "address in use".
enum class Leftover { stale, live, other };
// A socket file nobody accepts on (connect is refused) is what a killed proxy leaves behind.
Leftover probe(asio::io_context& io, const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return Leftover::other;
  asio::local::stream_protocol::socket s(io);
  boost::system::error_code ec;
  s.connect(asio::local::stream_protocol::endpoint(path), ec);
  if (!ec) return Leftover::live;
  return ec == asio::error::connection_refused ? Leftover::stale : Leftover::other;
}

std::string names(const std::vector<Proxy*>& proxies) {
  std::string out;
  for (auto* p : proxies) out += (out.empty() ? "" : ", ") + p->spec().name;
  return out;
}

}  // namespace

std::string control_command(std::string_view line, const std::vector<Proxy*>& proxies) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  std::string_view rest = line;
  std::string cmd(next_word(rest));
  if (cmd.empty())
    return "error: empty command (commands: partition, heal, clog, release, "
           "reset, link, port, stats, list)";
  if (cmd == "list") {
    std::string out = "ok";
    for (auto* p : proxies) {
      out += (out == "ok" ? " " : ", ") + p->spec().name + " " + (p->spec().udp ? "udp" : "tcp") +
             " " + std::to_string(p->port());
    }
    return out;
  }
  static const std::vector<std::string> known{"partition", "heal", "clog", "release",
                                              "reset",     "link", "port", "stats"};
  if (std::find(known.begin(), known.end(), cmd) == known.end()) {
    return "error: unknown command '" + cmd +
           "' (commands: partition, heal, clog, release, reset, link, port, stats, list)";
  }
  Proxy* target = nullptr;
  std::string_view after_name = rest;
  std::string name(next_word(after_name));
  if (!name.empty() && name.front() != '{') {
    for (auto* p : proxies) {
      if (p->spec().name == name) target = p;
    }
    if (!target) return "error: unknown proxy '" + name + "' (proxies: " + names(proxies) + ")";
    rest = after_name;
  } else if (proxies.size() == 1) {
    target = proxies.front();
  } else {
    return "error: name the proxy: " + cmd + " NAME (proxies: " + names(proxies) + ")";
  }
  if (cmd != "link" && !rest.empty()) {
    return "error: unexpected '" + std::string(rest) + "' after " + cmd;
  }
  if (cmd == "partition") target->partition();
  if (cmd == "heal") target->heal();
  if (cmd == "clog") target->clog();
  if (cmd == "release") target->release();
  if (cmd == "reset") target->reset();
  if (cmd == "port") return "ok " + std::to_string(target->port());
  if (cmd == "stats") return "ok " + target->stats();
  if (cmd == "link") {
    if (rest.empty()) return "error: link needs a link, e.g. link {latency: 20ms}";
    try {
      target->set_link(scenario::load_link_patch(rest, "link"));
    } catch (const scenario::ScenarioError& e) {
      return e.what();
    }
  }
  return "ok";
}

struct ControlChannel::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, std::vector<Proxy*> proxies)
      : io(io), acceptor(io), proxies(std::move(proxies)) {}
  asio::io_context& io;
  asio::local::stream_protocol::acceptor acceptor;
  std::vector<Proxy*> proxies;
  std::string path;
  std::list<std::weak_ptr<asio::local::stream_protocol::socket>> clients;
  std::unique_ptr<asio::posix::stream_descriptor> in, out;
  bool stopped = false;

  template <class Read, class Write>
  asio::awaitable<void> serve(Read& r, Write& w) {
    auto self = shared_from_this();
    asio::streambuf buf(k_max_line);
    for (;;) {
      boost::system::error_code ec;
      std::size_t n = co_await asio::async_read_until(
          r, buf, '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (stopped) co_return;
      if (ec && n == 0) {
        if (ec == asio::error::not_found) {
          std::string reply = "error: line longer than 65536 bytes\n";
          co_await asio::async_write(w, asio::buffer(reply),
                                     asio::redirect_error(asio::use_awaitable, ec));
        }
        co_return;
      }
      std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      buf.consume(n);
      std::string reply = control_command(line, proxies) + "\n";
      co_await asio::async_write(w, asio::buffer(reply),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec || stopped) co_return;
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto s = std::make_shared<asio::local::stream_protocol::socket>(io);
      boost::system::error_code ec;
      co_await acceptor.async_accept(*s, asio::redirect_error(asio::use_awaitable, ec));
      if (stopped) co_return;
      if (ec) continue;
      clients.remove_if([](auto& w) { return w.expired(); });
      clients.push_back(s);
      asio::co_spawn(
          io, [self, s]() -> asio::awaitable<void> { co_await self->serve(*s, *s); },
          asio::detached);
    }
  }
};

ControlChannel::ControlChannel(asio::io_context& io, const std::string& path,
                               std::vector<Proxy*> proxies)
    : impl_(std::make_shared<Impl>(io, std::move(proxies))) {
  if (path == "-") {
    impl_->in = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(0));
    impl_->out = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(1));
    auto impl = impl_;
    asio::co_spawn(
        io, [impl]() -> asio::awaitable<void> { co_await impl->serve(*impl->in, *impl->out); },
        asio::detached);
    return;
  }
  impl_->path = path;
  boost::system::error_code ec;
  asio::local::stream_protocol::endpoint at(path);
  impl_->acceptor.open(at.protocol(), ec);
  if (!ec) impl_->acceptor.bind(at, ec);
  if (ec == asio::error::address_in_use) {
    switch (probe(io, path)) {
      case Leftover::stale:  // left by a proxy that was killed: take its place
        ::unlink(path.c_str());
        ec.clear();
        impl_->acceptor.bind(at, ec);
        break;
      case Leftover::live:
        throw std::system_error(ec, "cannot make the control socket '" + path +
                                        "': another process is listening on it");
      case Leftover::other:
        throw std::system_error(
            ec, "cannot make the control socket '" + path +
                    "': the path is taken, and not by a socket a killed proxy left behind");
    }
  }
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "cannot make the control socket '" + path + "'");
  asio::co_spawn(
      io, [impl = impl_] { return impl->accept_loop(); }, asio::detached);
}

ControlChannel::~ControlChannel() {
  stop();
}

void ControlChannel::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  if (impl_->acceptor.is_open()) {
    impl_->acceptor.close(ec);
    ::unlink(impl_->path.c_str());
  }
  for (auto& w : impl_->clients) {
    if (auto s = w.lock()) s->close(ec);
  }
  if (impl_->in) impl_->in->close(ec);
  if (impl_->out) impl_->out->close(ec);
}

}  // namespace simsock::proxy
