#include "apps/common.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <exception>

#include "net/endpoint.hpp"

namespace simsock::apps {

using namespace std::chrono;

std::string timestamp_prefix(net::Network& net) {
  auto t = net.wall_now();
  auto local = floor<seconds>(t) + net.utc_offset(t);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{local - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%04d-%02u-%02u %02d:%02d:%02d] ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
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

asio::awaitable<std::pair<net::error_code, std::vector<net::Endpoint>>> resolve_all(
    net::Network& net, const std::string& host_port) {
  auto hp = net::parse_host_port(host_port);
  if (!hp)
    co_return std::pair{net::error_code(net::error::invalid_argument),
                        std::vector<net::Endpoint>{}};
  auto [ec, endpoints] = co_await net.async_resolve(hp->host, hp->port, use_tuple);
  co_return std::pair{ec, std::move(endpoints)};
}

asio::awaitable<std::pair<net::error_code, net::Endpoint>> resolve_first(
    net::Network& net, const std::string& host_port) {
  auto [ec, endpoints] = co_await resolve_all(net, host_port);
  if (!ec && endpoints.empty()) ec = net::error::host_not_found;
  co_return std::pair{ec, ec ? net::Endpoint{} : endpoints.front()};
}

asio::awaitable<std::pair<net::error_code, std::unique_ptr<net::TcpStream>>> connect_to(
    net::Network& net, const std::string& host_port) {
  auto [ec, endpoints] = co_await resolve_all(net, host_port);
  if (ec) co_return std::pair{ec, std::unique_ptr<net::TcpStream>()};
  net::error_code last = net::error::host_not_found;
  for (const auto& e : endpoints) {
    auto [cec, stream] = co_await net.async_connect(e, use_tuple);
    if (!cec && stream) co_return std::pair{cec, std::move(stream)};
    last = cec;
  }
  co_return std::pair{last, std::unique_ptr<net::TcpStream>()};
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
                                     std::unique_ptr<net::TcpStream> stream,
                                     ConnectionHandler handler) {
  try {
    co_await handler(shared, std::move(stream));
  } catch (const std::exception& e) {
    shared->log(std::string("connection failed: ") + e.what());
  }
}

}  // namespace

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
  for (;;) {
    auto [aec, stream] = co_await listener->async_accept(use_tuple);
    if (!shared->alive) co_return 0;
    if (aec == net::error::bad_descriptor) {
      shared->log("listener closed");
      co_return 1;
    }
    if (aec || !stream) {
      shared->log("accept failed: " + describe(aec) + "; retrying");
      co_await sleep_for(ctx.net, kAcceptRetryDelay);
      continue;
    }
    asio::co_spawn(ctx.net.get_executor(), run_connection(shared, std::move(stream), handler),
                   asio::detached);
  }
}

}  // namespace simsock::apps
