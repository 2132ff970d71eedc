#include <simsock/sim/testing/both_backends.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <stdexcept>

#include <simsock/net/asio_network.hpp>

namespace simsock::test {
namespace {

class SimBackend final : public Backend {
 public:
  explicit SimBackend(std::uint64_t seed) : sim_(seed) {
    sim_.add_host("server");
    sim_.add_host("client");
  }
  BackendKind kind() const override { return BackendKind::sim; }
  void add_host(const std::string& host) override { sim_.add_host(host); }
  net::Network& network(const std::string& host) override { return sim_.network(host); }
  asio::ip::address address(const std::string& host) const override {
    auto* h = const_cast<Sim&>(sim_).world().find_host(host);
    if (!h) throw std::invalid_argument("address: no host called '" + host + "'");
    return h->address();
  }
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) override {
    return sim_.run_until(done, limit);
  }
  void run_for(std::chrono::nanoseconds d) override { sim_.run_for(d); }
  Sim* sim() override { return &sim_; }

 private:
  Sim sim_;
};

class LoopbackBackend final : public Backend {
 public:
  LoopbackBackend() {
    add_host("server");
    add_host("client");
  }
  ~LoopbackBackend() override {
    // Objects the test made are gone; handlers still queued die with the io_context.
    work_.reset();
  }
  BackendKind kind() const override { return BackendKind::loopback; }
  void add_host(const std::string& host) override {
    if (hosts_.count(host))
      throw std::invalid_argument("add_host: a host called '" + host + "' exists already");
    hosts_.emplace(host, net::make_asio_network(io_));
  }
  net::Network& network(const std::string& host) override { return *find(host, "network"); }
  asio::ip::address address(const std::string& host) const override {
    (void)find(host, "address");
    return asio::ip::make_address("127.0.0.1");
  }
  // Real loopback sockets: the limit is wall-clock time, the only clock this backend has. The
  // simulated backend of the fixture runs on virtual time and never reads a real clock.
  bool run_until(const std::function<bool()>& done, std::chrono::nanoseconds limit) override {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io_.run_one_for(deadline - now);
    }
    return true;
  }
  void run_for(std::chrono::nanoseconds d) override {
    io_.restart();
    io_.run_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(d));
  }
  Sim* sim() override { return nullptr; }

 private:
  net::Network* find(const std::string& host, const char* call) const {
    auto it = hosts_.find(host);
    if (it == hosts_.end())
      throw std::invalid_argument(std::string(call) + ": no host called '" + host + "'");
    return it->second.get();
  }

  asio::io_context io_;
  // Keeps run_one_for()/run_for() waiting for the next event instead of returning when idle.
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::map<std::string, std::unique_ptr<net::Network>, std::less<>> hosts_;
};

}  // namespace

std::unique_ptr<Backend> make_sim_backend(std::uint64_t seed) {
  return std::make_unique<SimBackend>(seed);
}

std::unique_ptr<Backend> make_loopback_backend() {
  return std::make_unique<LoopbackBackend>();
}

std::string to_string(BackendKind kind) {
  return kind == BackendKind::sim ? "sim" : "loopback";
}

std::string backend_test_name(const ::testing::TestParamInfo<BackendKind>& info) {
  return to_string(info.param);
}

BothBackends::BothBackends() {
  if (GetParam() == BackendKind::sim) {
    const std::uint64_t seed = seed_range().first;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    seed_trace_.emplace(info && info->file() ? info->file() : "unknown file",
                        info ? info->line() : 0, seed_banner(seed));
    backend_ = make_sim_backend(seed);
  } else {
    backend_ = make_loopback_backend();
  }
}

}  // namespace simsock::test
