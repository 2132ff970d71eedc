// udp-ping: a load generator for UDP echo servers (udp-ts-server included). Sends --count numbered
// datagrams "ping SEQ ..." padded to --size bytes and matches replies by the number after the
// last "ping " (so a timestamp prefix does not matter). With --interval 0 the next datagram leaves
// when the reply arrives or --timeout passes; otherwise one leaves every interval and, after the
// last, replies are awaited for --timeout. Prints one line:
// sent=N received=M lost=K dup=D rtt_min_us=A rtt_avg_us=B rtt_max_us=C
#include <algorithm>
#include <charconv>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "apps/common.hpp"
#include "apps/specs.hpp"

namespace simsock::apps {
namespace {

using std::chrono::nanoseconds;

// What the sender and the receiver coroutine share; the receiver holds it until it ends.
struct PingState {
  std::unique_ptr<net::UdpSocket> sock;
  std::unique_ptr<net::Timer> wake;  // the sender's wait; the receiver cancels it to wake it
  net::Endpoint server;
  std::vector<nanoseconds> sent_at;  // per sequence number; negative: not sent yet
  std::vector<std::uint64_t> replies;
  std::uint64_t received = 0, dup = 0;
  nanoseconds rtt_min = nanoseconds::max(), rtt_max{0}, rtt_sum{0};
  std::size_t awaiting = SIZE_MAX;  // the sequence number the sender waits for (interval 0)
  bool waiting_for_all = false;     // after the last send with interval > 0
  bool done = false;
};

// The sequence number in a reply, or -1.
long long parse_seq(std::string_view reply) {
  // The last "ping ": found by forward searches (memchr-based) rather than rfind, which compares
  // at every position of the padding, backwards.
  auto pos = reply.find("ping ");
  if (pos == std::string_view::npos) return -1;
  for (auto next = reply.find("ping ", pos + 5); next != std::string_view::npos;
       next = reply.find("ping ", next + 5)) {
    pos = next;
  }
  long long v = -1;
  for (std::size_t i = pos + 5; i < reply.size() && reply[i] >= '0' && reply[i] <= '9'; ++i) {
    v = (v < 0 ? 0 : v) * 10 + (reply[i] - '0');
    if (v > (1LL << 40)) return -1;
  }
  return v;
}

asio::awaitable<void> receive_replies(std::shared_ptr<PingState> st, net::Network& net,
                                      std::size_t bufsize) {
  std::string buf(bufsize, '\0');
  for (;;) {
    auto [ec, d] = co_await st->sock->async_receive_from(asio::buffer(buf), use_tuple);
    if (st->done || ec) co_return;
    if (d.sender != st->server) continue;
    auto seq = parse_seq(std::string_view(buf.data(), d.bytes));
    if (seq < 0 || static_cast<std::size_t>(seq) >= st->sent_at.size() ||
        st->sent_at[seq] < nanoseconds::zero()) {
      continue;
    }
    if (st->replies[seq]++ > 0) {
      ++st->dup;
      continue;
    }
    ++st->received;
    auto rtt = net.now() - st->sent_at[seq];
    st->rtt_min = std::min(st->rtt_min, rtt);
    st->rtt_max = std::max(st->rtt_max, rtt);
    st->rtt_sum += rtt;
    // The scan over sent_at is O(count): evaluate it last, only in the final wait, not per reply.
    if (static_cast<std::size_t>(seq) == st->awaiting ||
        (st->waiting_for_all && st->received == st->sent_at.size() &&
         std::all_of(st->sent_at.begin(), st->sent_at.end(),
                     [](nanoseconds t) { return t >= nanoseconds::zero(); }))) {
      st->wake->cancel();
    }
  }
}

asio::awaitable<void> wait(PingState& st, nanoseconds d) {
  st.wake->expires_after(d);
  co_await st.wake->async_wait(use_tuple);
}

asio::awaitable<int> run(AppContext& ctx) {
  const auto target = ctx.options.text("connect");
  auto [rec, server] = co_await resolve_first(ctx.net, target);
  if (rec) {
    ctx.io.err("udp-ping: cannot resolve " + target + ": " + describe(rec) + "\n");
    co_return 1;
  }
  auto st = std::make_shared<PingState>();
  st->server = server;
  net::error_code ec;
  st->sock =
      ctx.net.bind_udp(server.address.is_v4() ? net::Endpoint{asio::ip::address_v4::any(), 0}
                                              : net::Endpoint{asio::ip::address_v6::any(), 0},
                       ec);
  if (!st->sock) {
    ctx.io.err("udp-ping: cannot bind a UDP socket: " + describe(ec) + "\n");
    co_return 1;
  }
  st->wake = ctx.net.make_timer();
  const auto count = ctx.options.count("count");
  const auto size = ctx.options.count("size");
  const auto interval = ctx.options.duration("interval");
  const auto timeout = ctx.options.duration("timeout");
  st->sent_at.assign(count, nanoseconds(-1));
  st->replies.assign(count, 0);
  asio::co_spawn(ctx.net.get_executor(),
                 receive_replies(st, ctx.net, std::max<std::size_t>(size + 256, 2048)),
                 asio::detached);
  int status = 0;
  std::string payload;
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    // "ping SEQ " padded with dots to --size, built in place (no allocation per datagram).
    payload.assign("ping ");
    char digits[24];
    auto [end, _] = std::to_chars(digits, digits + sizeof digits, seq);
    payload.append(digits, end);
    payload.push_back(' ');
    if (payload.size() < size) payload.resize(size, '.');
    st->sent_at[seq] = ctx.net.now();
    auto [sec, n] = co_await st->sock->async_send_to(asio::buffer(payload), server, use_tuple);
    (void)n;
    if (sec) {
      ctx.io.err("udp-ping: send to " + server.to_string() + " failed: " + describe(sec) + "\n");
      status = 1;
      break;
    }
    if (interval == nanoseconds::zero()) {
      st->awaiting = seq;
      if (st->replies[seq] == 0) {  // wait for the reply (the receiver cancels the timer)
        st->wake->expires_after(timeout);
        co_await st->wake->async_wait(use_tuple);
      }
      st->awaiting = SIZE_MAX;
    } else if (seq + 1 < count) {
      co_await wait(*st, interval);
    }
  }
  if (status == 0 && interval != nanoseconds::zero() && st->received < count) {
    st->waiting_for_all = true;
    co_await wait(*st, timeout);
  }
  st->done = true;
  st->sock->close();
  std::uint64_t sent = 0;
  for (auto t : st->sent_at) sent += t >= nanoseconds::zero() ? 1 : 0;
  auto us = [](nanoseconds d) { return std::to_string(d.count() / 1000); };
  nanoseconds avg{0};
  if (st->received) avg = st->rtt_sum / static_cast<nanoseconds::rep>(st->received);
  ctx.io.out("sent=" + std::to_string(sent) + " received=" + std::to_string(st->received) +
             " lost=" + std::to_string(sent - st->received) + " dup=" + std::to_string(st->dup) +
             " rtt_min_us=" + us(st->received ? st->rtt_min : nanoseconds(0)) +
             " rtt_avg_us=" + us(avg) + " rtt_max_us=" + us(st->rtt_max) + "\n");
  if (status == 0 && count > 0 && st->received == 0) status = 1;
  co_return status;
}

}  // namespace

AppSpec udp_ping_app() {
  return {"udp-ping",
          "UDP load generator: numbered datagrams to an echo server, loss and round-trip times",
          {
              {"connect", OptionType::host_port, "UDP echo server", "", true},
              {"count", OptionType::count, "datagrams to send", "10"},
              {"size", OptionType::size, "bytes per datagram", "64"},
              {"interval", OptionType::duration,
               "time between sends (0: send the next when the reply arrives or times out)", "0"},
              {"timeout", OptionType::duration, "how long to wait for a reply", "1s"},
          },
          run};
}

}  // namespace simsock::apps
