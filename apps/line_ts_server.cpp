// line-ts-server: the seed's 2.6 SocketServer version. Per connection: read one line (through
// "\n"; at end of input, what arrived), write "[ts] " + that line, close. Lines longer than
// --max-line bytes are refused: the client is dropped with a log line, so a client that sends
// without newlines cannot make the server grow without bound.
#include <boost/asio/read_until.hpp>

#include "apps/common.hpp"
#include "apps/specs.hpp"

namespace simsock::apps {
namespace {

asio::awaitable<void> serve_client(std::shared_ptr<ServerScope::Shared> shared,
                                   std::unique_ptr<net::TcpStream> stream) {
  ConnectionRegistration registration(shared, *stream);
  const auto peer = stream->remote_endpoint().to_string();
  const auto max_line = shared->options.count("max-line");
  std::string line;
  auto [ec, n] = co_await asio::async_read_until(*stream, asio::dynamic_buffer(line, max_line),
                                                 '\n', use_tuple);
  if (!shared->alive) co_return;
  if (ec == asio::error::not_found) {
    shared->log(peer + ": no newline within " + std::to_string(max_line) + " bytes; dropping it");
    stream->abort();
    co_return;
  }
  if (ec && ec != net::error::eof) {
    shared->log(peer + ": read failed: " + describe(ec));
    stream->abort();
    co_return;
  }
  if (!ec) line.resize(n);
  if (!line.empty()) {
    auto wec = co_await write_all(*shared->net, *stream, timestamp_prefix(*shared->net) + line,
                                  shared->options.duration("write-timeout"));
    if (!shared->alive) co_return;
    if (wec) {
      shared->log(peer + ": write failed: " + describe(wec) + "; dropping it");
      stream->abort();
      co_return;
    }
  }
  stream->close();
}

asio::awaitable<int> run(AppContext& ctx) {
  co_return co_await serve_tcp(ctx, "line-ts-server", serve_client);
}

}  // namespace

AppSpec line_ts_server_app() {
  return {
      "line-ts-server",
      "line timestamp server (seed 2.6): one stamped line per connection, then close",
      {
          {"listen", OptionType::endpoint, "address and port to listen on", kDefaultListen},
          {"max-line", OptionType::size, "longest line accepted; longer: drop the client", "65536"},
          {"write-timeout", OptionType::duration,
           "drop a client whose reply is not written within this long (0: never)",
           kDefaultWriteTimeout},
      },
      run};
}

}  // namespace simsock::apps
