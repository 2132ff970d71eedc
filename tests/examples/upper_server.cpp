#include "upper_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <memory>

namespace upper {

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::optional<std::string>> read_request(TcpStream& s, std::string& pending,
                                                         Framing framing) {
  if (framing == Framing::one_read) {
    char buf[1024];
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), tuple);
    if (ec) co_return std::nullopt;
    std::string line(buf, n);  // BUG: a read returns whatever has arrived, not one line
    if (!line.empty() && line.back() == '\n') line.pop_back();
    co_return line;
  }
  auto [ec, n] = co_await asio::async_read_until(s, asio::dynamic_buffer(pending), '\n', tuple);
  if (ec) co_return std::nullopt;
  std::string line = pending.substr(0, n - 1);
  pending.erase(0, n);
  co_return line;
}

asio::awaitable<void> serve_connection(std::unique_ptr<TcpStream> s, Framing framing) {
  std::string pending;
  while (auto line = co_await read_request(*s, pending, framing)) {
    for (char& c : *line) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    *line += '\n';
    auto [ec, n] = co_await asio::async_write(*s, asio::buffer(*line), tuple);
    if (ec) break;
  }
}

asio::awaitable<int> serve(Network& net, Framing framing) {
  simsock::net::error_code ec;
  auto listener = net.listen({asio::ip::address_v4::any(), 7000}, ec);
  if (ec) co_return 1;
  for (;;) {
    auto [aec, s] = co_await listener->async_accept(tuple);
    if (aec) co_return 1;
    asio::co_spawn(net.get_executor(), serve_connection(std::move(s), framing), asio::detached);
  }
}

}  // namespace upper
