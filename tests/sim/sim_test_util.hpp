// Helpers for the simulator tests: a two-host world, coroutine launching, trace capture.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::sim::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::use_awaitable;

// A world with hosts "server" (10.0.0.1) and "client" (10.0.0.2) and `link` in both directions.
inline void add_two_hosts(World& w, const LinkConfig& link = {}) {
  w.add_host("server", "10.0.0.1");
  w.add_host("client", "10.0.0.2");
  w.set_default_link(link);
}

// Starts the coroutine lambda `f` (not yet invoked) on `net`'s executor; it runs when the world
// runs. co_spawn keeps the lambda (and so its captures) alive for the coroutine's whole life.
template <typename F>
void launch(net::Network& net, F f) {
  asio::co_spawn(net.get_executor(), std::move(f), asio::detached);
}

// Keeps every trace event (with owned strings).
struct TraceRecorder final : TraceSink {
  struct Event {
    std::int64_t t;
    std::string kind, src, dst, reason, detail;
    std::int64_t len, seq;
  };
  std::vector<Event> events;
  void on_event(const TraceEvent& e) override {
    events.push_back(
        {e.t, std::string(e.kind), e.src, e.dst, std::string(e.reason), e.detail, e.len, e.seq});
  }
  std::vector<Event> of(std::string_view kind) const {
    std::vector<Event> out;
    for (const auto& e : events) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
};

inline net::Endpoint ep(const std::string& text) {
  return *net::parse_endpoint(text);
}

}  // namespace simsock::sim::testing
