// The UDP proxy: one listening socket; per client address a session with its own upstream socket
// (connected to the target) and a link model per direction. Each datagram passes the link as the
// simulator's datagrams do (partition, clog, loss per fragment or burst, scripted drops,
// bandwidth queue, reordering, latency + jitter, duplication) and leaves, whole, at its arrival
// time; boundaries are never merged or split.
//
// Simplifications: no fragmentation on the wire (the fragment count only decides the loss);
// datagrams in flight are bounded by k_max_pending_udp bytes (more are dropped, queue_full).
#include <deque>
#include <map>
#include <memory>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <simsock/tools/proxy/link_state.hpp>
#include <simsock/tools/proxy/proxy.hpp>
#include <simsock/tools/proxy/proxy_parts.hpp>

namespace simsock::proxy {
namespace {

using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using Bytes = std::shared_ptr<std::vector<char>>;

struct Session {
  Session(asio::io_context& io, std::uint64_t seed, const std::string& name, std::uint64_t k,
          const sim::LinkConfig& cfg)
      : upstream(io),
        up(seed, stream_name(name, k, true), cfg),
        down(seed, stream_name(name, k, false), cfg) {}
  udp::endpoint client;
  udp::socket upstream;
  sim::LinkModel up, down;
  std::string client_text, target_text;
  Clock::time_point last_active;
  bool closed = false;
};

class UdpProxy final : public Proxy {
 public:
  UdpProxy(asio::io_context& io, const ProxySpec& spec, std::uint64_t seed, Trace& trace)
      : Proxy(spec), io_(io), seed_(seed), trace_(trace), socket_(io), sweep_(io) {
    state_.link = spec.link;
    target_ = resolve_target<udp>(io, spec);
    target_text_ = endpoint_text(target_.address(), target_.port());
    udp::endpoint at(spec.listen_address, spec.listen_port);
    socket_.open(at.protocol());
    if (at.address().is_v6()) socket_.set_option(asio::ip::v6_only(false));
    boost::system::error_code ec;
    socket_.bind(at, ec);
    if (ec) {
      throw std::system_error(ec, "cannot listen on " + endpoint_text(at.address(), at.port()));
    }
    socket_.non_blocking(true);
    asio::co_spawn(io_, receive_loop(), asio::detached);
    asio::co_spawn(io_, sweep_loop(), asio::detached);
  }
  ~UdpProxy() override { stop(); }

  std::uint16_t port() const override { return socket_.local_endpoint().port(); }
  void partition() override {
    state_.partitioned = true;
    fault("partition");
  }
  void heal() override {
    state_.partitioned = false;
    fault("heal");
  }
  void clog() override {
    state_.clogged = true;
    fault("clog");
  }
  void release() override {
    state_.clogged = false;
    fault("release");
    auto held = std::move(held_);
    held_.clear();
    held_bytes_ = 0;
    for (auto& h : held) {
      if (!h.session->closed) pass(h.session, h.to_server, std::move(h.data));
    }
  }
  void set_link(const sim::LinkPatch& patch) override {
    state_.apply(patch);
    fault("set_link");
    for (auto& [ep, s] : sessions_) {
      s->up.set_config(*state_.link);
      s->down.set_config(*state_.link);
    }
  }
  void reset() override {
    fault("reset");
    close_sessions();
  }
  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ec;
    socket_.close(ec);
    sweep_.cancel();
    for (auto* t : timers_) t->cancel();  // datagrams still in flight are dropped
    close_sessions();
  }
  std::string stats() const override {
    return "sessions=" + std::to_string(opened_) + " datagrams=" + std::to_string(datagrams_) +
           " delivered=" + std::to_string(delivered_) + " dropped=" + std::to_string(dropped_) +
           " duplicated=" + std::to_string(duplicated_);
  }

 private:
  struct Held {
    std::shared_ptr<Session> session;
    bool to_server;
    Bytes data;
  };

  void fault(std::string_view what) {
    trace_.emit("fault", "", "", -1, -1, {}, std::string(what) + " " + spec_.name);
  }
  void close_sessions() {
    boost::system::error_code ec;
    for (auto& [ep, s] : sessions_) {
      s->closed = true;
      s->upstream.close(ec);
    }
    sessions_.clear();
    held_.clear();
    held_bytes_ = 0;
  }
  void drop(const Session& s, bool to_server, std::size_t len, std::string_view reason) {
    ++dropped_;
    if (trace_.on()) {
      trace_.emit("udp.drop", to_server ? s.client_text : s.target_text,
                  to_server ? s.target_text : s.client_text, static_cast<std::int64_t>(len), -1,
                  reason);
    }
  }

  // One datagram through the link, in the simulator's stage order.
  void pass(const std::shared_ptr<Session>& s, bool to_server, Bytes data) {
    const std::size_t len = data->size();
    if (state_.partitioned) return drop(*s, to_server, len, "partition");
    if (state_.clogged) {
      if (held_bytes_ + len > k_max_pending_udp) return drop(*s, to_server, len, "queue_full");
      held_bytes_ += len;
      held_.push_back(Held{s, to_server, std::move(data)});
      return;
    }
    if (!state_.link) return send(s, to_server, std::move(data), false);
    auto& model = to_server ? s->up : s->down;
    const std::size_t n = sim::udp_fragments(len, model.config().udp.mtu);
    auto v =
        model.decide(trace_.now(), sim::PacketRecord::Proto::udp, true, n, len + 28 + 20 * (n - 1));
    if (v.verdict == sim::Passage::Verdict::dropped) return drop(*s, to_server, len, v.reason);
    if (pending_ + len * (v.duplicate ? 2 : 1) > k_max_pending_udp) {
      return drop(*s, to_server, len, "queue_full");
    }
    if (v.duplicate) {
      ++duplicated_;
      if (trace_.on()) {
        trace_.emit("udp.duplicate", to_server ? s->client_text : s->target_text,
                    to_server ? s->target_text : s->client_text, static_cast<std::int64_t>(len));
      }
      schedule(s, to_server, std::make_shared<std::vector<char>>(*data), *v.duplicate);
    }
    schedule(s, to_server, std::move(data), v.arrival);
  }

  void schedule(const std::shared_ptr<Session>& s, bool to_server, Bytes data, std::int64_t at) {
    pending_ += data->size();
    auto delay = at - trace_.now();
    if (delay <= 0) return send(s, to_server, std::move(data), true);
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::nanoseconds(delay));
    timers_.insert(timer.get());
    timer->async_wait([this, timer, s, to_server, data](const boost::system::error_code&) mutable {
      timers_.erase(timer.get());
      if (stopped_) return;
      send(s, to_server, std::move(data), true);
    });
  }

  void send(const std::shared_ptr<Session>& s, bool to_server, Bytes data, bool counted) {
    if (counted) pending_ -= data->size();
    if (s->closed) return;
    ++delivered_;
    if (trace_.on()) {
      trace_.emit("udp.deliver", to_server ? s->client_text : s->target_text,
                  to_server ? s->target_text : s->client_text,
                  static_cast<std::int64_t>(data->size()));
    }
    // At once when the socket takes it (the usual case), else when it can.
    boost::system::error_code ec;
    if (to_server) {
      s->upstream.send(asio::buffer(*data), 0, ec);
    } else {
      socket_.send_to(asio::buffer(*data), s->client, 0, ec);
    }
    if (ec != asio::error::would_block) return;
    auto done = [data](const boost::system::error_code&, std::size_t) {};
    if (to_server) {
      s->upstream.async_send(asio::buffer(*data), done);
    } else {
      socket_.async_send_to(asio::buffer(*data), s->client, done);
    }
  }

  std::shared_ptr<Session> session_for(const udp::endpoint& from) {
    auto it = sessions_.find(from);
    if (it != sessions_.end()) return it->second;
    if (sessions_.size() >= k_max_sessions) return nullptr;
    auto s = std::make_shared<Session>(io_, seed_, spec_.name, ++opened_, state_.config());
    s->client = from;
    s->client_text = endpoint_text(from.address(), from.port());
    s->target_text = target_text_;
    boost::system::error_code ec;
    s->upstream.open(target_.protocol(), ec);
    if (!ec) s->upstream.connect(target_, ec);
    if (!ec) s->upstream.non_blocking(true, ec);
    if (ec) return nullptr;
    sessions_.emplace(from, s);
    asio::co_spawn(io_, upstream_loop(s), asio::detached);
    return s;
  }

  asio::awaitable<void> receive_loop() {
    std::vector<char> buf(65536);
    while (!stopped_) {
      udp::endpoint from;
      boost::system::error_code ec;
      std::size_t n = co_await socket_.async_receive_from(
          asio::buffer(buf), from, asio::redirect_error(asio::use_awaitable, ec));
      if (stopped_) co_return;
      if (ec) continue;  // an ICMP error for an earlier send to a client
      ++datagrams_;
      auto s = session_for(from);
      std::string from_text = endpoint_text(from.address(), from.port());
      if (trace_.on())
        trace_.emit("udp.send", from_text, target_text_, static_cast<std::int64_t>(n));
      if (!s) {
        ++dropped_;
        if (trace_.on()) {
          trace_.emit("udp.drop", from_text, target_text_, static_cast<std::int64_t>(n), -1,
                      "overflow");
        }
        continue;
      }
      s->last_active = Clock::now();
      pass(s, true, std::make_shared<std::vector<char>>(buf.begin(), buf.begin() + n));
    }
  }

  asio::awaitable<void> upstream_loop(std::shared_ptr<Session> s) {
    std::vector<char> buf(65536);
    while (!s->closed) {
      boost::system::error_code ec;
      std::size_t n = co_await s->upstream.async_receive(
          asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (s->closed) co_return;
      if (ec) {
        if (ec == asio::error::connection_refused) continue;  // nothing listens there (ICMP)
        co_return;
      }
      ++datagrams_;
      s->last_active = Clock::now();
      if (trace_.on())
        trace_.emit("udp.send", s->target_text, s->client_text, static_cast<std::int64_t>(n));
      pass(s, false, std::make_shared<std::vector<char>>(buf.begin(), buf.begin() + n));
    }
  }

  // Forgets sessions idle for k_udp_session_idle.
  asio::awaitable<void> sweep_loop() {
    while (!stopped_) {
      sweep_.expires_after(std::chrono::seconds(5));
      boost::system::error_code ec;
      co_await sweep_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopped_) co_return;
      auto now = Clock::now();
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now - it->second->last_active > k_udp_session_idle) {
          it->second->closed = true;
          it->second->upstream.close(ec);
          it = sessions_.erase(it);
        } else {
          ++it;
        }
      }
    }
  }

  asio::io_context& io_;
  std::uint64_t seed_;
  Trace& trace_;
  LinkState state_;
  udp::socket socket_;
  asio::steady_timer sweep_;
  udp::endpoint target_;
  std::string target_text_;
  std::map<udp::endpoint, std::shared_ptr<Session>> sessions_;
  std::deque<Held> held_;
  // Datagrams in flight, so that stop() cancels them (the order of cancelling decides nothing).
  std::set<asio::steady_timer*> timers_;
  std::size_t held_bytes_ = 0, pending_ = 0;
  std::uint64_t opened_ = 0, datagrams_ = 0, delivered_ = 0, dropped_ = 0, duplicated_ = 0;
  bool stopped_ = false;
};

}  // namespace

std::unique_ptr<Proxy> make_udp_proxy(asio::io_context& io, const ProxySpec& spec,
                                      std::uint64_t seed, Trace& trace) {
  return std::make_unique<UdpProxy>(io, spec, seed, trace);
}

}  // namespace simsock::proxy
