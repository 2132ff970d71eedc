// line-ts-server: the seed's 2.6 SocketServer version. Per connection: read one line (through
// "\n"; at end of input, what arrived), write "[ts] " + that line, close. Lines longer than
// --max-line bytes are refused: the client is dropped with a log line, so a client that sends
// without newlines cannot make the server grow without bound. A connection on which nothing
// arrives for --idle-timeout is closed.
#include <algorithm>
#include <memory>

#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

// How the wait for a connection's line ended.
enum class LineRead { line, too_long, idle, failed };

// Reads through the first "\n" (or, at end of input, what arrived) into `line`, at most
// `max_line` bytes; bytes after the newline are dropped.
asio::awaitable<std::pair<LineRead, net::error_code>> read_line(net::TcpStream& stream,
                                                                std::string& line,
                                                                std::size_t max_line,
                                                                WaitLimit& idle) {
  // Reads land in a chunk buffer allocated once and left uninitialised: growing `line` by 64 KiB
  // before each read zero-filled 64 KiB per read, which for a peer sending a byte at a time was
  // most of a sweep's work.
  const std::size_t chunk_size = std::min<std::size_t>(max_line, 64 * 1024);
  std::unique_ptr<char[]> chunk(new char[std::max<std::size_t>(chunk_size, 1)]);
  std::size_t scanned = 0;
  for (;;) {
    auto nl = line.find('\n', scanned);
    if (nl != std::string::npos) {
      line.resize(nl + 1);
      co_return std::pair{LineRead::line, net::error_code()};
    }
    scanned = line.size();
    if (line.size() >= max_line) co_return std::pair{LineRead::too_long, net::error_code()};
    const auto room = std::min(max_line - line.size(), chunk_size);
    auto [ec, n] = co_await read_some(stream, asio::buffer(chunk.get(), room), idle);
    line.append(chunk.get(), n);
    if (ec == net::error::eof) co_return std::pair{LineRead::line, net::error_code()};
    if (ec == net::error::timed_out) co_return std::pair{LineRead::idle, ec};
    if (ec) co_return std::pair{LineRead::failed, ec};
  }
}

asio::awaitable<void> serve_client(std::shared_ptr<ServerScope::Shared> shared,
                                   std::unique_ptr<net::TcpStream> stream, std::string peer) {
  ConnectionRegistration registration(shared, *stream);
  const auto max_line = shared->options.count("max-line");
  WaitLimit idle(*shared->net, shared->options.duration("idle-timeout"),
                 [s = stream.get()] { s->cancel(); });
  std::string line;
  auto [how, ec] = co_await read_line(*stream, line, max_line, idle);
  if (!shared->alive) co_return;
  switch (how) {
    case LineRead::line:
      break;
    case LineRead::too_long:
      shared->log(peer + ": no newline within " + std::to_string(max_line) + " bytes; dropping it");
      stream->abort();
      co_return;
    case LineRead::idle:
      shared->log(peer + ": nothing received for " + shared->options.text("idle-timeout") +
                  "; closing the connection");
      stream->close();
      co_return;
    case LineRead::failed:
      shared->log(peer + ": read failed: " + describe(ec));
      stream->abort();
      co_return;
  }
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
  return {"line-ts-server",
          "line timestamp server (seed 2.6): one stamped line per connection, then close",
          {
              {"listen", OptionType::endpoint, "address and port to listen on", kDefaultListen},
              {"max-line", OptionType::size, "longest line accepted; longer: drop the client",
               "65536", false, false, kMaxMessageCap},
              {"write-timeout", OptionType::duration,
               "drop a client whose reply is not written within this long (0: never)",
               kDefaultWriteTimeout},
              {"idle-timeout", OptionType::duration,
               "close a connection on which nothing arrives for this long (0: never)",
               kDefaultIdleTimeout},
          },
          run,
          /*runs_until_stopped=*/true};
}

}  // namespace simsock::apps
