// tcp-ts-client: the seed's 2.3 client. Per message one write, then ONE read of up to --bufsize
// bytes, printed with a newline: under segmentation it prints a partial reply, as the seed does.
// Nothing accumulates: a reply is at most one --bufsize read. Connecting, each write and each read
// wait at most --timeout; then "timeout: ..." on stderr and exit 1.
#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  const auto timeout = ctx.options.duration("timeout");
  const auto timeout_text = ctx.options.text("timeout");
  auto [ec, stream] = co_await connect_to(ctx.net, target, timeout);
  if (ec == net::error::timed_out) {
    ctx.io.err("timeout: no connection to " + target + " within " + timeout_text + "\n");
    co_return 1;
  }
  if (ec) {
    ctx.io.err("tcp-ts-client: cannot connect to " + target + ": " + describe(ec) + "\n");
    co_return 1;
  }
  WaitLimit limit(ctx.net, timeout, [s = stream.get()] { s->cancel(); });
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
    auto wec = co_await write_all(*stream, message, limit);
    if (wec == net::error::timed_out) {
      ctx.io.err("timeout: the server took nothing of '" + message + "' for " + timeout_text +
                 "\n");
      co_return 1;
    }
    if (wec) {
      ctx.io.err("tcp-ts-client: write failed: " + describe(wec) + "\n");
      co_return 1;
    }
    auto [rec, n] = co_await read_some(*stream, asio::buffer(buf), limit);
    if (rec == net::error::timed_out) {
      ctx.io.err("timeout: no reply to '" + message + "' within " + timeout_text + "\n");
      co_return 1;
    }
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
          {"bufsize", OptionType::size, "bytes per read", kDefaultBufsize, false, false,
           kMaxTcpBuffer},
          {"timeout", OptionType::duration,
           "give up (exit 1) when connecting, a write or a reply waits this long (0: never)",
           kDefaultClientTimeout},
      },
      run};
}

}  // namespace simsock::apps
