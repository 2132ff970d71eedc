// line-ts-client: the seed's 2.6 client, made robust: per message a new connection, send
// "MESSAGE\r\n", read until the server closes (not just once), print the reply stripped of
// surrounding whitespace. A reply longer than --max-reply, a reply that is empty (the server
// closed without answering) and any wait longer than --timeout end the client with exit 1.
#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  const auto timeout = ctx.options.duration("timeout");
  const auto timeout_text = ctx.options.text("timeout");
  const auto max_reply = ctx.options.count("max-reply");
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
    auto [ec, stream] = co_await connect_to(ctx.net, target, timeout);
    if (ec == net::error::timed_out) {
      ctx.io.err("timeout: no connection to " + target + " within " + timeout_text + "\n");
      co_return 1;
    }
    if (ec) {
      ctx.io.err("line-ts-client: cannot connect to " + target + ": " + describe(ec) + "\n");
      co_return 1;
    }
    WaitLimit limit(ctx.net, timeout, [s = stream.get()] { s->cancel(); });
    auto wec = co_await write_all(*stream, message + "\r\n", limit);
    if (wec == net::error::timed_out) {
      ctx.io.err("timeout: the server took nothing of '" + message + "' for " + timeout_text +
                 "\n");
      co_return 1;
    }
    if (wec) {
      ctx.io.err("line-ts-client: write failed: " + describe(wec) + "\n");
      co_return 1;
    }
    std::string reply;
    char buf[4096];
    for (;;) {
      auto [rec, n] = co_await read_some(*stream, asio::buffer(buf), limit);
      if (rec == net::error::eof) break;
      if (rec == net::error::timed_out) {
        ctx.io.err("timeout: nothing more of the reply to '" + message + "' within " +
                   timeout_text + " (" + std::to_string(reply.size()) + " bytes so far)\n");
        co_return 1;
      }
      if (rec) {
        ctx.io.err("line-ts-client: read failed: " + describe(rec) + "\n");
        co_return 1;
      }
      if (reply.size() + n > max_reply) {
        ctx.io.err("line-ts-client: the reply to '" + message + "' is longer than --max-reply (" +
                   std::to_string(max_reply) + " bytes); giving up\n");
        stream->abort();
        co_return 1;
      }
      reply.append(buf, n);
    }
    stream->close();
    auto text = strip(reply);
    if (text.empty()) {
      ctx.io.err("line-ts-client: no reply to '" + message +
                 "': the server closed the connection without sending " +
                 (reply.empty() ? "anything" : "more than whitespace") + "\n");
      co_return 1;
    }
    ctx.io.out(std::string(text) + "\n");
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
          {"timeout", OptionType::duration,
           "give up (exit 1) when connecting, a write or the next reply bytes wait this long "
           "(0: never)",
           kDefaultClientTimeout},
          {"max-reply", OptionType::size, "longest reply accepted; longer: exit 1", "1048576",
           false, false, kMaxMessageCap},
      },
      run};
}

}  // namespace simsock::apps
