// tcp-ts-server: the seed's 2.3 timestamp server, serving many clients at once. Each read of up to
// --bufsize bytes is answered with one write of "[ts] " + those bytes, so a stream cut into
// several segments gets several stamps, exactly as the seed's server does. A connection on which
// nothing arrives for --idle-timeout is closed.
#include <boost/asio/co_spawn.hpp>

#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<void> serve_client(std::shared_ptr<ServerScope::Shared> shared,
                                   std::unique_ptr<net::TcpStream> stream, std::string peer) {
  ConnectionRegistration registration(shared, *stream);
  const auto bufsize = shared->options.count("bufsize");
  const auto write_timeout = shared->options.duration("write-timeout");
  WaitLimit idle(*shared->net, shared->options.duration("idle-timeout"),
                 [s = stream.get()] { s->cancel(); });
  std::string buf(bufsize, '\0');
  for (;;) {
    auto [ec, n] = co_await read_some(*stream, asio::buffer(buf), idle);
    if (!shared->alive) co_return;
    if (ec == net::error::timed_out) {
      shared->log(peer + ": nothing received for " + shared->options.text("idle-timeout") +
                  "; closing the connection");
      break;
    }
    if (ec) {
      if (ec != net::error::eof) shared->log(peer + ": read failed: " + describe(ec));
      break;
    }
    std::string reply = timestamp_prefix(*shared->net);
    reply.append(buf.data(), n);
    auto wec = co_await write_all(*shared->net, *stream, reply, write_timeout);
    if (!shared->alive) co_return;
    if (wec == net::error::timed_out) {
      shared->log(peer + ": reply not written within " + shared->options.text("write-timeout") +
                  " (client not reading); dropping it");
      stream->abort();
      co_return;
    }
    if (wec) {
      shared->log(peer + ": write failed: " + describe(wec));
      break;
    }
  }
  stream->close();
}

asio::awaitable<int> run(AppContext& ctx) {
  co_return co_await serve_tcp(ctx, "tcp-ts-server", serve_client);
}

}  // namespace

AppSpec tcp_ts_server_app() {
  return {"tcp-ts-server",
          "TCP timestamp server (seed 2.3), many clients at once: stamps every read",
          {
              {"listen", OptionType::endpoint, "address and port to listen on", kDefaultListen},
              {"bufsize", OptionType::size, "bytes per read", kDefaultBufsize, false, false,
               kMaxTcpBuffer},
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
