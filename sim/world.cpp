// The world loop and the World facade. The loop alternates between draining the scheduler
// (every handler that is ready, FIFO) and running the next event of the agenda, whose time
// becomes the virtual clock.
#include <algorithm>
#include <stdexcept>

#include <simsock/sim/tcp_end.hpp>
#include <simsock/sim/time_math.hpp>
#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {

std::string_view to_string(ProcessState s) {
  switch (s) {
    case ProcessState::running:
      return "running";
    case ProcessState::exited:
      return "exited";
    case ProcessState::crashed:
      return "crashed";
    case ProcessState::killed:
      return "killed";
    case ProcessState::failed:
      return "failed";
  }
  return "running";
}

World::Impl::Impl(std::uint64_t seed)
    : seed_(seed), start_time_(std::chrono::sys_days(std::chrono::year(2000) / 1 / 1)) {}

World::Impl::~Impl() {
  ending_ = true;
  // Every stored handler (in objects and in the agenda) dies; coroutine frames go with them.
  std::vector<Task> grave;
  for (auto& h : hosts_) h->vanish_everything(grave);
  queue_.take_all(grave);
  delayed_.take_all(grave);
  grave.clear();
  sched_.clear();
  for (auto& h : hosts_) h->vanish_everything(grave);
  grave.clear();
  for (auto& slot : ends_) slot.end.reset();
}

void World::Impl::stalled() {
  std::uint64_t n = events_ - instant_first_event_;
  instant_first_event_ = events_;  // a caller that catches this may go on for as many again
  throw Stalled("no virtual-time progress: " + std::to_string(n) +
                " events and handlers ran at t=" + std::to_string(now_) +
                " ns without the clock advancing (a loop over zero-latency paths, or handlers that "
                "post themselves forever?)");
}

void World::Impl::poll_handlers() {
  if (now_ != instant_) check_progress();
  for (;;) {
    std::uint64_t budget = max_events_per_instant_ == 0 ? UINT64_MAX : max_events_per_instant_ + 1;
    events_ += sched_.poll(budget);
    check_progress();
    if (sched_.empty()) return;
  }
}

void World::Impl::set_perturb(const PerturbOptions& options) {
  perturb_ = options;
  max_delay_ = options.max_delay.count() > 0 ? options.max_delay.count() : 0;
  order_rng_ = Rng(seed_, "perturb:order");
  delay_rng_ = Rng(seed_, "perturb:delay");
  queue_.set_tiebreak(options.order ? &order_rng_ : nullptr);
  delayed_.set_tiebreak(options.order ? &order_rng_ : nullptr);
  sched_.set_picker(options.order ? &Impl::pick_ready : nullptr, &order_rng_);
}

void World::Impl::delay(Task t) {
  auto d = static_cast<std::int64_t>(delay_rng_.between(0, static_cast<std::uint64_t>(max_delay_)));
  delayed_.push(sat_add(now_, d), std::move(t));
}

bool World::Impl::release_delayed(std::int64_t t) {
  bool any = false;
  std::int64_t due;
  Task task;
  while (delayed_.next_time() <= t && delayed_.pop(due, task)) {
    sched_.post(std::move(task));
    any = true;
  }
  return any;
}

void World::Impl::flush_delayed() {
  if (delayed_.empty()) return;
  Loop::Scope scope(sched_);
  release_delayed(INT64_MAX);
  poll_handlers();
}

bool World::Impl::step() {
  Loop::Scope scope(sched_);
  poll_handlers();
  std::int64_t t;
  Task task;
  if (!delayed_.empty() && delayed_.next_time() <= queue_.next_time()) {
    now_ = std::max(now_, delayed_.next_time());
    release_delayed(now_);
    check_progress();
    poll_handlers();
    return true;
  }
  if (!queue_.pop(t, task)) return false;
  now_ = t;
  ++events_;
  task();
  task.reset();
  check_progress();
  poll_handlers();
  return true;
}

void World::Impl::run_until(std::int64_t limit, const std::function<bool()>* done) {
  Loop::Scope scope(sched_);
  std::int64_t t;
  Task task;
  for (;;) {
    if (done && (*done)()) return;
    if (!sched_.empty()) {
      poll_handlers();
      if (done && (*done)()) return;
    }
    if (!delayed_.empty() && delayed_.next_time() <= queue_.next_time()) {
      if (delayed_.next_time() > limit) break;
      now_ = std::max(now_, delayed_.next_time());
      release_delayed(now_);
      check_progress();
      continue;
    }
    if (queue_.next_time() > limit) break;
    if (!queue_.pop(t, task)) break;
    now_ = t;
    ++events_;
    task();
    task.reset();
    check_progress();
  }
  if (limit != INT64_MAX && now_ < limit) now_ = limit;
}

HostImpl* World::Impl::find_host(std::string_view name) {
  auto it = hosts_by_name_.find(name);
  return it == hosts_by_name_.end() ? nullptr : it->second;
}

HostImpl* World::Impl::host_by_address(const IpAddress& a) {
  if (a.is_v4()) {
    auto it = hosts_by_v4_.find(a.v4_value());
    return it == hosts_by_v4_.end() ? nullptr : it->second;
  }
  auto it = hosts_by_v6_.find(a);
  return it == hosts_by_v6_.end() ? nullptr : it->second;
}

HostImpl* World::Impl::route(HostImpl& from, const IpAddress& dst) {
  if (dst.is_loopback() || dst.is_unspecified()) return &from;
  return host_by_address(dst);
}

LinkConfig World::Impl::configured_link(const std::string& from, const std::string& to) const {
  auto it = links_.find({from, to});
  if (it != links_.end()) return it->second;
  if (from == to) {
    LinkConfig loop;  // loopback: no delay, no impairment, a large MTU
    loop.latency = Duration(0);
    loop.udp.mtu = 65535;
    return loop;
  }
  return default_link_;
}

Path& World::Impl::path(HostImpl& from, HostImpl& to) {
  auto key = std::make_pair(from.index(), to.index());
  auto it = paths_.find(key);
  if (it != paths_.end()) return *it->second;
  auto p = std::make_unique<Path>(seed_, from, to, configured_link(from.name(), to.name()));
  auto& ref = *p;
  paths_.emplace(key, std::move(p));
  return ref;
}

EndRef World::Impl::add_end(std::unique_ptr<TcpEnd> e) {
  std::uint32_t id;
  if (!free_ends_.empty()) {
    id = free_ends_.back();
    free_ends_.pop_back();
  } else {
    id = static_cast<std::uint32_t>(ends_.size());
    ends_.emplace_back();
  }
  ends_[id].end = std::move(e);
  EndRef r{id, ends_[id].gen};
  ends_[id].end->self = r;
  return r;
}

TcpEnd* World::Impl::end(EndRef r) const {
  if (r.id >= ends_.size() || ends_[r.id].gen != r.gen) return nullptr;
  return ends_[r.id].end.get();
}

void World::Impl::free_end(EndRef r) {
  if (!end(r)) return;
  auto dead = std::move(ends_[r.id].end);
  if (++ends_[r.id].gen == 0) ends_[r.id].gen = 1;
  free_ends_.push_back(r.id);
  dead.reset();
}

void World::Impl::keep_sent_bytes(EndRef sender, ByteRing&& bytes, std::uint64_t una,
                                  std::int64_t until) {
  if (bytes.empty() || until < now_) return;
  sent_bytes_[key(sender)] = SentBytes{std::move(bytes), una, until};
  sent_bytes_expiry_.emplace(until, key(sender));
}

const ByteRing* World::Impl::sent_bytes(EndRef sender, std::uint64_t& una) const {
  if (TcpEnd* e = end(sender)) return e->send_buffer(una);
  auto it = sent_bytes_.find(key(sender));
  if (it == sent_bytes_.end()) return nullptr;
  una = it->second.una;
  return &it->second.bytes;
}

void World::Impl::linger(EndRef e, std::int64_t t) {
  lingering_.emplace(t, e);
}

void World::Impl::expire_lingering() {
  // Strictly before now: a segment arriving exactly at `until` still finds its bytes.
  while (!sent_bytes_expiry_.empty() && sent_bytes_expiry_.begin()->first < now_) {
    sent_bytes_.erase(sent_bytes_expiry_.begin()->second);
    sent_bytes_expiry_.erase(sent_bytes_expiry_.begin());
  }
  while (!lingering_.empty() && lingering_.begin()->first <= now_) {
    EndRef r = lingering_.begin()->second;
    lingering_.erase(lingering_.begin());
    if (TcpEnd* e = end(r)) e->expire();
  }
}

// ---- World facade ----------------------------------------------------------------------------

World::World(std::uint64_t seed) : impl_(std::make_unique<Impl>(seed)) {}
World::~World() = default;

std::uint64_t World::seed() const {
  return impl_->seed_;
}

Host& World::add_host(const std::string& name, const std::string& address) {
  return add_host(name, std::vector<std::string>{address});
}

Host& World::add_host(const std::string& name, const std::vector<std::string>& addresses) {
  auto& w = *impl_;
  if (name.empty() || w.hosts_by_name_.count(name)) {
    throw std::invalid_argument("duplicate or empty host name '" + name + "'");
  }
  if (addresses.empty()) throw std::invalid_argument("host '" + name + "' has no address");
  std::vector<asio::ip::address> addrs;
  for (const std::string& text : addresses) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(text, ec);
    const std::string what = "host '" + name + "': address '" + text + "' is ";
    if (ec) throw std::invalid_argument(what + "not an IP address (expected a.b.c.d or fd00::1)");
    if (const char* why = unusable_host_address(addr)) throw std::invalid_argument(what + why);
    const IpAddress ip = IpAddress::from(addr);
    if (w.host_by_address(ip) || std::find(addrs.begin(), addrs.end(), addr) != addrs.end()) {
      throw std::invalid_argument("duplicate host address " + text);
    }
    addrs.push_back(addr);
  }
  auto h = std::make_unique<HostImpl>(w, name, addrs, static_cast<std::uint32_t>(w.hosts_.size()));
  auto& ref = *h;
  w.hosts_by_name_[name] = &ref;
  for (const auto& a : addrs) {
    const IpAddress ip = IpAddress::from(a);
    if (ip.is_v4()) {
      w.hosts_by_v4_[ip.v4_value()] = &ref;
    } else {
      w.hosts_by_v6_[ip] = &ref;
    }
  }
  w.hosts_.push_back(std::move(h));
  return ref;
}

Host* World::find_host(std::string_view name) {
  return impl_->find_host(name);
}

Host& World::host(std::string_view name) {
  auto* h = impl_->find_host(name);
  if (!h) throw std::out_of_range("no host named '" + std::string(name) + "'");
  return *h;
}

void World::set_default_link(const LinkConfig& link) {
  impl_->default_link_ = link;
  for (auto& [key, p] : impl_->paths_) {
    if (!p->has_own_config()) {
      p->set_config(impl_->configured_link(p->from().name(), p->to().name()));
    }
  }
}

void World::set_link(const std::string& from, const std::string& to, const LinkConfig& link) {
  impl_->links_[{from, to}] = link;
  auto* a = impl_->find_host(from);
  auto* b = impl_->find_host(to);
  if (a && b) {
    auto& p = impl_->path(*a, *b);
    p.set_config(link);
    p.set_own_config(true);
  }
}

void World::drop_nth(const std::string& from, const std::string& to, PacketRecord::Proto proto,
                     std::vector<std::uint64_t> nth) {
  auto* a = impl_->find_host(from);
  auto* b = impl_->find_host(to);
  if (!a || !b) throw std::out_of_range("drop_nth: unknown host " + (a ? to : from));
  std::sort(nth.begin(), nth.end());
  auto& path = impl_->path(*a, *b);
  auto& script = proto == PacketRecord::Proto::tcp ? path.tcp_script : path.udp_script;
  script = Path::DropScript{std::move(nth), 0};
}

const LinkConfig& World::link(const std::string& from, const std::string& to) const {
  auto it = impl_->links_.find({from, to});
  if (it != impl_->links_.end()) return it->second;
  auto* a = impl_->find_host(from);
  auto* b = impl_->find_host(to);
  if (a && b) return impl_->path(*a, *b).config();
  return impl_->default_link_;
}

void World::set_start_time(std::chrono::system_clock::time_point t) {
  impl_->start_time_ = t;
}

void World::at(Duration t, std::function<void()> fn) {
  impl_->at(t.count(), Task([fn = std::move(fn)] { fn(); }));
}

void World::set_perturb(const PerturbOptions& options) {
  impl_->set_perturb(options);
}
const PerturbOptions& World::perturb() const {
  return impl_->perturb();
}

std::uint64_t World::max_events_per_instant() const {
  return impl_->max_events_per_instant_;
}

void World::set_max_events_per_instant(std::uint64_t n) {
  impl_->max_events_per_instant_ = n;
}

void World::run() {
  impl_->run_until(INT64_MAX);
}
void World::run_until(Duration t) {
  impl_->run_until(t.count());
}
void World::run_for(Duration d) {
  impl_->run_until(sat_add(impl_->now(), d.count()));
}
bool World::run_until_done(const std::function<bool()>& done, Duration deadline) {
  impl_->run_until(deadline.count(), &done);
  return done();
}
bool World::step() {
  return impl_->step();
}
Duration World::now() const {
  return Duration(impl_->now());
}
std::uint64_t World::events_processed() const {
  return impl_->events_;
}

const Stats& World::stats() const {
  impl_->counters_.fill(impl_->stats_cache_);
  return impl_->stats_cache_;
}
std::uint64_t World::digest() const {
  return impl_->tracer_.digest();
}
std::string World::digest_hex() const {
  return to_hex16(impl_->tracer_.digest());
}
void World::add_trace_sink(TraceSink* sink) {
  impl_->tracer_.add_sink(sink);
}
void World::add_packet_sink(PacketSink* sink) {
  impl_->packet_sinks_.push_back(sink);
}

}  // namespace simsock::sim
