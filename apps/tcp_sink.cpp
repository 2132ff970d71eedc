// tcp-sink: the receiving half of a TCP throughput test (tcp-bulk is the sender). Per connection:
// read and discard until EOF, then write the byte count in decimal and close. A connection on
// which nothing arrives for --idle-timeout is closed without a count.
#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<void> serve_client(std::shared_ptr<ServerScope::Shared> shared,
                                   std::unique_ptr<net::TcpStream> stream, std::string peer) {
  ConnectionRegistration registration(shared, *stream);
  WaitLimit idle(*shared->net, shared->options.duration("idle-timeout"),
                 [s = stream.get()] { s->cancel(); });
  std::string buf(64 * 1024, '\0');
  std::uint64_t total = 0;
  for (;;) {
    auto [ec, n] = co_await read_some(*stream, asio::buffer(buf), idle);
    if (!shared->alive) co_return;
    if (ec == net::error::eof) break;
    if (ec == net::error::timed_out) {
      shared->log(peer + ": nothing received for " + shared->options.text("idle-timeout") +
                  " after " + std::to_string(total) + " bytes; closing the connection");
      stream->close();
      co_return;
    }
    if (ec) {
      shared->log(peer + ": read failed after " + std::to_string(total) +
                  " bytes: " + describe(ec));
      stream->abort();
      co_return;
    }
    total += n;
  }
  auto wec = co_await write_all(*shared->net, *stream, std::to_string(total),
                                shared->options.duration("write-timeout"));
  if (!shared->alive) co_return;
  if (wec) {
    shared->log(peer + ": writing the count failed: " + describe(wec));
    stream->abort();
    co_return;
  }
  stream->close();
}

asio::awaitable<int> run(AppContext& ctx) {
  co_return co_await serve_tcp(ctx, "tcp-sink", serve_client);
}

}  // namespace

AppSpec tcp_sink_app() {
  return {"tcp-sink",
          "TCP sink for tcp-bulk: discards a connection's bytes, then answers their count",
          {
              {"listen", OptionType::endpoint, "address and port to listen on", kDefaultListen},
              {"write-timeout", OptionType::duration,
               "drop a client whose count is not written within this long (0: never)",
               kDefaultWriteTimeout},
              {"idle-timeout", OptionType::duration,
               "close a connection on which nothing arrives for this long (0: never)",
               kDefaultIdleTimeout},
          },
          run,
          /*runs_until_stopped=*/true};
}

}  // namespace simsock::apps
