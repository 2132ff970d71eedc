// Hosts: port tables, ephemeral ports, crash and restart.
//
// Ports follow Linux (net/ipv4/inet_connection_sock.c, inet_hashtables.c, udp.c) without
// SO_REUSEPORT: bindings are per (address, port) with 0.0.0.0 overlapping every IPv4 address and
// a dual-stack [::] every address of both families (inet_bind_conflict, ipv6_rcv_saddr_equal);
// connect() picks ports per destination from a seeded offset, even ports first. Simplified: the
// offset hash is ours (Linux's is a keyed siphash), accepted connections hold no port of their
// own (Linux keeps the listener's port bucket alive through them, with SO_REUSEADDR set, so a
// listener can be bound again), and a TCP bind to 0 checks conflicts as a bind to that port
// would.
#include <simsock/sim/host.hpp>

#include <algorithm>
#include <bit>
#include <map>
#include <tuple>

#include <simsock/sim/rng.hpp>
#include <simsock/sim/world_impl.hpp>

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

// ---- PortTables ------------------------------------------------------------------------------

namespace {

constexpr std::uint32_t k_range = k_ephemeral_last - k_ephemeral_first + 1;  // 28,232: even
constexpr std::uint32_t k_none = UINT32_MAX;
constexpr std::uint64_t k_even_bits = 0x5555555555555555ULL;

// The ephemeral ports (as offsets from k_ephemeral_first) one destination's connections hold: a
// sorted vector while there are few, a bitmap of the whole range (3.5 KB) beyond that.
class PortSet {
 public:
  bool empty() const { return count_ == 0; }
  bool contains(std::uint32_t o) const {
    if (bits_.empty()) return std::binary_search(few_.begin(), few_.end(), o);
    return (bits_[o / 64] >> (o % 64)) & 1;
  }
  void insert(std::uint32_t o) {
    ++count_;
    if (bits_.empty()) {
      few_.insert(std::lower_bound(few_.begin(), few_.end(), o), static_cast<std::uint16_t>(o));
      if (few_.size() <= k_few) return;
      bits_.assign((k_range + 63) / 64, 0);
      for (std::uint32_t f : few_) bits_[f / 64] |= std::uint64_t{1} << (f % 64);
      few_.clear();
      few_.shrink_to_fit();
      return;
    }
    bits_[o / 64] |= std::uint64_t{1} << (o % 64);
  }
  void erase(std::uint32_t o) {
    --count_;
    if (bits_.empty()) {
      few_.erase(std::lower_bound(few_.begin(), few_.end(), o));
      return;
    }
    bits_[o / 64] &= ~(std::uint64_t{1} << (o % 64));
  }
  // The smallest offset >= `from` of `from`'s parity that is not held, or k_none.
  std::uint32_t next_free(std::uint32_t from) const {
    if (bits_.empty()) {
      std::uint32_t c = from;
      for (auto it = std::lower_bound(few_.begin(), few_.end(), from); it != few_.end(); ++it) {
        if (*it > c) break;
        if (*it == c) c += 2;
      }
      return c < k_range ? c : k_none;
    }
    const std::uint64_t parity = (from & 1) ? k_even_bits << 1 : k_even_bits;
    for (std::uint32_t w = from / 64; w < bits_.size(); ++w) {
      std::uint64_t free = ~bits_[w] & parity;
      if (w == from / 64) free &= ~std::uint64_t{0} << (from % 64);
      if (free) {
        std::uint32_t o = w * 64 + static_cast<std::uint32_t>(std::countr_zero(free));
        return o < k_range ? o : k_none;
      }
    }
    return k_none;
  }

 private:
  static constexpr std::size_t k_few = 64;
  std::uint32_t count_ = 0;
  std::vector<std::uint16_t> few_;
  std::vector<std::uint64_t> bits_;
};

// Whether bindings of one port to `a` and to `b` overlap: the same family with equal addresses or
// a wildcard, or an IPv4 address and the dual-stack [::].
bool overlap(const IpAddress& a, const IpAddress& b) {
  if (a.is_v6() == b.is_v6()) return a == b || a.is_unspecified() || b.is_unspecified();
  return (a.is_v6() ? a : b).is_unspecified();
}

// Bindings keyed by (port, address), one value each (a socket, a listener, a count of
// connections). 0.0.0.0 is every IPv4 address, [::] every address. IPv4 keys are (port, 32-bit
// address) pairs in a map of their own, so IPv4 lookups cost what they did before IPv6; a port's
// entries are contiguous in both maps.
template <typename V>
class BindTable {
 public:
  V* find(std::uint16_t port, const IpAddress& a) {
    if (a.is_v4()) {
      auto it = v4_.find(Key4{port, a.v4_value()});
      return it == v4_.end() ? nullptr : &it->second;
    }
    auto it = v6_.find(Key6{port, a});
    return it == v6_.end() ? nullptr : &it->second;
  }
  const V* find(std::uint16_t port, const IpAddress& a) const {
    return const_cast<BindTable*>(this)->find(port, a);
  }
  // The value for (port, a), value-initialized when new.
  V& at(std::uint16_t port, const IpAddress& a) {
    return a.is_v4() ? v4_[Key4{port, a.v4_value()}] : v6_[Key6{port, a}];
  }
  void erase(std::uint16_t port, const IpAddress& a) {
    if (a.is_v4()) {
      v4_.erase(Key4{port, a.v4_value()});
    } else {
      v6_.erase(Key6{port, a});
    }
  }
  // Whether anything is bound to `port`.
  bool has_port(std::uint16_t port) const {
    auto it = v4_.lower_bound(Key4{port, 0});
    if (it != v4_.end() && it->first.first == port) return true;
    auto jt = v6_.lower_bound(Key6{port, IpAddress::lowest()});
    return jt != v6_.end() && jt->first.first == port;
  }
  // Whether binding (port, a) would overlap an entry. A port has few entries.
  bool conflicts(std::uint16_t port, const IpAddress& a) const {
    for (auto it = v4_.lower_bound(Key4{port, 0}); it != v4_.end() && it->first.first == port;
         ++it) {
      if (overlap(a, IpAddress::v4(it->first.second))) return true;
    }
    for (auto it = v6_.lower_bound(Key6{port, IpAddress::lowest()});
         it != v6_.end() && it->first.first == port; ++it) {
      if (overlap(a, it->first.second)) return true;
    }
    return false;
  }
  // The entry that receives traffic for (dst, port): exactly dst, else its family's wildcard,
  // else (IPv4) the dual-stack [::].
  const V* bound_at(const IpAddress& dst, std::uint16_t port) const {
    if (dst.is_v4()) {
      auto it = v4_.find(Key4{port, dst.v4_value()});
      if (it == v4_.end()) it = v4_.find(Key4{port, 0});
      if (it != v4_.end()) return &it->second;
    } else if (const V* v = find(port, dst)) {
      return v;
    }
    auto it = v6_.find(Key6{port, IpAddress::any(true)});
    return it == v6_.end() ? nullptr : &it->second;
  }
  // Removes the entry of `port` whose value is `v`.
  void erase_value(std::uint16_t port, const V& v) {
    if (erase_value_in(v4_, Key4{port, 0}, v)) return;
    erase_value_in(v6_, Key6{port, IpAddress::lowest()}, v);
  }
  void clear() {
    v4_.clear();
    v6_.clear();
  }

 private:
  using Key4 = std::pair<std::uint16_t, std::uint32_t>;
  using Key6 = std::pair<std::uint16_t, IpAddress>;
  template <typename Map, typename Key>
  static bool erase_value_in(Map& m, const Key& first, const V& v) {
    for (auto it = m.lower_bound(first); it != m.end() && it->first.first == first.first; ++it) {
      if (it->second == v) {
        m.erase(it);
        return true;
      }
    }
    return false;
  }
  std::map<Key4, V> v4_;
  std::map<Key6, V> v6_;
};

// A 64-bit word for an address, for the ephemeral-port offsets.
std::uint64_t address_word(const IpAddress& a) {
  if (a.is_v4()) return a.v4_value();
  std::uint64_t w = 0x6970763600000000ULL;  // "ipv6"
  for (auto b : a.v6_bytes()) w = mix64(w ^ b);
  return w;
}

}  // namespace

// Everything port-related of one host. Ordered containers only: iteration never depends on
// pointers or hashes.
class PortTables {
 public:
  PortTables(std::uint64_t seed, const std::string& host) : rng_(seed, "ports:" + host) {
    secret_ = mix64(seed ^ fnv1a64("ports:" + host));
  }

  BindTable<void*> udp, tcp;

  // A bind to port 0: Linux starts at a random port of the range; a TCP listener looks at odd
  // ports first and steps by 2 (inet_csk_find_open_port), UDP walks every port.
  template <typename Free>
  std::uint16_t pick_bind_port(bool tcp_parity, Free is_free) {
    std::uint32_t start = static_cast<std::uint32_t>(rng_.below(k_range));
    std::uint32_t step = tcp_parity ? 2 : 1;
    if (tcp_parity) start |= 1;
    for (std::uint32_t pass = 0; pass < (tcp_parity ? 2u : 1u); ++pass) {
      for (std::uint32_t i = 0; i < k_range; i += step) {
        auto port = static_cast<std::uint16_t>(k_ephemeral_first + (start + i) % k_range);
        if (is_free(port)) return port;
      }
      start ^= 1;
    }
    return 0;
  }

  bool tcp_conflict(std::uint16_t port, const IpAddress& addr) const {
    return tcp.conflicts(port, addr) || connection_ports_.conflicts(port, addr);
  }

  // Linux's __inet_hash_connect with its table_perturb: see HostImpl::take_connection_port.
  std::uint16_t connect(const IpAddress& local, const IpAddress& raddr, std::uint16_t rport) {
    const std::uint64_t tuple = local.is_v4() && raddr.is_v4()
                                    ? (std::uint64_t{local.v4_value()} << 32 | raddr.v4_value())
                                    : mix64(address_word(local)) ^ address_word(raddr);
    const std::uint64_t port_offset = mix64(secret_ ^ mix64(tuple ^ (std::uint64_t{rport} << 48)));
    std::uint32_t& perturb = perturb_[static_cast<std::uint16_t>(port_offset)];
    PortSet& held = dests_[DestKey{local, raddr, rport}];
    std::uint32_t offset = static_cast<std::uint32_t>((perturb + (port_offset >> 32)) % k_range);
    offset &= ~1u;
    // The first offset of [from, end), of from's parity, neither held nor bound by a listener
    // (Linux: a port whose bucket has fastreuse >= 0), or k_none.
    auto first_usable = [&](std::uint32_t from, std::uint32_t end) {
      for (;;) {
        std::uint32_t o = held.next_free(from);
        if (o == k_none || o >= end) return k_none;
        if (!tcp.has_port(static_cast<std::uint16_t>(k_ephemeral_first + o))) return o;
        from = o + 2;
      }
    };
    for (int pass = 0; pass < 2; ++pass, offset |= 1) {  // even ports, then odd ones
      // The walk offset, offset + 2, ... wraps at k_range (even, so it keeps its parity).
      std::uint32_t o = first_usable(offset, k_range);
      if (o == k_none) o = first_usable(offset & 1, offset);
      if (o == k_none) continue;
      std::uint32_t i = (o + k_range - offset) % k_range;
      i = std::max<std::uint32_t>(i, static_cast<std::uint32_t>(rng_.below(8)) * 2);
      perturb += i + 2;
      held.insert(o);
      auto port = static_cast<std::uint16_t>(k_ephemeral_first + o);
      ++connection_ports_.at(port, local);
      return port;
    }
    if (held.empty()) dests_.erase(DestKey{local, raddr, rport});
    return 0;
  }

  void release(const IpAddress& local, std::uint16_t port, const IpAddress& raddr,
               std::uint16_t rport) {
    if (port < k_ephemeral_first || port > k_ephemeral_last) return;
    auto d = dests_.find(DestKey{local, raddr, rport});
    std::uint32_t o = port - k_ephemeral_first;
    if (d == dests_.end() || !d->second.contains(o)) return;
    d->second.erase(o);
    if (d->second.empty()) dests_.erase(d);
    std::uint32_t* c = connection_ports_.find(port, local);
    if (c && --*c == 0) connection_ports_.erase(port, local);
  }

  // The host went down: every binding and connection is gone (the random state goes on).
  void clear() {
    udp.clear();
    tcp.clear();
    dests_.clear();
    connection_ports_.clear();
    perturb_.clear();
  }

 private:
  using DestKey = std::tuple<IpAddress, IpAddress, std::uint16_t>;
  Rng rng_;
  std::uint64_t secret_;
  std::map<DestKey, PortSet> dests_;
  BindTable<std::uint32_t> connection_ports_;  // live connections per (port, local address)
  std::map<std::uint16_t, std::uint32_t> perturb_;
};

// ---- HostImpl --------------------------------------------------------------------------------

HostImpl::HostImpl(World::Impl& world, std::string name, std::vector<asio::ip::address> addresses,
                   std::uint32_t index)
    : world_(world),
      name_(std::move(name)),
      addresses_(std::move(addresses)),
      index_(index),
      network_(std::make_unique<SimNetwork>(world, *this)) {
  for (const auto& a : addresses_) ips_.push_back(IpAddress::from(a));
  for (const auto& a : ips_) {
    if (!first_[a.is_v6() ? 1 : 0]) first_[a.is_v6() ? 1 : 0] = &a;
  }
}

HostImpl::~HostImpl() = default;

PortTables& HostImpl::ports() {
  if (!ports_) ports_ = std::make_unique<PortTables>(world_.seed_, name_);
  return *ports_;
}

bool HostImpl::owns(const IpAddress& a) const {
  if (a.is_unspecified() || a.is_loopback()) return true;
  return std::find(ips_.begin(), ips_.end(), a) != ips_.end();
}

net::error_code HostImpl::bind_udp(SimUdpSocket* s, net::Endpoint& at) {
  const IpAddress addr = IpAddress::from(at.address);
  if (!owns(addr)) return net::error::address_not_available;
  if (at.address.is_v6() && addr.is_v4()) at.address = addr.to_address();  // ::ffff:a.b.c.d
  auto& t = ports();
  if (at.port == 0) {
    at.port = t.pick_bind_port(false, [&](std::uint16_t p) { return !t.udp.conflicts(p, addr); });
    if (at.port == 0) return net::error::address_in_use;
  } else if (t.udp.conflicts(at.port, addr)) {
    return net::error::address_in_use;
  }
  t.udp.at(at.port, addr) = s;
  last_udp_.valid = false;
  return {};
}

void HostImpl::unbind_udp(std::uint16_t port, SimUdpSocket* s) {
  if (ports_) ports_->udp.erase_value(port, s);
  last_udp_.valid = false;
}

SimUdpSocket* HostImpl::udp_lookup(const IpAddress& dst, std::uint16_t port) const {
  if (!ports_) return nullptr;
  void* const* s = ports_->udp.bound_at(dst, port);
  last_udp_ = {dst, port, true, s ? static_cast<SimUdpSocket*>(*s) : nullptr};
  return last_udp_.socket;
}

net::error_code HostImpl::bind_tcp(SimTcpListener* l, net::Endpoint& at) {
  const IpAddress addr = IpAddress::from(at.address);
  if (!owns(addr)) return net::error::address_not_available;
  if (at.address.is_v6() && addr.is_v4()) at.address = addr.to_address();  // ::ffff:a.b.c.d
  auto& t = ports();
  if (at.port == 0) {
    at.port = t.pick_bind_port(true, [&](std::uint16_t p) { return !t.tcp_conflict(p, addr); });
    if (at.port == 0) return net::error::address_in_use;
  } else if (t.tcp_conflict(at.port, addr)) {
    return net::error::address_in_use;
  }
  t.tcp.at(at.port, addr) = l;
  return {};
}

void HostImpl::unbind_tcp(std::uint16_t port, SimTcpListener* l) {
  if (ports_) ports_->tcp.erase_value(port, l);
}

SimTcpListener* HostImpl::listener_at(const IpAddress& dst, std::uint16_t port) const {
  if (!ports_) return nullptr;
  void* const* l = ports_->tcp.bound_at(dst, port);
  return l ? static_cast<SimTcpListener*>(*l) : nullptr;
}

net::error_code HostImpl::take_connection_port(const IpAddress& local_address,
                                               const WireEndpoint& remote, std::uint16_t& port) {
  port = ports().connect(local_address, remote.addr, remote.port);
  return port ? net::error_code() : net::error_code(net::error::address_not_available);
}

void HostImpl::release_connection_port(const net::Endpoint& local, const net::Endpoint& remote) {
  if (ports_) {
    ports_->release(IpAddress::from(local.address), local.port, IpAddress::from(remote.address),
                    remote.port);
  }
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
  if (ports_) ports_->clear();
  last_udp_.valid = false;
}

void HostImpl::do_restart() {
  if (up_) return;
  up_ = true;
  network_->set_dead(false);
  world_.host_restarted(*this);
}

void HostImpl::vanish_everything(std::vector<Task>& grave) {
  network_->vanish_all(grave, Vanish::world_end);
  for (auto& n : process_networks_) n->vanish_all(grave, Vanish::world_end);
}

}  // namespace simsock::sim
