#include <simsock/sim/testing/fault_injection.hpp>

#include <algorithm>

namespace simsock::test {
namespace {

using net::complete_later;

class FaultyStream final : public net::TcpStreamWrapper {
 public:
  FaultyStream(std::unique_ptr<net::TcpStream> s, std::shared_ptr<FaultPlan> plan,
               std::optional<StreamCaps> caps)
      : TcpStreamWrapper(std::move(s)), plan_(std::move(plan)), caps_(caps) {}

 protected:
  void read_some_impl(net::asio::mutable_buffer b, net::ReadHandler h) override {
    net::error_code ec;
    if (plan_ && plan_->fail(op_read, ec))
      return complete_later(get_executor(), std::move(h), ec, std::size_t{0});
    if (caps_) b = net::asio::buffer(b, std::max<std::size_t>(1, caps_->read_max));
    TcpStreamWrapper::read_some_impl(b, std::move(h));
  }
  void write_some_impl(net::asio::const_buffer b, net::WriteHandler h) override {
    net::error_code ec;
    if (plan_ && plan_->fail(op_write, ec))
      return complete_later(get_executor(), std::move(h), ec, std::size_t{0});
    if (caps_) b = net::asio::buffer(b, std::max<std::size_t>(1, caps_->write_max));
    TcpStreamWrapper::write_some_impl(b, std::move(h));
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
  std::optional<StreamCaps> caps_;
};

class FaultyListener final : public net::TcpListenerWrapper {
 public:
  FaultyListener(std::unique_ptr<net::TcpListener> l, std::shared_ptr<FaultPlan> plan)
      : TcpListenerWrapper(std::move(l)), plan_(std::move(plan)) {}

 protected:
  std::unique_ptr<net::TcpStream> wrap(std::unique_ptr<net::TcpStream> s) override {
    auto caps = plan_->caps_for(s->local_endpoint(), s->remote_endpoint());
    return std::make_unique<FaultyStream>(std::move(s), plan_, caps);
  }
  void accept_impl(net::StreamHandler h) override {
    net::error_code ec;
    if (plan_->fail(op_accept, ec))
      return complete_later(get_executor(), std::move(h), ec, std::unique_ptr<net::TcpStream>());
    TcpListenerWrapper::accept_impl(std::move(h));
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
};

class FaultyUdpSocket final : public net::UdpSocketWrapper {
 public:
  FaultyUdpSocket(std::unique_ptr<net::UdpSocket> s, std::shared_ptr<FaultPlan> plan)
      : UdpSocketWrapper(std::move(s)), plan_(std::move(plan)) {}

 protected:
  void send_to_impl(net::asio::const_buffer b, const net::Endpoint& to,
                    net::WriteHandler h) override {
    net::error_code ec;
    if (plan_->fail(op_send, ec))
      return complete_later(get_executor(), std::move(h), ec, std::size_t{0});
    if (plan_->drop_datagram_to(to.address))
      return complete_later(get_executor(), std::move(h), net::error_code{}, b.size());
    UdpSocketWrapper::send_to_impl(b, to, std::move(h));
  }
  void receive_from_impl(net::asio::mutable_buffer b, net::DatagramHandler h) override {
    net::error_code ec;
    if (plan_->fail(op_receive, ec))
      return complete_later(get_executor(), std::move(h), ec, net::Datagram{});
    UdpSocketWrapper::receive_from_impl(b, std::move(h));
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
};

class FaultyTimer final : public net::TimerWrapper {
 public:
  FaultyTimer(std::unique_ptr<net::Timer> t, std::shared_ptr<FaultPlan> plan)
      : TimerWrapper(std::move(t)), plan_(std::move(plan)) {}

 protected:
  void wait_impl(net::WaitHandler h) override {
    net::error_code ec;
    if (plan_->fail(op_wait, ec)) return complete_later(get_executor(), std::move(h), ec);
    TimerWrapper::wait_impl(std::move(h));
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
};

}  // namespace

bool FailCount::fail(Op op) {
  if (!(ops_ & op)) return false;
  if (counted_++ != n_) return false;
  triggered_ = true;
  return true;
}

FailCount& FaultPlan::fail_nth(std::size_t n, net::error_code ec, unsigned ops) {
  fail_.emplace(n, ec, ops);
  return *fail_;
}

void FaultPlan::cap_streams(StreamCaps caps, std::optional<std::uint16_t> port) {
  caps_.push_back({caps, port});
}

void FaultPlan::drop_datagrams(const net::asio::ip::address& to, std::vector<std::uint64_t> nth) {
  drops_.push_back({to, std::set<std::uint64_t>(nth.begin(), nth.end()), 0});
}

bool FaultPlan::fail(Op op, net::error_code& ec) {
  if (!fail_ || !fail_->fail(op)) return false;
  ec = fail_->error();
  return true;
}

std::optional<StreamCaps> FaultPlan::caps_for(const net::Endpoint& local,
                                              const net::Endpoint& remote) const {
  std::optional<StreamCaps> out;
  for (const auto& rule : caps_)
    if (!rule.port || *rule.port == local.port || *rule.port == remote.port) out = rule.caps;
  return out;
}

bool FaultPlan::drop_datagram_to(const net::asio::ip::address& to) {
  bool drop = false;
  for (auto& d : drops_) {
    if (d.to != to) continue;
    if (d.nth.count(++d.sent)) drop = true;
  }
  if (drop) ++dropped_;
  return drop;
}

FaultyNetwork::FaultyNetwork(net::Network& target, std::shared_ptr<FaultPlan> plan)
    : NetworkWrapper(target), plan_(std::move(plan)) {}

std::unique_ptr<net::TcpListener> FaultyNetwork::listen(const net::Endpoint& at,
                                                        net::error_code& ec, int backlog,
                                                        const net::TcpOptions& options) {
  if (plan_->fail(op_listen, ec)) return nullptr;
  return NetworkWrapper::listen(at, ec, backlog, options);
}

std::unique_ptr<net::UdpSocket> FaultyNetwork::bind_udp(const net::Endpoint& at,
                                                        net::error_code& ec) {
  if (plan_->fail(op_bind, ec)) return nullptr;
  return NetworkWrapper::bind_udp(at, ec);
}

std::unique_ptr<net::TcpStream> FaultyNetwork::wrap(std::unique_ptr<net::TcpStream> s) {
  auto caps = plan_->caps_for(s->local_endpoint(), s->remote_endpoint());
  return std::make_unique<FaultyStream>(std::move(s), plan_, caps);
}
std::unique_ptr<net::TcpListener> FaultyNetwork::wrap(std::unique_ptr<net::TcpListener> l) {
  return std::make_unique<FaultyListener>(std::move(l), plan_);
}
std::unique_ptr<net::UdpSocket> FaultyNetwork::wrap(std::unique_ptr<net::UdpSocket> s) {
  return std::make_unique<FaultyUdpSocket>(std::move(s), plan_);
}
std::unique_ptr<net::Timer> FaultyNetwork::wrap(std::unique_ptr<net::Timer> t) {
  return std::make_unique<FaultyTimer>(std::move(t), plan_);
}

void FaultyNetwork::connect_impl(const net::Endpoint& to, const net::TcpOptions& options,
                                 net::StreamHandler h) {
  net::error_code ec;
  if (plan_->fail(op_connect, ec))
    return complete_later(get_executor(), std::move(h), ec, std::unique_ptr<net::TcpStream>());
  NetworkWrapper::connect_impl(to, options, std::move(h));
}

void FaultyNetwork::resolve_impl(const std::string& host, std::uint16_t port,
                                 net::ResolveHandler h) {
  net::error_code ec;
  if (plan_->fail(op_resolve, ec))
    return complete_later(get_executor(), std::move(h), ec, std::vector<net::Endpoint>{});
  NetworkWrapper::resolve_impl(host, port, std::move(h));
}

std::unique_ptr<net::TcpStream> with_caps(std::unique_ptr<net::TcpStream> s, StreamCaps caps) {
  return std::make_unique<FaultyStream>(std::move(s), nullptr, caps);
}

}  // namespace simsock::test
