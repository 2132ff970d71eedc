// The TCP proxy: per accepted connection, an upstream connection and two directions. Each
// direction is a reader (socket -> link -> queue of timed segments) and a writer (queue ->
// socket, each segment at its due time, with TCP_NODELAY so each leaves as its own segment).
// A direction's bytes live in one ByteRing of at most k_max_buffered bytes, which the reader
// reads into and the segments point into, and its queue holds at most k_max_segments segments:
// at either bound the reader stops reading, the sender's kernel buffers fill, and the sender
// blocks (backpressure end to end). So a direction holds at most k_max_held bytes whatever the
// sizes of the writes (proxy.hpp).
//
// Simplifications, next to the simulator's TCP model: a lost segment (tcp.loss) is not resent by
// the proxy (the bytes are never lost on real TCP) but arrives one tcp.rto later, holding back
// the segments behind it; a partition stalls both directions (the simulator's retransmissions
// recover after heal, here forwarding resumes at once); a refused upstream connect resets the
// already accepted client.
#include <deque>
#include <list>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <simsock/sim/time_math.hpp>
#include <simsock/tools/proxy/byte_ring.hpp>
#include <simsock/tools/proxy/link_state.hpp>
#include <simsock/tools/proxy/proxy.hpp>
#include <simsock/tools/proxy/proxy_parts.hpp>

namespace simsock::proxy {
namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr std::size_t k_read = 64 * 1024;          // the most one read takes
constexpr std::size_t k_ring_initial = 16 * 1024;  // a direction's first allocation
// A ring grows when less than this is free, or less than a whole read once a read filled the
// space it was given (a bulk sender): small exchanges stay in 16 KiB.
constexpr std::size_t k_ring_grow_below = 16 * 1024;
// The ring doubles from k_ring_initial to exactly k_max_buffered, so the storage a write keeps
// while it grows is at most half of it (k_max_held counts that half).
static_assert(k_max_buffered % k_ring_initial == 0 &&
              ((k_max_buffered / k_ring_initial) & (k_max_buffered / k_ring_initial - 1)) == 0);
constexpr std::uint32_t k_mss = 1460;  // the segment_gap applies to links cutting below it

// A segment's bytes are the ring's from stream offset seq.
struct Segment {
  std::uint64_t seq = 0;
  std::int64_t due = 0;
  std::uint32_t len = 0;
  std::uint32_t written = 0;  // of len, already written
  bool fin = false;
};
static_assert(sizeof(Segment) <= k_segment_record);

class Connection;

// One direction of one connection.
struct Direction {
  Direction(asio::io_context& io, tcp::socket& from, tcp::socket& to, std::uint64_t seed,
            const std::string& stream, const sim::LinkConfig& cfg)
      : from(from),
        to(to),
        model(seed, stream, cfg),
        ring(k_ring_initial, k_max_buffered),
        writer_wake(io),
        reader_wake(io) {}
  // What it costs in memory: the ring's allocation and the segment records.
  std::size_t held() const { return ring.allocated() + queue.size() * k_segment_record; }
  tcp::socket& from;
  tcp::socket& to;
  sim::LinkModel model;
  std::string src, dst;  // for the trace
  ByteRing ring;         // the bytes read and not yet written; ring.tail() is the next offset
  std::deque<Segment> queue;
  std::int64_t last_due = 0;
  asio::steady_timer writer_wake, reader_wake;
  bool done = false;            // its FIN was forwarded
  bool writing = false;         // the writer has a write in progress
  bool reader_waiting = false;  // the reader waits for room
  bool last_read_full = false;  // the last read filled the space it was given
};

class TcpProxy;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(TcpProxy& proxy, tcp::socket client, std::uint64_t index);
  void start();
  void abort(std::string_view why);
  void wake() {
    for (auto* d : {&up_, &down_}) {
      d->writer_wake.cancel();
      d->reader_wake.cancel();
    }
    connect_wake_.cancel();
  }
  void set_config(const sim::LinkConfig& c) {
    up_.model.set_config(c);
    down_.model.set_config(c);
  }
  bool closed() const { return closed_; }
  std::size_t held() const { return up_.held() + down_.held(); }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> read_loop(Direction& d);
  asio::awaitable<void> write_loop(Direction& d);
  // Waits on `timer` until `until` (ns on the trace clock) or until woken.
  asio::awaitable<void> sleep(asio::steady_timer& timer, std::int64_t until);
  // How many bytes the next read may take: as many as the ring and the room for segments allow.
  std::size_t read_budget(const Direction& d) const;
  void cut(Direction& d, std::size_t n);
  // Writes the segments already due at once, without blocking, when the writer is idle (saves
  // the writer's wake-up per small message); the writer does the rest.
  void flush_now(Direction& d);
  // A segment fully written: counts it, traces it, and lets the reader go on when it waited.
  void delivered(Direction& d, const Segment& s);
  std::int64_t pass_fin(Direction& d);

  TcpProxy& proxy_;
  std::uint64_t index_;
  tcp::socket client_, server_;
  asio::steady_timer connect_wake_;
  Direction up_, down_;  // client -> server, server -> client
  bool closed_ = false;
};

class TcpProxy final : public Proxy {
 public:
  TcpProxy(asio::io_context& io, const ProxySpec& spec, std::uint64_t seed, Trace& trace)
      : Proxy(spec), io_(io), seed_(seed), trace_(trace), acceptor_(io), accept_wake_(io) {
    state_.link = spec.link;
    target_ = resolve_target<tcp>(io, spec);
    tcp::endpoint at(spec.listen_address, spec.listen_port);
    acceptor_.open(at.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    if (at.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false));
    boost::system::error_code ec;
    acceptor_.bind(at, ec);
    if (ec)
      throw std::system_error(ec, "cannot listen on " + endpoint_text(at.address(), at.port()));
    acceptor_.listen();
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  ~TcpProxy() override { stop(); }

  std::uint16_t port() const override { return acceptor_.local_endpoint().port(); }
  void partition() override {
    state_.partitioned = true;
    fault("partition");
  }
  void heal() override {
    state_.partitioned = false;
    fault("heal");
    wake_all();
  }
  void clog() override {
    state_.clogged = true;
    fault("clog");
  }
  void release() override {
    state_.clogged = false;
    fault("release");
    wake_all();
  }
  void set_link(const sim::LinkPatch& patch) override {
    state_.apply(patch);
    fault("set_link");
    for_each([&](Connection& c) { c.set_config(*state_.link); });
    wake_all();
  }
  void reset() override {
    fault("reset");
    for_each([](Connection& c) { c.abort("reset"); });
  }
  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    accept_wake_.cancel();
    for_each([](Connection& c) { c.abort("stop"); });
  }
  std::string stats() const override {
    std::size_t held = 0;
    for (const auto& w : connections_) {
      if (auto c = w.lock()) held += c->held();
    }
    return "connections=" + std::to_string(accepted_) + " segments=" + std::to_string(segments) +
           " bytes=" + std::to_string(bytes) + " held=" + std::to_string(held) +
           " held_peak=" + std::to_string(held_peak);
  }

  asio::io_context& io_;
  std::uint64_t seed_;
  Trace& trace_;
  LinkState state_;
  tcp::endpoint target_;
  std::uint64_t segments = 0, bytes = 0;
  std::size_t held_peak = 0;  // the most one direction held (Direction::held)
  bool stopped_ = false;

  void forget_closed() {
    connections_.remove_if([](const std::weak_ptr<Connection>& w) {
      auto c = w.lock();
      return !c || c->closed();
    });
    accept_wake_.cancel();
  }

 private:
  template <class F>
  void for_each(F f) {
    auto copy = connections_;
    for (auto& w : copy) {
      if (auto c = w.lock()) f(*c);
    }
  }
  void wake_all() {
    for_each([](Connection& c) { c.wake(); });
  }
  void fault(std::string_view what) {
    trace_.emit("fault", "", "", -1, -1, {}, std::string(what) + " " + spec_.name);
  }
  asio::awaitable<void> accept_loop() {
    while (!stopped_) {
      forget_closed();
      if (connections_.size() >= k_max_connections) {
        accept_wake_.expires_after(std::chrono::milliseconds(100));
        boost::system::error_code ec;
        co_await accept_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      boost::system::error_code ec;
      tcp::socket s =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (stopped_) co_return;
      if (ec) {
        // Out of descriptors and the like: wait a little instead of spinning.
        accept_wake_.expires_after(std::chrono::milliseconds(50));
        co_await accept_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      auto c = std::make_shared<Connection>(*this, std::move(s), ++accepted_);
      connections_.push_back(c);
      c->start();
    }
  }

  tcp::acceptor acceptor_;
  asio::steady_timer accept_wake_;
  std::list<std::weak_ptr<Connection>> connections_;
  std::uint64_t accepted_ = 0;
};

std::string text_of(const tcp::endpoint& e) {
  return endpoint_text(e.address(), e.port());
}

Connection::Connection(TcpProxy& proxy, tcp::socket client, std::uint64_t index)
    : proxy_(proxy),
      index_(index),
      client_(std::move(client)),
      server_(proxy.io_),
      connect_wake_(proxy.io_),
      up_(proxy.io_, client_, server_, proxy.seed_, stream_name(proxy.spec().name, index, true),
          proxy.state_.config()),
      down_(proxy.io_, server_, client_, proxy.seed_, stream_name(proxy.spec().name, index, false),
            proxy.state_.config()) {}

void Connection::start() {
  asio::co_spawn(
      proxy_.io_, [self = shared_from_this()] { return self->run(); }, asio::detached);
}

void Connection::abort(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  if (proxy_.trace_.on()) {
    proxy_.trace_.emit("tcp.rst", up_.src, up_.dst, -1, -1, {}, std::string(why));
  }
  boost::system::error_code ec;
  for (auto* s : {&client_, &server_}) {
    if (!s->is_open()) continue;
    s->set_option(tcp::socket::linger(true, 0), ec);  // close sends RST
    s->close(ec);
  }
  wake();
  proxy_.forget_closed();
}

asio::awaitable<void> Connection::sleep(asio::steady_timer& timer, std::int64_t until) {
  if (until == INT64_MAX) {
    timer.expires_at(Clock::time_point::max());
  } else {
    timer.expires_after(std::chrono::nanoseconds(until - proxy_.trace_.now()));
  }
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Connection::run() {
  auto& trace = proxy_.trace_;
  boost::system::error_code ec;
  up_.src = down_.dst = text_of(client_.remote_endpoint(ec));
  up_.dst = down_.src = text_of(proxy_.target_);
  if (trace.on()) trace.emit("tcp.accept", up_.src, up_.dst);
  // A partition or clog holds the handshake too: the upstream connect waits.
  while (proxy_.state_.holding() && !closed_) co_await sleep(connect_wake_, INT64_MAX);
  if (closed_) co_return;
  co_await server_.async_connect(proxy_.target_, asio::redirect_error(asio::use_awaitable, ec));
  if (closed_) co_return;
  if (ec) {
    if (trace.on()) trace.emit("tcp.refused", up_.src, up_.dst, -1, -1, {}, ec.message());
    abort("upstream " + ec.message());
    co_return;
  }
  if (trace.on()) trace.emit("tcp.connect", up_.src, up_.dst);
  client_.set_option(tcp::no_delay(true), ec);
  server_.set_option(tcp::no_delay(true), ec);
  client_.non_blocking(true, ec);
  server_.non_blocking(true, ec);
  auto self = shared_from_this();
  for (auto* d : {&up_, &down_}) {
    asio::co_spawn(
        proxy_.io_, [self, d] { return self->read_loop(*d); }, asio::detached);
    asio::co_spawn(
        proxy_.io_, [self, d] { return self->write_loop(*d); }, asio::detached);
  }
}

std::size_t Connection::read_budget(const Direction& d) const {
  if (d.queue.size() >= k_max_segments) return 0;
  const std::size_t room = k_max_segments - d.queue.size();
  if (!proxy_.state_.link) return k_read;  // one segment per read
  // Every segment but a read's last is at least the smallest size the model draws.
  const auto& seg = d.model.config().tcp.segment;
  const std::size_t least =
      std::min<std::size_t>(std::max<std::uint32_t>(seg.min, 1), sim::k_link_max_segment);
  return room > k_read / least ? k_read : room * least;
}

// Cuts the `n` bytes just read into the ring into segments and gives each its due time. The
// sizes are the simulator's: drawn per segment, cut short where the data read so far ends.
void Connection::cut(Direction& d, std::size_t n) {
  auto& trace = proxy_.trace_;
  const auto& state = proxy_.state_;
  const std::int64_t now = trace.now();
  std::size_t at = 0;
  while (at < n) {
    Segment s;
    s.len = static_cast<std::uint32_t>(n - at);
    s.seq = d.ring.tail() + at;
    s.due = now;
    if (state.link) {
      s.len = static_cast<std::uint32_t>(std::min<std::size_t>(d.model.segment_size(), n - at));
      auto v = d.model.decide(now, sim::PacketRecord::Proto::tcp, true, 1, s.len + 40);
      std::int64_t due = v.arrival;
      if (v.verdict == sim::Passage::Verdict::dropped) {
        if (trace.on()) trace.emit("tcp.drop", d.src, d.dst, s.len, s.seq, v.reason);
        // The bytes are resent after a retransmission timeout (queue_full: once it drained).
        auto again = d.model.transit(std::max(now, d.model.busy_until()), s.len + 40);
        due = sim::sat_add(again.value_or(d.model.busy_until()), d.model.config().tcp.rto.count());
        if (trace.on()) trace.emit("tcp.retransmit", d.src, d.dst, s.len, s.seq);
      }
      // Per-connection FIFO, and (for links cutting below a real MSS) the least gap between
      // segments, so that a receiver on loopback reads them one by one.
      s.due = std::max(due, d.last_due);
      if (d.model.config().tcp.segment.max < k_mss && d.last_due > 0) {
        s.due = std::max(s.due, sim::sat_add(d.last_due, proxy_.spec().segment_gap.count()));
      }
    }
    d.last_due = s.due;
    if (trace.on()) trace.emit("tcp.segment", d.src, d.dst, s.len, s.seq);
    ++proxy_.segments;
    at += s.len;
    d.queue.push_back(s);
  }
  d.ring.commit(n);
  proxy_.held_peak = std::max(proxy_.held_peak, d.held());
}

std::int64_t Connection::pass_fin(Direction& d) {
  std::int64_t now = proxy_.trace_.now();
  std::int64_t due = now;
  if (proxy_.state_.link) due = d.model.transit(now, 40).value_or(d.model.busy_until());
  return std::max(due, d.last_due);
}

asio::awaitable<void> Connection::read_loop(Direction& d) {
  auto self = shared_from_this();
  const auto& state = proxy_.state_;
  for (;;) {
    asio::mutable_buffer space;
    while (!closed_ && !state.holding()) {
      space =
          d.ring.space(read_budget(d), d.last_read_full ? k_read : k_ring_grow_below, d.writing);
      if (space.size() > 0) break;
      d.reader_waiting = true;
      co_await sleep(d.reader_wake, INT64_MAX);
      d.reader_waiting = false;
    }
    if (!closed_ && state.holding()) {
      co_await sleep(d.reader_wake, INT64_MAX);
      continue;
    }
    if (closed_) co_return;
    proxy_.held_peak = std::max(proxy_.held_peak, d.held());
    boost::system::error_code ec;
    std::size_t n =
        co_await d.from.async_read_some(space, asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return;
    d.last_read_full = n == space.size();
    if (n > 0) cut(d, n);
    if (ec == asio::error::eof) {
      Segment fin;
      fin.fin = true;
      fin.seq = d.ring.tail();
      fin.due = pass_fin(d);
      d.last_due = fin.due;
      d.queue.push_back(fin);
      d.writer_wake.cancel();
      co_return;
    }
    if (ec) {
      abort("peer reset");  // RST from one side: the other side gets one too
      co_return;
    }
    flush_now(d);
    if (!d.queue.empty()) d.writer_wake.cancel();
  }
}

void Connection::flush_now(Direction& d) {
  if (d.writing || proxy_.state_.holding()) return;
  const std::int64_t now = proxy_.trace_.now();
  while (!d.queue.empty()) {
    Segment& s = d.queue.front();
    if (s.fin || s.due > now) return;
    boost::system::error_code ec;
    std::size_t n = d.to.write_some(d.ring.bytes(s.seq + s.written, s.len - s.written), ec);
    if (ec) return;  // would block, or an error the writer will meet
    s.written += n;
    if (s.written < s.len) return;
    Segment done = std::move(s);
    d.queue.pop_front();
    delivered(d, done);
  }
}

void Connection::delivered(Direction& d, const Segment& s) {
  auto& trace = proxy_.trace_;
  if (trace.on()) {
    trace.emit("tcp.deliver", d.src, d.dst, static_cast<std::int64_t>(s.len),
               static_cast<std::int64_t>(s.seq));
  }
  proxy_.bytes += s.len;
  d.ring.consume(s.len);
  if (d.reader_waiting) d.reader_wake.cancel();
}

asio::awaitable<void> Connection::write_loop(Direction& d) {
  auto self = shared_from_this();
  auto& trace = proxy_.trace_;
  const auto& state = proxy_.state_;
  for (;;) {
    if (closed_) co_return;
    if (d.queue.empty() || state.holding()) {
      co_await sleep(d.writer_wake, INT64_MAX);
      continue;
    }
    Segment s = d.queue.front();
    if (s.due > trace.now()) {
      co_await sleep(d.writer_wake, s.due);
      continue;
    }
    d.queue.pop_front();
    boost::system::error_code ec;
    if (s.fin) {
      if (trace.on()) trace.emit("tcp.fin", d.src, d.dst, -1, static_cast<std::int64_t>(s.seq));
      d.to.shutdown(tcp::socket::shutdown_send, ec);
      d.done = true;
      if (up_.done && down_.done) {
        closed_ = true;
        client_.close(ec);
        server_.close(ec);
        wake();
        proxy_.forget_closed();
      }
      co_return;
    }
    d.writing = true;
    co_await asio::async_write(d.to, d.ring.bytes(s.seq + s.written, s.len - s.written),
                               asio::redirect_error(asio::use_awaitable, ec));
    d.writing = false;
    d.ring.written();
    if (closed_) co_return;
    if (ec) {
      abort("write " + ec.message());
      co_return;
    }
    delivered(d, s);
  }
}

}  // namespace

std::unique_ptr<Proxy> make_tcp_proxy(asio::io_context& io, const ProxySpec& spec,
                                      std::uint64_t seed, Trace& trace) {
  return std::make_unique<TcpProxy>(io, spec, seed, trace);
}

}  // namespace simsock::proxy
