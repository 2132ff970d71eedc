#include <simsock/tools/proxy/test_proxy.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include <simsock/tools/proxy/control.hpp>
#include <simsock/tools/proxy/proxy.hpp>
#include <simsock/tools/proxy/proxy_file.hpp>
#include <simsock/tools/scenario/link_text.hpp>

namespace simsock::test {

struct Proxy::Impl {
  boost::asio::io_context io{1};
  std::unique_ptr<proxy::Trace> trace;
  std::unique_ptr<proxy::Proxy> proxy;
  std::thread thread;
};

Proxy::Proxy(ProxyOptions options) : impl_(std::make_unique<Impl>()) {
  proxy::ProxySpec spec;
  spec.name = options.name;
  spec.udp = options.udp;
  if (!proxy::parse_listen(options.listen, spec)) {
    throw std::invalid_argument("test::Proxy: listen '" + options.listen + "' is not ADDR:PORT");
  }
  if (!proxy::parse_target(options.to, spec)) {
    throw std::invalid_argument("test::Proxy: to '" + options.to + "' is not HOST:PORT");
  }
  if (!options.link.empty()) spec.link = scenario::load_link(options.link, "link");
  impl_->trace = std::make_unique<proxy::Trace>(options.trace);
  impl_->proxy = proxy::Proxy::start(impl_->io, spec, options.seed, *impl_->trace);
  port_ = impl_->proxy->port();
  impl_->thread = std::thread([this] {
    auto work = boost::asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

Proxy::~Proxy() {
  on_thread([this] { impl_->proxy->stop(); });
  impl_->io.stop();
  impl_->thread.join();
  impl_->proxy.reset();
}

std::string Proxy::address() const {
  return proxy::endpoint_text(impl_->proxy->spec().listen_address, port_);
}

void Proxy::on_thread(const std::function<void()>& f) {
  std::promise<void> done;
  boost::asio::post(impl_->io, [&] {
    try {
      f();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

void Proxy::partition() {
  on_thread([this] { impl_->proxy->partition(); });
}
void Proxy::heal() {
  on_thread([this] { impl_->proxy->heal(); });
}
void Proxy::clog() {
  on_thread([this] { impl_->proxy->clog(); });
}
void Proxy::release() {
  on_thread([this] { impl_->proxy->release(); });
}
void Proxy::reset() {
  on_thread([this] { impl_->proxy->reset(); });
}
void Proxy::set_link(std::string_view link) {
  auto patch = scenario::load_link_patch(link, "link");
  on_thread([&] { impl_->proxy->set_link(patch); });
}
std::string Proxy::command(std::string_view line) {
  std::string reply;
  on_thread([&] { reply = proxy::control_command(line, {impl_->proxy.get()}); });
  return reply;
}

}  // namespace simsock::test
