#include <simsock/sim/cancel.hpp>
#include <simsock/sim/udp_model.hpp>

#include <algorithm>
#include <cstring>

#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {
namespace {

// Payload vectors are recycled per thread: a datagram's bytes are usually copied out into the
// receiver's buffer at delivery, and the next send reuses that vector's capacity instead of
// allocating. Bounded: at most 32 vectors of up to 64 KiB each are kept.
class PayloadPool {
 public:
  std::vector<std::uint8_t> take(const std::uint8_t* p, std::size_t n) {
    if (free_.empty()) return std::vector<std::uint8_t>(p, p + n);
    std::vector<std::uint8_t> v = std::move(free_.back());
    free_.pop_back();
    v.assign(p, p + n);
    return v;
  }
  void give(std::vector<std::uint8_t>&& v) {
    if (v.capacity() == 0 || v.capacity() > 65536 || free_.size() >= 32) return;
    free_.push_back(std::move(v));
  }
  static PayloadPool& here() {
    thread_local PayloadPool pool;
    return pool;
  }

 private:
  std::vector<std::vector<std::uint8_t>> free_;
};

void trace_udp(World::Impl& w, TraceKind kind, WireEndpoint src, WireEndpoint dst, std::size_t len,
               std::string_view reason = {}) {
  w.tracer_.emit_wire(w.now(), kind, src, dst, static_cast<std::int64_t>(len), reason);
}

void drop(World::Impl& w, WireEndpoint src, WireEndpoint dst, std::size_t len,
          std::string_view reason) {
  ++w.counters_.udp_dropped;
  trace_udp(w, "udp.drop", src, dst, len, reason);
}

// The receiving end: host, port table, socket queue.
void arrive(World::Impl& w, HostImpl& host, std::vector<std::uint8_t>& data, WireEndpoint src,
            WireEndpoint dst) {
  std::size_t len = data.size();
  if (!host.up()) return drop(w, src, dst, len, "host_down");
  SimUdpSocket* s = host.udp_at(dst.addr, dst.port);
  if (!s) return drop(w, src, dst, len, "no_listener");
  if (!s->deliver(std::move(data), src)) return drop(w, src, dst, len, "overflow");
  PayloadPool::here().give(std::move(data));  // copied out (a queued datagram took it instead)
  ++w.counters_.udp_delivered;
  trace_udp(w, "udp.deliver", src, dst, len);
}

void schedule_arrival(World::Impl& w, Path& path, std::int64_t t, std::vector<std::uint8_t> data,
                      WireEndpoint src, WireEndpoint dst) {
  w.at(t, Task([&w, host = &path.to(), data = std::move(data), src, dst]() mutable {
         arrive(w, *host, data, src, dst);
       }),
       nullptr, &path.arrivals);
}

// Number of IP fragments for a UDP payload of `len` bytes under `mtu`. IPv4: a 20-byte header
// per fragment. IPv6: a 40-byte header plus an 8-byte fragment header per fragment (RFC 8200), so
// one packet carries len + 48 bytes and each fragment (mtu - 48) rounded down to 8. An MTU too
// small for any fragment (below 68, IPv4's minimum) sends the datagram whole.
std::size_t fragments(std::size_t len, std::uint32_t mtu, bool v6) {
  const std::size_t header = v6 ? 40 : 20;
  if (len + 8 + header <= mtu || mtu < 68) return 1;
  std::size_t per_fragment = (mtu - header - (v6 ? 8 : 0)) & ~std::size_t{7};
  return (len + 8 + per_fragment - 1) / per_fragment;
}

// Bytes on the wire for a datagram of `len` bytes sent as `n` fragments.
std::size_t wire_bytes(std::size_t len, std::size_t n, bool v6) {
  if (!v6) return len + 28 + 20 * (n - 1);
  return n == 1 ? len + 48 : len + 8 + 48 * n;
}

// The path's stages for one datagram, in order.
void transmit(World::Impl& w, Path& path, std::vector<std::uint8_t> data, WireEndpoint src,
              WireEndpoint dst) {
  const std::size_t len = data.size();
  const bool v6 = dst.addr.is_v6();
  const std::size_t n = fragments(len, path.config().udp.mtu, v6);
  Passage v = path.pass(w.now(), PacketRecord::Proto::udp, true, n, wire_bytes(len, n, v6), [&] {
    return Task([&w, &path, data = std::move(data), src, dst]() mutable {
      transmit(w, path, std::move(data), src, dst);
    });
  });
  if (w.packet_sinks()) {
    PacketPassage d;
    d.t = w.now();
    d.from = path.from().name();
    d.to = path.to().name();
    d.verdict = static_cast<PacketPassage::Verdict>(v.verdict);
    d.reason = v.reason;
    d.arrival = v.verdict == Passage::Verdict::arrive ? v.arrival : -1;
    d.latency = path.config().latency.count();
    d.reordered = v.reordered;
    d.duplicate_at = v.duplicate.value_or(-1);
    w.passage(d);
  }
  if (v.verdict == Passage::Verdict::held) return;
  if (n > 1 && v.reason != "partition") w.counters_.udp_fragments += n;
  if (v.verdict == Passage::Verdict::dropped) return drop(w, src, dst, len, v.reason);
  if (v.reordered) ++w.counters_.udp_reordered;
  if (v.duplicate) {
    ++w.counters_.udp_duplicated;
    trace_udp(w, "udp.duplicate", src, dst, len);
    schedule_arrival(w, path, *v.duplicate, data, src, dst);
  }
  schedule_arrival(w, path, v.arrival, std::move(data), src, dst);
}

}  // namespace

std::unique_ptr<net::UdpSocket> make_udp_socket(SimNetwork& net, const net::Endpoint& at,
                                                net::error_code& ec) {
  net::Endpoint local = at;
  auto s = std::make_unique<SimUdpSocket>(net, local);
  ec = net.host().bind_udp(s.get(), local);
  if (ec) return nullptr;
  s->set_local(local);
  ec = {};
  return s;
}

SimUdpSocket::~SimUdpSocket() {
  if (!gone()) close();
}

void SimUdpSocket::close() {
  if (closed_) return;
  closed_ = true;
  if (!gone()) home().host().unbind_udp(local_.port, this);
  queue_.clear();
  charged_ = deficit_ = taken_over_ = 0;
  cancel();
}

void SimUdpSocket::cancel() {
  if (!receiver_) return;
  world().complete_stored(receiver_, net::error_code(net::error::operation_aborted),
                          net::Datagram{});
}

void SimUdpSocket::vanish(std::vector<Task>& grave, Vanish) {
  if (!closed_) home().host().unbind_udp(local_.port, this);
  closed_ = true;
  queue_.clear();
  charged_ = deficit_ = taken_over_ = 0;
  if (receiver_) {
    grave.emplace_back([h = take(receiver_)] {});
    receiver_.reset();
  }
  detach();
}

void SimUdpSocket::send_to_impl(
    asio::const_buffer b, const net::Endpoint& to,
    asio::any_completion_handler<void(net::error_code, std::size_t)> h) {
  send_to_queued(b, to, world().adopt(std::move(h)));
}

void SimUdpSocket::send_to_queued(asio::const_buffer b, const net::Endpoint& to, SendHandler&& h) {
  auto& w = world();
  w.adopt(h);
  auto fail = [&](net::error_code ec) { w.complete(std::move(h), ec, std::size_t{0}); };
  if (closed_ || gone()) return fail(net::error::bad_descriptor);
  if (b.size() > k_udp_max_payload) return fail(net::error::message_size);
  if (to.port == 0) return fail(net::error::invalid_argument);
  HostImpl& from = home().host();
  WireEndpoint dst = WireEndpoint::from(to);
  const IpAddress local = local_ip_;
  // A socket sends in its own family (Linux: EAFNOSUPPORT from an IPv4 socket; ENETUNREACH from
  // an IPv6 socket bound to an IPv6 address); a dual-stack one ([::]) sends to IPv4 peers as IPv4.
  if (local.is_v4() && dst.addr.is_v6()) {
    return fail(asio::error::address_family_not_supported);
  }
  if (local.is_v6() && !local.is_unspecified() && dst.addr.is_v4()) {
    return fail(net::error::host_unreachable);
  }
  HostImpl* dst_host = last_dst_host_;
  if (!dst_host || !(dst.addr == last_dst_)) {
    dst_host = w.route(from, dst.addr);
    if (!dst_host) return fail(net::error::host_unreachable);
    last_dst_ = dst.addr;
    last_dst_host_ = dst_host;
  }
  if (dst.addr.is_unspecified()) dst.addr = IpAddress::loopback(dst.addr.is_v6());
  WireEndpoint src{local, local_.port};
  if (dst.addr.is_loopback()) {
    if (!(local.is_loopback() && local.is_v6() == dst.addr.is_v6())) {
      src.addr = IpAddress::loopback(dst.addr.is_v6());
    }
  } else if (local.is_unspecified() || local.is_loopback()) {
    const IpAddress* own = from.first_address(dst.addr.is_v6());
    if (!own) return fail(net::error::host_unreachable);  // no address of that family: ENETUNREACH
    src.addr = *own;
  }
  const auto* p = static_cast<const std::uint8_t*>(b.data());
  std::vector<std::uint8_t> data = PayloadPool::here().take(p, b.size());
  ++w.counters_.udp_sent;
  trace_udp(w, "udp.send", src, dst, data.size());
  if (w.packet_sinks()) {
    PacketRecord r;
    r.t = w.now();
    r.proto = PacketRecord::Proto::udp;
    r.src = src.to_endpoint();
    r.dst = dst.to_endpoint();
    r.payload = data.data();
    r.payload_len = data.size();
    w.packet(r);
  }
  if (dst_host != last_to_) {
    last_path_ = &w.path(from, *dst_host);
    last_to_ = dst_host;
  }
  transmit(w, *last_path_, std::move(data), src, dst);
  w.complete(std::move(h), net::error_code(), b.size());
}

net::Datagram SimUdpSocket::copy_out(const std::vector<std::uint8_t>& data, WireEndpoint from,
                                     asio::mutable_buffer into) {
  net::Datagram d;
  d.full_size = data.size();
  d.bytes = std::min(data.size(), into.size());
  if (d.bytes) std::memcpy(into.data(), data.data(), d.bytes);
  d.sender = from.to_endpoint();
  if (d.truncated()) ++world().counters_.udp_truncated;
  return d;
}

void SimUdpSocket::receive_from_impl(
    asio::mutable_buffer b, asio::any_completion_handler<void(net::error_code, net::Datagram)> h) {
  receive_from_queued(b, world().adopt(std::move(h)));
}

void SimUdpSocket::receive_from_queued(asio::mutable_buffer b, RecvHandler&& h) {
  world().adopt(h);
  if (closed_ || gone()) {
    return world().complete(std::move(h), net::error_code(net::error::bad_descriptor),
                            net::Datagram{});
  }
  if (receiver_) cancel();
  if (!queue_.empty()) {
    if (taken_over_ == 0) taken_over_ = queue_.size();  // the reader takes over the whole queue
    Queued q = std::move(queue_.front());
    queue_.pop_front();
    --taken_over_;
    deficit_ += udp_truesize(q.data.size(), q.v6);
    if (deficit_ >= k_udp_receive_buffer / 4 || taken_over_ == 0) {  // udp_rmem_release
      charged_ -= deficit_;
      deficit_ = 0;
      taken_over_ = queue_.size();
    }
    net::Datagram d = copy_out(q.data, q.from, b);
    PayloadPool::here().give(std::move(q.data));
    return world().complete(std::move(h), net::error_code(), d);
  }
  receiver_.emplace(std::move(h));
  watch_cancel(*receiver_, [this] { cancel(); });
  receive_buffer_ = b;
}

bool SimUdpSocket::deliver(std::vector<std::uint8_t>&& data, WireEndpoint from) {
  if (receiver_) {
    world().complete_stored(receiver_, net::error_code(), copy_out(data, from, receive_buffer_));
    return true;
  }
  const bool v6 = from.addr.is_v6();
  const std::size_t truesize = udp_truesize(data.size(), v6);
  if (charged_ + truesize > k_udp_receive_buffer && charged_ != 0) return false;
  charged_ += truesize;
  queue_.push_back(Queued{std::move(data), from, v6});
  return true;
}

}  // namespace simsock::sim
