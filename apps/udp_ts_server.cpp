// udp-ts-server: the seed's 2.4 timestamp server. Each datagram (read with a --bufsize buffer, so
// longer ones are truncated as recvfrom(1024) truncates them) is answered with one datagram
// "[ts] " + its bytes, sent back to the sender.
#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  auto at = net::parse_endpoint(ctx.options.text("listen"));
  net::error_code ec;
  auto sock = ctx.net.bind_udp(*at, ec);
  if (!sock) {
    ctx.io.err("udp-ts-server: cannot bind " + at->to_string() + ": " + describe(ec) + "\n");
    co_return 1;
  }
  ctx.io.err("udp-ts-server: listening on " + sock->local_endpoint().to_string() + "\n");
  std::string buf(ctx.options.count("bufsize"), '\0');
  std::string reply;  // reused: no allocation per datagram
  for (;;) {
    auto [rec, d] = co_await sock->async_receive_from(asio::buffer(buf), use_tuple);
    if (rec == net::error::bad_descriptor) co_return 1;
    if (rec) {
      ctx.io.err("udp-ts-server: receive failed: " + describe(rec) + "\n");
      co_await sleep_for(ctx.net, kAcceptRetryDelay);
      continue;
    }
    reply.clear();
    append_timestamp_prefix(ctx.net, reply);
    reply.append(buf.data(), d.bytes);
    auto [sec, n] = co_await sock->async_send_to(asio::buffer(reply), d.sender, use_tuple);
    (void)n;
    if (sec)
      ctx.io.err("udp-ts-server: reply to " + d.sender.to_string() + " failed: " + describe(sec) +
                 "\n");
  }
}

}  // namespace

AppSpec udp_ts_server_app() {
  return {"udp-ts-server",
          "UDP timestamp server (seed 2.4): answers each datagram with a stamped copy",
          {
              {"listen", OptionType::endpoint, "address and port to bind", kDefaultListen},
              {"bufsize", OptionType::size, "receive buffer; longer datagrams are truncated",
               kDefaultBufsize, false, false, kMaxUdpBuffer},
          },
          run,
          /*runs_until_stopped=*/true};
}

}  // namespace simsock::apps
