// udp-ts-client: the seed's 2.4 client, with the fix the seed lacks: each message waits at most
// --timeout for its reply and is re-sent up to --retries times. --timeout 0 waits forever, as the
// seed does (a lost datagram then hangs the client).
//
// A reply that ends with an earlier message but not with the current one is a late answer to an
// earlier send (or a duplicate) and is ignored; any other reply from the server is taken.
#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  auto [rec, server] = co_await resolve_first(ctx.net, target);
  if (rec) {
    ctx.io.err("udp-ts-client: cannot resolve " + target + ": " + describe(rec) + "\n");
    co_return 1;
  }
  net::error_code ec;
  auto any = server.address.is_v4() ? net::Endpoint{asio::ip::address_v4::any(), 0}
                                    : net::Endpoint{asio::ip::address_v6::any(), 0};
  auto sock = ctx.net.bind_udp(any, ec);
  if (!sock) {
    ctx.io.err("udp-ts-client: cannot bind a UDP socket: " + describe(ec) + "\n");
    co_return 1;
  }
  const auto timeout = ctx.options.duration("timeout");
  const auto retries = ctx.options.count("retries");
  const auto& given = ctx.options.all("message");
  const bool from_stdin = given.empty();
  std::vector<std::string> earlier;
  std::string buf(ctx.options.count("bufsize"), '\0');
  bool all_answered = true;
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
    bool answered = false;
    for (std::uint64_t attempt = 0; attempt <= retries && !answered; ++attempt) {
      auto [sec, n] = co_await sock->async_send_to(asio::buffer(message), server, use_tuple);
      (void)n;
      if (sec) {
        ctx.io.err("udp-ts-client: send to " + server.to_string() + " failed: " + describe(sec) +
                   "\n");
        co_return 1;
      }
      Watchdog watchdog(ctx.net, timeout, [&sock] { sock->cancel(); });
      for (;;) {
        auto [rrec, d] = co_await sock->async_receive_from(asio::buffer(buf), use_tuple);
        if (rrec == net::error::operation_aborted && watchdog.fired()) break;
        if (rrec) {
          ctx.io.err("udp-ts-client: receive failed: " + describe(rrec) + "\n");
          co_return 1;
        }
        if (d.sender != server) continue;
        std::string_view reply(buf.data(), d.bytes);
        bool stale = false;
        if (!d.truncated() && !ends_with(reply, message)) {
          for (const auto& e : earlier) stale = stale || ends_with(reply, e);
        }
        if (stale) continue;
        ctx.io.out(std::string(reply) + "\n");
        answered = true;
        break;
      }
    }
    if (!answered) {
      ctx.io.err("timeout: " + message + "\n");
      all_answered = false;
    }
    earlier.push_back(message);
  }
  co_return all_answered ? 0 : 1;
}

}  // namespace

AppSpec udp_ts_client_app() {
  return {
      "udp-ts-client",
      "UDP timestamp client (seed 2.4) with a reply timeout and retries",
      {
          {"connect", OptionType::host_port, "server to send to", "", true},
          {"message", OptionType::text,
           "a message to send; none: lines of stdin until EOF or an empty line", "", false, true},
          {"timeout", OptionType::duration, "how long to wait for each reply (0: forever)", "1s"},
          {"retries", OptionType::count, "how many times to re-send an unanswered message", "0"},
          {"bufsize", OptionType::size, "receive buffer; longer replies are truncated",
           kDefaultBufsize, false, false, kMaxUdpBuffer},
      },
      run};
}

}  // namespace simsock::apps
