// udp-ping: a load generator for UDP echo servers (udp-ts-server included). Sends --count numbered
// datagrams "ping SEQ ..." padded to --size bytes and matches replies by the number after the
// last "ping " (so a timestamp prefix does not matter). With --interval 0 the next datagram leaves
// when the reply arrives or --timeout passes; otherwise one leaves every interval and, after the
// last, replies are awaited for --timeout. Prints one line:
// sent=N received=M lost=K dup=D rtt_min_us=A rtt_avg_us=B rtt_max_us=C
//
// Memory does not grow with --count: the datagrams are tracked in a window (a ring) of the most
// recent sequence numbers, at least kMinWindow and enough for every datagram sent within one
// --timeout, at most kMaxWindow. A reply to a number that has left the window is late, and the
// datagram counts as lost, as one that is never answered does.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <charconv>

#include <simsock/apps/common.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {
namespace {

using std::chrono::nanoseconds;

inline constexpr std::uint64_t kMinWindow = 4096;
inline constexpr std::uint64_t kMaxWindow = std::uint64_t{1} << 20;  // 24 MiB of slots
inline constexpr std::uint64_t kNoSeq = UINT64_MAX;

// One tracked datagram.
struct Slot {
  std::uint64_t seq = kNoSeq;  // which datagram the slot holds now
  nanoseconds sent_at{0};
  std::uint64_t replies = 0;
};

// The ring size: a power of two, at least what one --timeout of sends needs, within the bounds,
// and no more than --count needs.
std::uint64_t window_size(std::uint64_t count, nanoseconds interval, nanoseconds timeout) {
  std::uint64_t want = kMinWindow;
  if (interval > nanoseconds::zero()) {
    want = std::max<std::uint64_t>(want, static_cast<std::uint64_t>(timeout / interval) + 2);
  }
  want = std::min({want, kMaxWindow, std::max<std::uint64_t>(count, 1)});
  std::uint64_t size = 1;
  while (size < want) size <<= 1;
  return size;
}

// What the sender and the receiver coroutine share; the receiver holds it until it ends.
struct PingState {
  std::unique_ptr<net::UdpSocket> sock;
  std::unique_ptr<net::Timer> wake;  // the sender's wait; the receiver cancels it to wake it
  net::Endpoint server;
  std::vector<Slot> window;  // sequence number seq lives in window[seq & mask] while tracked
  std::uint64_t mask = 0;
  std::uint64_t count = 0;  // --count
  std::uint64_t sent = 0;
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
    if (seq < 0) continue;
    auto& slot = st->window[static_cast<std::uint64_t>(seq) & st->mask];
    // Never sent (or beyond --count), or no longer tracked (late): not a reply we count.
    if (slot.seq != static_cast<std::uint64_t>(seq)) continue;
    if (slot.replies++ > 0) {
      ++st->dup;
      continue;
    }
    ++st->received;
    auto rtt = net.now() - slot.sent_at;
    st->rtt_min = std::min(st->rtt_min, rtt);
    st->rtt_max = std::max(st->rtt_max, rtt);
    st->rtt_sum += rtt;
    // Every datagram answered (received counts sent ones only, each once): the final wait ends.
    if (static_cast<std::size_t>(seq) == st->awaiting ||
        (st->waiting_for_all && st->received == st->count)) {
      st->wake->cancel();
    }
  }
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
  st->count = count;
  st->window.resize(window_size(count, interval, timeout));
  st->mask = st->window.size() - 1;
  asio::co_spawn(ctx.net.get_executor(),
                 receive_replies(st, ctx.net, std::max<std::size_t>(size + 256, 2048)),
                 asio::detached);
  int status = 0;
  std::string payload;
  for (std::uint64_t seq = 0; seq < count; ++seq) {
    // "ping SEQ " padded with dots to --size. Only the head changes from one datagram to the
    // next, and it never gets shorter (the numbers grow), so it is written over the previous
    // one: no allocation and no re-padding per datagram.
    char head[32] = "ping ";
    auto [end, _] = std::to_chars(head + 5, head + sizeof head - 1, seq);
    *end++ = ' ';
    const auto len = static_cast<std::size_t>(end - head);
    if (len <= size && payload.size() == size) {
      std::copy(head, end, payload.begin());
    } else {
      payload.assign(head, len);
      if (payload.size() < size) payload.resize(size, '.');
    }
    auto& slot = st->window[seq & st->mask];
    slot = Slot{seq, ctx.net.now(), 0};  // a datagram still unanswered in it is now lost
    ++st->sent;
    auto [sec, n] = co_await st->sock->async_send_to(asio::buffer(payload), server, use_tuple);
    (void)n;
    if (sec) {
      ctx.io.err("udp-ping: send to " + server.to_string() + " failed: " + describe(sec) + "\n");
      status = 1;
      break;
    }
    if (interval == nanoseconds::zero()) {
      st->awaiting = seq;
      if (slot.replies == 0) {  // wait for the reply (the receiver cancels the timer)
        st->wake->expires_after(timeout);
        co_await st->wake->async_wait(use_tuple);
      }
      st->awaiting = SIZE_MAX;
    } else if (seq + 1 < count) {  // awaited here, not in a helper coroutine: no frame per send
      st->wake->expires_after(interval);
      co_await st->wake->async_wait(use_tuple);
    }
  }
  if (status == 0 && interval != nanoseconds::zero() && st->received < count) {
    st->waiting_for_all = true;
    st->wake->expires_after(timeout);
    co_await st->wake->async_wait(use_tuple);
  }
  st->done = true;
  st->sock->close();
  const std::uint64_t sent = st->sent;
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
              {"size", OptionType::size, "bytes per datagram", "64", false, false, 65507},
              {"interval", OptionType::duration,
               "time between sends (0: send the next when the reply arrives or times out)", "0"},
              {"timeout", OptionType::duration, "how long to wait for a reply", "1s"},
          },
          run};
}

}  // namespace simsock::apps
