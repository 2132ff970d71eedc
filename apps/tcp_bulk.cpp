// tcp-bulk: the sending half of a TCP throughput test against tcp-sink. Connects, writes --bytes
// bytes in writes of --chunk bytes, half-closes, reads the sink's count until it closes and prints
// "bytes=N seconds=S mbit_per_s=R", timed on the network's steady clock from the connection's
// establishment to the count's arrival. Exit 1 when the count differs from what was sent, or when
// connecting, a write (no progress) or the count waits longer than --timeout ("timeout: ...").
#include <cstdio>

#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>
#include <simsock/net/units.hpp>

namespace simsock::apps {
namespace {

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  const auto bytes = ctx.options.count("bytes");
  const auto chunk = ctx.options.count("chunk");
  const auto timeout = ctx.options.duration("timeout");
  const auto timeout_text = ctx.options.text("timeout");
  auto [ec, stream] = co_await connect_to(ctx.net, target, timeout);
  if (ec == net::error::timed_out) {
    ctx.io.err("timeout: no connection to " + target + " within " + timeout_text + "\n");
    co_return 1;
  }
  if (ec) {
    ctx.io.err("tcp-bulk: cannot connect to " + target + ": " + describe(ec) + "\n");
    co_return 1;
  }
  WaitLimit limit(ctx.net, timeout, [s = stream.get()] { s->cancel(); });
  const auto start = ctx.net.now();
  std::string block(std::min<std::uint64_t>(chunk, bytes), '\0');
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>('a' + i % 26);
  for (std::uint64_t sent = 0; sent < bytes;) {
    auto n = std::min<std::uint64_t>(block.size(), bytes - sent);
    auto wec = co_await write_all(*stream, std::string_view(block).substr(0, n), limit);
    if (wec == net::error::timed_out) {
      ctx.io.err("timeout: the sink took nothing for " + timeout_text + " after " +
                 std::to_string(sent) + " bytes\n");
      co_return 1;
    }
    if (wec) {
      ctx.io.err("tcp-bulk: write failed after " + std::to_string(sent) +
                 " bytes: " + describe(wec) + "\n");
      co_return 1;
    }
    sent += n;
  }
  if (auto sec = stream->shutdown(net::Shutdown::send)) {
    ctx.io.err("tcp-bulk: half-close failed: " + describe(sec) + "\n");
    co_return 1;
  }
  std::string answer;
  char buf[256];
  for (;;) {
    auto [rec, n] = co_await read_some(*stream, asio::buffer(buf), limit);
    if (rec == net::error::eof) break;
    if (rec == net::error::timed_out) {
      ctx.io.err("timeout: no byte count from the sink within " + timeout_text + "\n");
      co_return 1;
    }
    if (rec) {
      ctx.io.err("tcp-bulk: reading the sink's count failed: " + describe(rec) + "\n");
      co_return 1;
    }
    answer.append(buf, n);
    if (answer.size() > 64) break;
  }
  const auto elapsed = ctx.net.now() - start;
  stream->close();
  auto counted = net::parse_uint(strip(answer));
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const double mbit = seconds > 0 ? static_cast<double>(bytes) * 8 / seconds / 1e6 : 0.0;
  char line[128];
  std::snprintf(line, sizeof line, "bytes=%llu seconds=%.6f mbit_per_s=%.3f\n",
                static_cast<unsigned long long>(bytes), seconds, mbit);
  ctx.io.out(line);
  if (!counted || *counted != bytes) {
    ctx.io.err("tcp-bulk: the sink counted '" + std::string(strip(answer)) + "' bytes, sent " +
               std::to_string(bytes) + "\n");
    co_return 1;
  }
  co_return 0;
}

}  // namespace

AppSpec tcp_bulk_app() {
  return {"tcp-bulk",
          "TCP load generator for tcp-sink: sends N bytes and reports the throughput",
          {
              {"connect", OptionType::host_port, "a tcp-sink to connect to", "", true},
              {"bytes", OptionType::count, "how many bytes to send", "1048576"},
              {"chunk", OptionType::size, "bytes per write", "65536", false, false, kMaxTcpBuffer},
              {"timeout", OptionType::duration,
               "give up (exit 1) when connecting, a write or the count waits this long (0: never)",
               kDefaultClientTimeout},
          },
          run};
}

}  // namespace simsock::apps
