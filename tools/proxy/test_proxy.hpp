// A proxy for GoogleTest tests of real programs: test::Proxy starts one simsock proxy in-process,
// on its own io_context and thread, in front of a server the test started, and lets the test
// change its link and inject faults while it runs.
//
//   test::ProxyOptions options;
//   options.to = "127.0.0.1:" + std::to_string(server_port);
//   options.link = "{tcp: {segment: {min: 1, max: 3}}}";
//   test::Proxy proxy(options);
//   run_client("127.0.0.1", proxy.port());
//   proxy.partition();
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <simsock/sim/config.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::test {

struct ProxyOptions {
  std::string to;                      // HOST:PORT to forward to (required)
  std::string listen = "127.0.0.1:0";  // ADDR:PORT; port 0 picks a free one (see port())
  std::string link;                    // scenario link syntax; "" forwards as read
  bool udp = false;
  std::uint64_t seed = 1;
  std::string name = "server";
  sim::TraceSink* trace = nullptr;  // called on the proxy's thread; must outlive the Proxy
};

class Proxy {
 public:
  // Starts listening before returning. Throws std::invalid_argument on a bad `to`/`listen`,
  // scenario::ScenarioError on a bad link, std::runtime_error when it cannot listen.
  explicit Proxy(ProxyOptions options);
  // Stops the proxy (open connections get RST) and joins its thread.
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  std::uint16_t port() const { return port_; }
  // "127.0.0.1:PORT" (or "[::1]:PORT"): where clients connect.
  std::string address() const;

  // The faults of the control protocol (docs/proxy.md), each done on the proxy's thread before
  // it returns.
  void partition();
  void heal();
  void clog();
  void release();
  void reset();
  // Sets the keys `link` names ("{udp: {loss: 30%}}"); throws scenario::ScenarioError.
  void set_link(std::string_view link);
  // One line of the control protocol; returns its reply ("ok ..." or "error: ...").
  std::string command(std::string_view line);

 private:
  struct Impl;
  void on_thread(const std::function<void()>& f);
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace simsock::test
