// Hosts: port tables, ephemeral ports, crash and restart.
#include "sim/host.hpp"

#include "sim/world_impl.hpp"

namespace simsock::sim {

// ---- SimObject -------------------------------------------------------------------------------

SimObject::SimObject(SimNetwork& net) : home_(&net) {
  next_ = net.objects_;
  if (next_) next_->prev_ = this;
  net.objects_ = this;
}

SimObject::~SimObject() {
  detach();
}

World::Impl& SimObject::world() const {
  return home_->world();
}

void SimObject::detach() {
  if (!linked_) return;
  linked_ = false;
  if (prev_)
    prev_->next_ = next_;
  else
    home_->objects_ = next_;
  if (next_) next_->prev_ = prev_;
  prev_ = next_ = nullptr;
}

void SimNetwork::vanish_all(std::vector<Task>& grave, Vanish how) {
  while (objects_) {
    SimObject* o = objects_;
    o->vanish(grave, how);
    if (objects_ == o) o->detach();
  }
}

// ---- HostImpl --------------------------------------------------------------------------------

HostImpl::HostImpl(World::Impl& world, std::string name, asio::ip::address_v4 addr,
                   std::uint32_t index)
    : world_(world),
      name_(std::move(name)),
      address_(addr),
      v4_(addr.to_uint()),
      index_(index),
      network_(std::make_unique<SimNetwork>(world, *this)) {}

HostImpl::~HostImpl() = default;

bool HostImpl::owns(const asio::ip::address& a) const {
  if (!a.is_v4()) return false;
  return a.is_unspecified() || a.is_loopback() || a.to_v4().to_uint() == v4_;
}

bool HostImpl::matches(const Binding& b, const asio::ip::address& dst) {
  if (b.address.is_unspecified()) return true;
  if (dst.is_loopback() && b.address.is_loopback()) return true;
  return b.address == dst;
}

std::uint16_t HostImpl::next_ephemeral(const std::map<std::uint16_t, Binding>& table) {
  for (int tries = 0; tries < 25536; ++tries) {
    std::uint16_t p = ephemeral_;
    ephemeral_ = ephemeral_ == 65535 ? 40000 : static_cast<std::uint16_t>(ephemeral_ + 1);
    if (!table.count(p)) return p;
  }
  return 0;
}

std::uint16_t HostImpl::ephemeral_tcp_port() {
  return next_ephemeral(tcp_ports_);
}

namespace {
net::error_code bind_in(std::map<std::uint16_t, HostImpl::Binding>& table, net::Endpoint& at,
                        void* owner, std::uint16_t ephemeral) {
  if (at.port == 0) {
    if (ephemeral == 0) return net::error::address_in_use;
    at.port = ephemeral;
  }
  if (table.count(at.port)) return net::error::address_in_use;
  table.emplace(at.port, HostImpl::Binding{at.address, owner});
  return {};
}
}  // namespace

net::error_code HostImpl::bind_udp(SimUdpSocket* s, net::Endpoint& at) {
  if (!owns(at.address)) return net::error::address_not_available;
  return bind_in(udp_ports_, at, s, at.port ? 0 : next_ephemeral(udp_ports_));
}

void HostImpl::unbind_udp(std::uint16_t port, SimUdpSocket* s) {
  auto it = udp_ports_.find(port);
  if (it != udp_ports_.end() && it->second.owner == s) udp_ports_.erase(it);
}

SimUdpSocket* HostImpl::udp_at(const asio::ip::address& dst, std::uint16_t port) const {
  auto it = udp_ports_.find(port);
  if (it == udp_ports_.end() || !matches(it->second, dst)) return nullptr;
  return static_cast<SimUdpSocket*>(it->second.owner);
}

net::error_code HostImpl::bind_tcp(SimTcpListener* l, net::Endpoint& at) {
  if (!owns(at.address)) return net::error::address_not_available;
  return bind_in(tcp_ports_, at, l, at.port ? 0 : next_ephemeral(tcp_ports_));
}

void HostImpl::unbind_tcp(std::uint16_t port, SimTcpListener* l) {
  auto it = tcp_ports_.find(port);
  if (it != tcp_ports_.end() && it->second.owner == l) tcp_ports_.erase(it);
}

SimTcpListener* HostImpl::listener_at(const asio::ip::address& dst, std::uint16_t port) const {
  auto it = tcp_ports_.find(port);
  if (it == tcp_ports_.end() || !matches(it->second, dst)) return nullptr;
  return static_cast<SimTcpListener*>(it->second.owner);
}

SimNetwork& HostImpl::new_process_network() {
  process_networks_.push_back(std::make_unique<SimNetwork>(world_, *this));
  return *process_networks_.back();
}

void HostImpl::crash() {
  if (world_.in_poll()) {
    world_.at(world_.now(), Task([this] { do_crash(); }));
  } else {
    do_crash();
  }
}

void HostImpl::restart() {
  if (world_.in_poll()) {
    world_.at(world_.now(), Task([this] { do_restart(); }));
  } else {
    do_restart();
  }
}

void HostImpl::do_crash() {
  if (!up_) return;
  up_ = false;
  std::vector<Task> grave;
  network_->vanish_all(grave, Vanish::crash);
  for (auto& n : process_networks_) {
    n->vanish_all(grave, Vanish::crash);
    n->set_dead(true);
  }
  network_->set_dead(true);
  world_.take_owned(
      [this](const void* owner) { return &static_cast<const SimNetwork*>(owner)->host() == this; },
      grave);
  world_.host_crashed(*this);
  grave.clear();
  udp_ports_.clear();
  tcp_ports_.clear();
}

void HostImpl::do_restart() {
  if (up_) return;
  up_ = true;
  ephemeral_ = 40000;
  network_->set_dead(false);
  world_.host_restarted(*this);
}

void HostImpl::vanish_everything(std::vector<Task>& grave) {
  network_->vanish_all(grave, Vanish::world_end);
  for (auto& n : process_networks_) n->vanish_all(grave, Vanish::world_end);
}

}  // namespace simsock::sim
