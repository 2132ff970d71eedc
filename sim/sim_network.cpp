// net::Network for simulated hosts: clocks, timers and name resolution here; sockets in
// udp_model.cpp and tcp_*.cpp.
#include <optional>

#include <simsock/sim/cancel.hpp>
#include <simsock/sim/tcp_model.hpp>
#include <simsock/sim/time_math.hpp>
#include <simsock/sim/udp_model.hpp>
#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {
namespace {

// A one-shot timer whose expiry is an event of the world's agenda.
class SimTimer final : public net::Timer, public SimObject {
 public:
  explicit SimTimer(SimNetwork& net) : SimObject(net) {}
  ~SimTimer() override {
    if (handler_) abort_wait();
  }

  executor_type get_executor() override { return home().get_executor(); }

  void expires_after(std::chrono::nanoseconds d) override {
    if (handler_) abort_wait();
    expiry_ = sat_add(world().now(), d.count());
  }

  void expires_at(std::chrono::nanoseconds t) override {
    if (handler_) abort_wait();
    expiry_ = t.count();
  }

  std::chrono::nanoseconds expiry() const override { return std::chrono::nanoseconds(expiry_); }

  void cancel() override {
    if (handler_) abort_wait();
  }

  void vanish(std::vector<Task>& grave, Vanish) override {
    if (handler_) {
      world().cancel(event_);
      grave.emplace_back([h = take(handler_)] {});
      handler_.reset();
    }
    detach();
  }

 private:
  using Handler = net::detail::QueueCompletion<void(net::error_code)>;

  void wait_impl(asio::any_completion_handler<void(net::error_code)> h) override {
    wait_queued(world().adopt(std::move(h)));
  }

  void wait_queued(Handler&& h) override {
    world().adopt(h);
    if (handler_) abort_wait();
    if (gone()) {
      world().complete(std::move(h), net::error_code(net::error::operation_aborted));
      return;
    }
    handler_.emplace(std::move(h));
    watch_cancel(*handler_, [this] { cancel(); });
    event_ = world().at(expiry_, Task([this] { fire(); }));
  }

  void fire() {
    event_ = {};
    world().complete_stored(handler_, net::error_code());
  }

  void abort_wait() {
    world().cancel(event_);
    event_ = {};
    world().complete_stored(handler_, net::error_code(net::error::operation_aborted));
  }

  std::int64_t expiry_ = 0;
  std::optional<Handler> handler_;
  EventId event_;
};

}  // namespace

SimNetwork::SimNetwork(World::Impl& world, HostImpl& host) : world_(world), host_(host) {}

SimNetwork::~SimNetwork() {
  std::vector<Task> grave;
  vanish_all(grave, Vanish::world_end);
}

SimNetwork::executor_type SimNetwork::get_executor() {
  return world_.executor();
}

std::chrono::nanoseconds SimNetwork::now() {
  return std::chrono::nanoseconds(world_.now());
}

std::chrono::system_clock::time_point SimNetwork::wall_now() {
  return world_.start_time_ +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(now());
}

std::unique_ptr<net::TcpListener> SimNetwork::listen(const net::Endpoint& at, net::error_code& ec,
                                                     int backlog, const net::TcpOptions& options) {
  if (dead_) {
    ec = net::error::host_unreachable;
    return nullptr;
  }
  return make_tcp_listener(*this, at, backlog, options, ec);
}

std::unique_ptr<net::UdpSocket> SimNetwork::bind_udp(const net::Endpoint& at, net::error_code& ec) {
  if (dead_) {
    ec = net::error::host_unreachable;
    return nullptr;
  }
  return make_udp_socket(*this, at, ec);
}

std::unique_ptr<net::Timer> SimNetwork::make_timer() {
  return std::make_unique<SimTimer>(*this);
}

void SimNetwork::connect_impl(
    const net::Endpoint& to, const net::TcpOptions& options,
    asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)> h) {
  tcp_connect(*this, to, options, std::move(h));
}

void SimNetwork::resolve_impl(
    const std::string& name, std::uint16_t port,
    asio::any_completion_handler<void(net::error_code, std::vector<net::Endpoint>)> h) {
  std::vector<net::Endpoint> out;
  net::error_code ec;
  auto literal = asio::ip::make_address(name, ec);
  if (!ec) {
    out.push_back({literal, port});
  } else if (name == "localhost") {
    out.push_back({asio::ip::address_v4::loopback(), port});
  } else if (auto* h2 = world_.find_host(name)) {
    for (const auto& a : h2->addresses()) out.push_back({a, port});  // in the host's order
  }
  ec = out.empty() ? net::error_code(net::error::host_not_found) : net::error_code();
  world_.complete(std::move(h), ec, std::move(out));
}

}  // namespace simsock::sim
