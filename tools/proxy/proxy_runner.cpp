#include <simsock/tools/proxy/proxy_runner.hpp>

#include <signal.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <ostream>

#include <simsock/tools/proxy/control.hpp>

namespace simsock::proxy {

RunEnd run_proxies(const ProxyFile& file, const RunOptions& options, std::ostream& log) {
  asio::io_context io(1);
  Trace trace(options.trace);
  std::vector<std::unique_ptr<Proxy>> owned;
  std::vector<Proxy*> proxies;
  std::unique_ptr<ControlChannel> control;
  try {
    for (const auto& spec : file.proxies) {
      owned.push_back(Proxy::start(io, spec, file.seed, trace));
      proxies.push_back(owned.back().get());
    }
    if (!options.control.empty()) {
      control = std::make_unique<ControlChannel>(io, options.control, proxies);
    }
  } catch (const std::exception& e) {
    log << "simsock proxy: error: " << e.what() << "\n";
    return RunEnd::setup_failed;
  }
  for (auto* p : proxies) {
    const auto& s = p->spec();
    log << "proxy " << s.name << ": listening on " << endpoint_text(s.listen_address, p->port())
        << (s.udp ? " (udp)" : " (tcp)") << ", forwarding to " << s.to_host << ":" << s.to_port
        << ", seed " << file.seed << "\n"
        << std::flush;
  }

  RunEnd end = RunEnd::signal;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  auto stop_all = [&] {
    for (auto* p : proxies) p->stop();
    if (control) control->stop();
    for (auto& t : timers) t->cancel();
  };
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    end = RunEnd::signal;
    stop_all();
  });
  auto find = [&](const std::string& name) -> Proxy* {
    for (auto* p : proxies) {
      if (p->spec().name == name) return p;
    }
    return nullptr;
  };
  const auto start = std::chrono::steady_clock::now();
  for (const auto& f : file.faults) {
    timers.push_back(std::make_unique<asio::steady_timer>(io, start + f.at));
    timers.back()->async_wait([&, f](const boost::system::error_code& ec) {
      if (ec) return;
      Proxy* p = find(f.proxy);
      using A = ProxyFault::Action;
      switch (f.action) {
        case A::partition:
          return p->partition();
        case A::heal:
          return p->heal();
        case A::clog:
          return p->clog();
        case A::release:
          return p->release();
        case A::set_link:
          return p->set_link(f.patch);
        case A::reset:
          return p->reset();
      }
    });
  }
  if (file.duration) {
    timers.push_back(std::make_unique<asio::steady_timer>(io, start + *file.duration));
    timers.back()->async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      end = RunEnd::duration;
      signals.cancel();
      stop_all();
    });
  }
  io.run();
  for (auto* p : proxies) log << "proxy " << p->spec().name << ": " << p->stats() << "\n";
  return end;
}

}  // namespace simsock::proxy
