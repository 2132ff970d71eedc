#include <simsock/apps/common.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <exception>

#include <simsock/net/endpoint.hpp>

namespace simsock::apps {

using namespace std::chrono;

namespace {

// "[YYYY-MM-DD HH:MM:SS] " for a local time in whole seconds. Servers stamp every reply, so this
// is on the per-datagram path: digits are written by hand (snprintf cost a quarter of a UDP echo's
// instructions), and the last second formatted is kept, since replies come many to a second.
struct StampCache {
  seconds::rep key = 0;
  bool valid = false;
  char text[32];
  std::size_t size = 0;
};

void put_digits(char*& p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  p += width;
}

void format_stamp(seconds local_s, StampCache& c) {
  sys_seconds local{local_s};
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{local - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // outside what four digits hold: the general formatter
    c.size = static_cast<std::size_t>(std::snprintf(
        c.text, sizeof c.text, "[%04d-%02u-%02u %02d:%02d:%02d] ", year,
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count())));
    return;
  }
  char* p = c.text;
  *p++ = '[';
  put_digits(p, static_cast<unsigned>(year), 4);
  *p++ = '-';
  put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = ' ';
  put_digits(p, static_cast<unsigned>(hms.hours().count()), 2);
  *p++ = ':';
  put_digits(p, static_cast<unsigned>(hms.minutes().count()), 2);
  *p++ = ':';
  put_digits(p, static_cast<unsigned>(hms.seconds().count()), 2);
  *p++ = ']';
  *p++ = ' ';
  c.size = static_cast<std::size_t>(p - c.text);
}

}  // namespace

std::string format_timestamp_prefix(sys_seconds local) {
  StampCache c;
  format_stamp(local.time_since_epoch(), c);
  return std::string(c.text, c.size);
}

void append_timestamp_prefix(net::Network& net, std::string& out) {
  thread_local StampCache cache;
  auto t = net.wall_now();
  auto local = floor<seconds>(t) + net.utc_offset(t);
  const auto key = local.time_since_epoch().count();
  if (!cache.valid || cache.key != key) {
    format_stamp(local.time_since_epoch(), cache);
    cache.key = key;
    cache.valid = true;
  }
  out.append(cache.text, cache.size);
}

std::string timestamp_prefix(net::Network& net) {
  std::string s;
  append_timestamp_prefix(net, s);
  return s;
}

std::string_view strip(std::string_view s) {
  constexpr std::string_view ws = " \t\n\r\v\f";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string describe(const net::error_code& ec) {
  return ec.message();
}

namespace {

// Resolution and connection, each cancellable through `stop` (a default signal never emits).
asio::awaitable<std::pair<net::error_code, std::vector<net::Endpoint>>> resolve_all(
    net::Network& net, const std::string& host_port, asio::cancellation_signal& stop) {
  auto hp = net::parse_host_port(host_port);
  if (!hp)
    co_return std::pair{net::error_code(net::error::invalid_argument),
                        std::vector<net::Endpoint>{}};
  auto [ec, endpoints] = co_await net.async_resolve(
      hp->host, hp->port, asio::bind_cancellation_slot(stop.slot(), use_tuple_awaitable));
  co_return std::pair{ec, std::move(endpoints)};
}

asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_any(
    net::Network& net, const std::string& host_port, asio::cancellation_signal& stop) {
  auto [ec, endpoints] = co_await resolve_all(net, host_port, stop);
  if (ec) co_return std::pair{ec, std::unique_ptr<net::TcpStream>()};
  net::error_code last = net::error::host_not_found;
  for (const auto& e : endpoints) {
    auto [cec, stream] = co_await net.async_connect(
        e, asio::bind_cancellation_slot(stop.slot(), use_tuple_awaitable));
    if (!cec && stream) co_return std::pair{cec, std::move(stream)};
    last = cec;
    if (cec == net::error::operation_aborted) break;
  }
  co_return std::pair{last, std::unique_ptr<net::TcpStream>()};
}

}  // namespace

asio::awaitable<std::pair<net::error_code, net::Endpoint>> resolve_first(
    net::Network& net, const std::string& host_port) {
  asio::cancellation_signal never;
  auto [ec, endpoints] = co_await resolve_all(net, host_port, never);
  if (!ec && endpoints.empty()) ec = net::error::host_not_found;
  co_return std::pair{ec, ec ? net::Endpoint{} : endpoints.front()};
}

asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_to(
    net::Network& net, const std::string& host_port) {
  asio::cancellation_signal never;
  co_return co_await connect_any(net, host_port, never);
}

asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_to(
    net::Network& net, const std::string& host_port, nanoseconds limit) {
  asio::cancellation_signal stop;
  Watchdog watchdog(net, limit, [&stop] { stop.emit(asio::cancellation_type::all); });
  auto [ec, stream] = co_await connect_any(net, host_port, stop);
  watchdog.disarm();
  if (watchdog.fired())
    co_return std::pair{net::error_code(net::error::timed_out), std::unique_ptr<net::TcpStream>()};
  co_return std::pair{ec, std::move(stream)};
}

Watchdog::Watchdog(net::Network& net, nanoseconds after, std::function<void()> on_expiry)
    : state_(std::make_shared<State>()) {
  state_->on_expiry = std::move(on_expiry);
  if (after <= nanoseconds::zero()) {
    state_->armed = false;
    return;
  }
  timer_ = net.make_timer();
  timer_->expires_after(after);
  timer_->async_wait([state = state_](net::error_code ec) {
    if (ec || !state->armed) return;
    state->armed = false;
    state->fired = true;
    state->on_expiry();
  });
}

Watchdog::~Watchdog() {
  disarm();
}

void Watchdog::disarm() {
  state_->armed = false;
  if (timer_) timer_->cancel();
}

bool Watchdog::fired() const {
  return state_->fired;
}

struct WaitLimit::State {
  net::Network* net = nullptr;
  net::Timer* timer = nullptr;  // null once the WaitLimit is gone
  nanoseconds limit{0};
  nanoseconds since{0};  // when the current wait began
  bool waiting = false;
  bool timer_pending = false;
  bool fired = false;
  std::function<void()> on_expiry;
};

WaitLimit::WaitLimit(net::Network& net, nanoseconds limit, std::function<void()> on_expiry)
    : state_(std::make_shared<State>()) {
  state_->net = &net;
  state_->limit = limit;
  state_->on_expiry = std::move(on_expiry);
  if (limit > nanoseconds::zero()) {
    timer_ = net.make_timer();
    state_->timer = timer_.get();
  }
}

WaitLimit::~WaitLimit() {
  state_->timer = nullptr;
  state_->waiting = false;
  if (timer_) timer_->cancel();
}

void WaitLimit::arm(const std::shared_ptr<State>& state, nanoseconds after) {
  state->timer_pending = true;
  state->timer->expires_after(after);
  state->timer->async_wait([state](net::error_code ec) {
    if (!state->timer) return;
    state->timer_pending = false;
    if (ec || !state->waiting) return;
    const auto waited = state->net->now() - state->since;
    if (waited < state->limit) {
      arm(state, state->limit - waited);  // the wait began after the timer was set
      return;
    }
    state->waiting = false;
    state->fired = true;
    state->on_expiry();
  });
}

void WaitLimit::begin() {
  if (!timer_ || state_->fired) return;
  state_->since = state_->net->now();
  state_->waiting = true;
  if (!state_->timer_pending) arm(state_, state_->limit);
}

void WaitLimit::end() {
  state_->waiting = false;
}

bool WaitLimit::fired() const {
  return state_->fired;
}

nanoseconds WaitLimit::limit() const {
  return state_->limit;
}

asio::awaitable<std::pair<net::error_code, std::size_t>> read_some(net::TcpStream& stream,
                                                                   asio::mutable_buffer buffer,
                                                                   WaitLimit& limit) {
  limit.begin();
  auto [ec, n] = co_await stream.async_read_some(buffer, use_tuple);
  limit.end();
  if (limit.fired() && (ec == net::error::operation_aborted || !ec))
    co_return std::pair{net::error_code(net::error::timed_out), std::size_t{0}};
  co_return std::pair{ec, n};
}

asio::awaitable<net::error_code> write_all(net::TcpStream& stream, std::string_view data,
                                           WaitLimit& limit) {
  while (!data.empty()) {
    limit.begin();
    auto [ec, n] = co_await stream.async_write_some(asio::buffer(data), use_tuple);
    limit.end();
    if (limit.fired() && (ec == net::error::operation_aborted || !ec))
      co_return net::error::timed_out;
    if (ec) co_return ec;
    data.remove_prefix(n);
  }
  co_return net::error_code();
}

asio::awaitable<net::error_code> write_all(net::Network& net, net::TcpStream& stream,
                                           std::string_view data, nanoseconds limit) {
  Watchdog watchdog(net, limit, [&stream] { stream.cancel(); });
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data), use_tuple);
  (void)n;
  watchdog.disarm();
  if (watchdog.fired() && (ec == net::error::operation_aborted || !ec)) {
    co_return net::error::timed_out;
  }
  co_return ec;
}

asio::awaitable<void> sleep_for(net::Network& net, nanoseconds d) {
  auto timer = net.make_timer();
  timer->expires_after(d);
  co_await timer->async_wait(use_tuple);
}

void ServerScope::Shared::log(std::string_view text) {
  if (!alive) return;
  io->err(app + ": " + std::string(text) + "\n");
}

ServerScope::ServerScope(AppContext& ctx, std::string app) : shared_(std::make_shared<Shared>()) {
  shared_->net = &ctx.net;
  shared_->io = &ctx.io;
  shared_->app = std::move(app);
  shared_->options = ctx.options;
}

ServerScope::~ServerScope() {
  shared_->alive = false;
  auto connections = std::move(shared_->connections);
  shared_->connections.clear();
  for (auto& [id, stream] : connections) stream->abort();
}

ConnectionRegistration::ConnectionRegistration(std::shared_ptr<ServerScope::Shared> shared,
                                               net::TcpStream& stream)
    : shared_(std::move(shared)), id_(shared_->next_id++) {
  shared_->connections.emplace(id_, &stream);
}

ConnectionRegistration::~ConnectionRegistration() {
  shared_->connections.erase(id_);
}

namespace {

// Runs one connection's handler, reporting what escapes it instead of losing it.
asio::awaitable<void> run_connection(std::shared_ptr<ServerScope::Shared> shared,
                                     std::unique_ptr<net::TcpStream> stream, std::string peer,
                                     ConnectionHandler handler) {
  try {
    co_await handler(shared, std::move(stream), std::move(peer));
  } catch (const std::exception& e) {
    shared->log(std::string("connection failed: ") + e.what());
  }
}

}  // namespace

std::string describe_peer(const net::Endpoint& peer) {
  if (peer.port == 0) return "a client that reset before it was accepted";
  return peer.to_string();
}

asio::awaitable<int> serve_tcp(AppContext& ctx, std::string app, ConnectionHandler handler) {
  auto at = net::parse_endpoint(ctx.options.text("listen"));
  if (!at) {
    ctx.io.err(app + ": --listen is not IP:PORT\n");
    co_return 2;
  }
  net::error_code ec;
  auto listener = ctx.net.listen(*at, ec);
  if (!listener) {
    ctx.io.err(app + ": cannot listen on " + at->to_string() + ": " + describe(ec) + "\n");
    co_return 1;
  }
  ServerScope scope(ctx, app);
  auto shared = scope.shared();
  shared->log("listening on " + listener->local_endpoint().to_string());
  // A failing accept (out of descriptors: the connection stays queued, so the next accept fails
  // at once too) is retried after a pause, and logged once per run of failures, not per retry.
  std::uint64_t failed_accepts = 0;
  for (;;) {
    auto [aec, stream] = co_await listener->async_accept(use_tuple);
    if (!shared->alive) co_return 0;
    if (aec == net::error::bad_descriptor) {
      shared->log("listener closed");
      co_return 1;
    }
    if (aec || !stream) {
      if (failed_accepts++ == 0) {
        shared->log("accept failed: " + describe(aec) + "; retrying every " +
                    std::to_string(kAcceptRetryDelay.count()) + "ms");
      }
      co_await sleep_for(ctx.net, kAcceptRetryDelay);
      if (!shared->alive) co_return 0;
      continue;
    }
    if (failed_accepts > 0) {
      shared->log("accepting again after " + std::to_string(failed_accepts) + " failed accepts");
      failed_accepts = 0;
    }
    // The peer's address as accept() returned it: read later, after a reset, it may be gone.
    auto peer = describe_peer(stream->remote_endpoint());
    asio::co_spawn(ctx.net.get_executor(),
                   run_connection(shared, std::move(stream), std::move(peer), handler),
                   asio::detached);
  }
}

}  // namespace simsock::apps
