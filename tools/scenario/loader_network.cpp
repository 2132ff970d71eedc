// The loader's network and faults sections: link settings (network.default, network.links,
// set_link faults), host pairs, and the fault timeline.
#include <cmath>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>

namespace simsock::scenario::detail {

namespace {

using Entries = std::vector<std::pair<std::string, Field>>;

// Bandwidths other than 0 (unlimited): 1 kbps .. 1000 Gbps. With the queue at most 1 GiB, a
// packet waits at most about 100 days behind the queue, so no instant overflows.
constexpr std::uint64_t k_min_bandwidth = 1000, k_max_bandwidth = 1'000'000'000'000;
constexpr std::uint64_t k_max_queue = 1ULL << 30;
constexpr std::uint64_t k_min_tcp_buffer = 1024, k_max_tcp_buffer = 1ULL << 30;
constexpr std::uint64_t k_max_syn_retries = 127;  // Linux's MAX_TCP_SYNCNT
constexpr std::uint64_t k_max_retries2 = 255;     // the most net.ipv4.tcp_retries2 accepts

std::uint64_t in_bandwidth_range(const Field& f, std::uint64_t v) {
  if (v != 0 && (v < k_min_bandwidth || v > k_max_bandwidth)) {
    f.fail(f.shown() + " is out of range (0 for unlimited, or 1kbps..1000Gbps)");
  }
  return v;
}

// "10Mbps", "1.5Gbit", "64kbps", "9600bps" or a bare integer (bits per second).
std::uint64_t parse_bandwidth(const Field& f) {
  std::string s = f.text();
  auto bad = [&]() {
    f.fail(f.shown() +
           " is not a bandwidth (bits per second: an integer, or a number with bps, kbps, Mbps "
           "or Gbps, e.g. 10Mbps)");
  };
  if (auto v = net::parse_uint(s)) return in_bandwidth_range(f, *v);
  std::size_t unit_at = s.find_first_not_of("0123456789.");
  if (unit_at == 0 || unit_at == std::string::npos) bad();
  std::string num = s.substr(0, unit_at), unit = s.substr(unit_at);
  struct Unit {
    std::string_view a, b;
    double scale;
  };
  static constexpr Unit units[] = {
      {"bps", "bit", 1.0}, {"kbps", "kbit", 1e3}, {"Mbps", "Mbit", 1e6}, {"Gbps", "Gbit", 1e9}};
  double scale = 0;
  for (const auto& u : units) {
    if (unit == u.a || unit == u.b) scale = u.scale;
  }
  if (scale == 0 || num.find('.') != num.rfind('.') || num.front() == '.' || num.back() == '.') {
    bad();
  }
  double v = std::strtod(num.c_str(), nullptr) * scale;
  if (!std::isfinite(v)) bad();
  if (v > 2e12) in_bandwidth_range(f, k_max_bandwidth + 1);
  return in_bandwidth_range(f, static_cast<std::uint64_t>(std::llround(v)));
}

sim::GilbertElliott parse_burst(const Field& f) {
  sim::GilbertElliott g;
  for (const auto& [k, v] :
       f.entries("a burst model like {p_good_to_bad: 1%, p_bad_to_good: 30%}",
                 {"p_good_to_bad", "p_bad_to_good", "loss_good", "loss_bad"})) {
    double p = v.probability();
    if (k == "p_good_to_bad") g.p_good_to_bad = p;
    if (k == "p_bad_to_good") g.p_bad_to_good = p;
    if (k == "loss_good") g.loss_good = p;
    if (k == "loss_bad") g.loss_bad = p;
  }
  return g;
}

void parse_udp(const Field& f, sim::LinkPatch& patch) {
  for (const auto& [k, v] :
       f.entries("UDP settings like {loss: 20%, mtu: 1500}",
                 {"loss", "duplicate", "reorder", "reorder_delay", "mtu", "burst"})) {
    if (k == "loss") patch.udp_loss = v.probability();
    if (k == "duplicate") patch.udp_duplicate = v.probability();
    if (k == "reorder") patch.udp_reorder = v.probability();
    if (k == "reorder_delay") patch.udp_reorder_delay = v.duration(k_max_delay);
    if (k == "mtu") {
      auto mtu = v.uint(65535);
      if (mtu < 68) v.fail(v.shown() + " is not an MTU (68..65535 bytes)");
      patch.udp_mtu = static_cast<std::uint32_t>(mtu);
    }
    if (k == "burst") patch.udp_burst = parse_burst(v);
  }
}

sim::TcpSegmentPolicy parse_segment(const Field& f) {
  sim::TcpSegmentPolicy policy;
  auto size = [](const Field& v) {
    auto n = v.uint(65535);
    if (n == 0) v.fail(v.shown() + " is not a segment size (1..65535 bytes)");
    return static_cast<std::uint32_t>(n);
  };
  if (f.is_scalar()) {
    policy.min = policy.max = size(f);
    return policy;
  }
  auto e = f.entries("segment sizes like {min: 1, max: 8} or one size", {"min", "max"});
  const Field& min_f = require_entry(f, e, "min", "{min: 1, max: 8}");
  const Field& max_f = require_entry(f, e, "max", "{min: 1, max: 8}");
  policy.min = size(min_f);
  policy.max = size(max_f);
  if (policy.min > policy.max) {
    max_f.fail(max_f.shown() + " is smaller than min (" + std::to_string(policy.min) + ")");
  }
  return policy;
}

// A positive timer duration of at most 1 hour.
Duration timer(const Field& v) {
  Duration d = v.duration(k_max_delay);
  if (d <= Duration(0)) v.fail(v.shown() + " is not a positive duration");
  return d;
}

void parse_tcp(const Field& f, sim::LinkPatch& patch) {
  for (const auto& [k, v] :
       f.entries("TCP settings like {segment: {min: 1, max: 8}}",
                 {"segment", "loss", "rto", "initial_rto", "syn_retries", "syn_linear_timeouts",
                  "retries2", "send_buffer", "receive_buffer"})) {
    if (k == "segment") patch.tcp_segment = parse_segment(v);
    if (k == "loss") {
      patch.tcp_loss = v.probability();
      if (*patch.tcp_loss >= 1.0) {
        v.fail(v.shown() + " would lose every segment forever; use a partition (accepted: 0..99%)");
      }
    }
    if (k == "rto") patch.tcp_rto = timer(v);
    if (k == "initial_rto") patch.tcp_initial_rto = timer(v);
    if (k == "syn_retries") {
      patch.tcp_syn_retries =
          static_cast<std::uint32_t>(v.uint_in(1, k_max_syn_retries, "a retry count"));
    }
    if (k == "syn_linear_timeouts") {
      patch.tcp_syn_linear_timeouts =
          static_cast<std::uint32_t>(v.uint_in(0, k_max_syn_retries, "a retry count"));
    }
    if (k == "retries2") {
      patch.tcp_retries2 =
          static_cast<std::uint32_t>(v.uint_in(1, k_max_retries2, "a retry count"));
    }
    if (k == "send_buffer") {
      patch.tcp_send_buffer =
          v.uint_in(k_min_tcp_buffer, k_max_tcp_buffer, "a buffer size in bytes");
    }
    if (k == "receive_buffer") {
      patch.tcp_receive_buffer =
          v.uint_in(k_min_tcp_buffer, k_max_tcp_buffer, "a buffer size in bytes");
    }
  }
}

// The link keys shared by network.default, network.links entries and set_link faults.
sim::LinkPatch parse_link(const Entries& e) {
  sim::LinkPatch patch;
  for (const auto& [k, v] : e) {
    if (k == "latency") patch.latency = v.duration(k_max_delay);
    if (k == "jitter") patch.jitter = v.duration(k_max_delay);
    if (k == "bandwidth") patch.bandwidth_bps = parse_bandwidth(v);
    if (k == "queue") patch.queue_bytes = v.uint_in(1, k_max_queue, "a queue size in bytes");
    if (k == "udp") parse_udp(v, patch);
    if (k == "tcp") parse_tcp(v, patch);
  }
  return patch;
}

std::string host_name(const Field& f, const ScenarioSpec& spec, const Names& names) {
  std::string h = f.text();
  check_host(f, spec, names, h);
  return h;
}

// [a, b]: both directions.
sim::HostPair parse_between(const Field& f, const ScenarioSpec& spec, const Names& names) {
  auto items = f.items("two hosts like [client, server]");
  if (items.size() != 2)
    f.fail("expected two hosts like [client, server], got " + std::to_string(items.size()));
  sim::HostPair pair{host_name(items[0], spec, names), host_name(items[1], spec, names), true};
  if (pair.a == pair.b) items[1].fail("a host cannot be paired with itself");
  return pair;
}

// The pair named by `between` or by `from` and `to` among entries.
sim::HostPair parse_pair_keys(const Field& parent, const Entries& e, const ScenarioSpec& spec,
                              const Names& names) {
  const Field* between = find_entry(e, "between");
  const Field* from = find_entry(e, "from");
  const Field* to = find_entry(e, "to");
  if (between && (from || to)) {
    (from ? *from : *to).fail("give either between: [a, b] or from: a, to: b, not both");
  }
  if (between) return parse_between(*between, spec, names);
  if (!from || !to) {
    parent.fail("missing the hosts: between: [a, b] (both ways) or from: a, to: b (one way)");
  }
  sim::HostPair pair{host_name(*from, spec, names), host_name(*to, spec, names), false};
  if (pair.a == pair.b) to->fail("a host cannot be paired with itself");
  return pair;
}

// A fault's pair: [a, b] or {from: a, to: b}.
sim::HostPair parse_fault_pair(const Field& f, const ScenarioSpec& spec, const Names& names) {
  if (f.is_list()) return parse_between(f, spec, names);
  auto e =
      f.entries("two hosts like [client, server] or {from: client, to: server}", {"from", "to"});
  return parse_pair_keys(f, e, spec, names);
}

bool overlaps(const sim::HostPair& x, const sim::HostPair& y) {
  auto has = [](const sim::HostPair& p, const std::string& a, const std::string& b) {
    return (p.a == a && p.b == b) || (p.both_directions && p.a == b && p.b == a);
  };
  return has(x, y.a, y.b) || (y.both_directions && has(x, y.b, y.a));
}

}  // namespace

sim::LinkPatch parse_link_entries(const std::vector<std::pair<std::string, Field>>& entries) {
  return parse_link(entries);
}

sim::LinkPatch parse_link_map(const Field& f) {
  return parse_link(f.entries("a link like {latency: 5ms}",
                              {"latency", "jitter", "bandwidth", "queue", "udp", "tcp"}));
}

void load_network(const Field& network, ScenarioSpec& spec, const Names& names) {
  auto e = network.entries("network settings like {default: {latency: 5ms}, links: [...]}",
                           {"default", "links"});
  if (const Field* d = find_entry(e, "default")) {
    auto de = d->entries("a link like {latency: 5ms}",
                         {"latency", "jitter", "bandwidth", "queue", "udp", "tcp"});
    spec.default_link = parse_link(de);
  }
  const Field* links = find_entry(e, "links");
  if (!links) return;
  for (const Field& lf : links->items("a list of links like [{between: [a, b], latency: 20ms}]")) {
    auto le = lf.entries(
        "a link like {between: [client, server], latency: 20ms}",
        {"between", "from", "to", "latency", "jitter", "bandwidth", "queue", "udp", "tcp"});
    LinkSpec link{parse_pair_keys(lf, le, spec, names), parse_link(le)};
    for (std::size_t i = 0; i < spec.links.size(); ++i) {
      if (overlaps(spec.links[i].pair, link.pair)) {
        lf.fail("hosts " + link.pair.a + " and " + link.pair.b + " already have a link (" +
                links->path() + "[" + std::to_string(i) + "])");
      }
    }
    spec.links.push_back(std::move(link));
  }
}

void load_faults(const Field& faults, ScenarioSpec& spec, const Names& names) {
  for (const Field& ff : faults.items("a list of faults like [{at: 2s, partition: [a, b]}]")) {
    auto e = ff.entries(
        "a fault like {at: 2s, crash: server}",
        {"at", "partition", "heal", "clog", "release", "crash", "restart", "kill", "set_link"});
    const Field& at_f = require_entry(ff, e, "at", "{at: 2s, crash: server}");
    sim::Fault fault;
    fault.at = at_f.duration(k_max_timeline);
    if (fault.at > spec.duration) {
      at_f.fail(at_f.shown() + " is after the end of the scenario (duration " +
                net::format_duration(spec.duration) + ")");
    }
    if (e.size() != 2) {
      ff.fail(
          "a fault has 'at' and exactly one action (partition, heal, clog, release, crash, "
          "restart, kill or set_link)");
    }
    const auto& [kind, v] = e[0].first == "at" ? e[1] : e[0];
    if (kind == "partition") fault.action = sim::Partition{parse_fault_pair(v, spec, names)};
    if (kind == "heal") fault.action = sim::Heal{parse_fault_pair(v, spec, names)};
    if (kind == "clog") fault.action = sim::Clog{parse_fault_pair(v, spec, names)};
    if (kind == "release") fault.action = sim::Release{parse_fault_pair(v, spec, names)};
    if (kind == "crash") fault.action = sim::Crash{host_name(v, spec, names)};
    if (kind == "restart") fault.action = sim::Restart{host_name(v, spec, names)};
    if (kind == "kill") {
      std::string process = v.text();
      check_process(v, spec, names, process);
      fault.action = sim::Kill{process};
    }
    if (kind == "set_link") {
      auto le = v.entries(
          "a link change like {between: [a, b], udp: {loss: 0%}}",
          {"between", "from", "to", "latency", "jitter", "bandwidth", "queue", "udp", "tcp"});
      fault.action = sim::SetLink{parse_pair_keys(v, le, spec, names), parse_link(le)};
    }
    spec.faults.push_back(std::move(fault));
  }
}

}  // namespace simsock::scenario::detail
