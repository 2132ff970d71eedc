// tcp-ts-client: the seed's 2.3 client. Per message one write, then ONE read of up to --bufsize
// bytes, printed with a newline: under segmentation it prints a partial reply, as the seed does.
#include "apps/common.hpp"
#include "apps/specs.hpp"

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  auto [ec, stream] = co_await connect_to(ctx.net, target);
  if (ec) {
    ctx.io.err("tcp-ts-client: cannot connect to " + target + ": " + describe(ec) + "\n");
    co_return 1;
  }
  const auto& messages = ctx.options.all("message");
  const bool from_stdin = messages.empty();
  std::string buf(ctx.options.count("bufsize"), '\0');
  for (std::size_t i = 0;; ++i) {
    std::string message;
    if (from_stdin) {
      auto line = ctx.io.read_line();
      if (!line) break;
      message = std::move(*line);
    } else {
      if (i >= messages.size()) break;
      message = messages[i];
    }
    if (message.empty()) break;  // the seed's client ends on an empty line
    auto wec = co_await write_all(ctx.net, *stream, message, std::chrono::nanoseconds(0));
    if (wec) {
      ctx.io.err("tcp-ts-client: write failed: " + describe(wec) + "\n");
      co_return 1;
    }
    auto [rec, n] = co_await stream->async_read_some(asio::buffer(buf), use_tuple);
    if (rec == net::error::eof) {
      ctx.io.err("tcp-ts-client: connection closed by the server\n");
      co_return 1;
    }
    if (rec) {
      ctx.io.err("tcp-ts-client: read failed: " + describe(rec) + "\n");
      co_return 1;
    }
    ctx.io.out(std::string(buf.data(), n) + "\n");
  }
  stream->close();
  co_return 0;
}

}  // namespace

AppSpec tcp_ts_client_app() {
  return {
      "tcp-ts-client",
      "TCP timestamp client (seed 2.3): per message one write and ONE read",
      {
          {"connect", OptionType::host_port, "server to connect to", "", true},
          {"message", OptionType::text,
           "a message to send; none: lines of stdin until EOF or an empty line", "", false, true},
          {"bufsize", OptionType::size, "bytes per read", kDefaultBufsize},
      },
      run};
}

}  // namespace simsock::apps
