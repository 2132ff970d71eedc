// line-ts-client: the seed's 2.6 client, made robust: per message a new connection, send
// "MESSAGE\r\n", read until the server closes (not just once), print the reply stripped of
// surrounding whitespace.
#include "apps/common.hpp"
#include "apps/specs.hpp"

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  const auto& given = ctx.options.all("message");
  const bool from_stdin = given.empty();
  for (std::size_t i = 0;; ++i) {
    std::string message;
    if (from_stdin) {
      auto line = ctx.io.read_line();
      if (!line || line->empty()) break;
      message = std::move(*line);
    } else {
      if (i >= given.size()) break;
      message = given[i];
    }
    auto [ec, stream] = co_await connect_to(ctx.net, target);
    if (ec) {
      ctx.io.err("line-ts-client: cannot connect to " + target + ": " + describe(ec) + "\n");
      co_return 1;
    }
    auto wec = co_await write_all(ctx.net, *stream, message + "\r\n", std::chrono::nanoseconds(0));
    if (wec) {
      ctx.io.err("line-ts-client: write failed: " + describe(wec) + "\n");
      co_return 1;
    }
    std::string reply;
    char buf[4096];
    for (;;) {
      auto [rec, n] = co_await stream->async_read_some(asio::buffer(buf), use_tuple);
      if (rec == net::error::eof) break;
      if (rec) {
        ctx.io.err("line-ts-client: read failed: " + describe(rec) + "\n");
        co_return 1;
      }
      reply.append(buf, n);
    }
    stream->close();
    ctx.io.out(std::string(strip(reply)) + "\n");
  }
  co_return 0;
}

}  // namespace

AppSpec line_ts_client_app() {
  return {
      "line-ts-client",
      "line timestamp client (seed 2.6): a connection per message, reads until close",
      {
          {"connect", OptionType::host_port, "server to connect to", "", true},
          {"message", OptionType::text,
           "a message to send; none: lines of stdin until EOF or an empty line", "", false, true},
      },
      run};
}

}  // namespace simsock::apps
