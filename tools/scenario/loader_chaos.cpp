// The loader's chaos and perturb sections: random fault plans (tools/scenario/chaos.hpp) and
// schedule perturbation (sim/perturb.hpp).
#include <cmath>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>

namespace simsock::scenario::detail {

namespace {

using Entries = std::vector<std::pair<std::string, Field>>;

// The largest rate a kind accepts: 1000 per second.
constexpr double k_max_per_second = 1000.0;
// The longest perturbation delay: 1 s.
constexpr DurationLimit k_max_perturb_delay{std::chrono::seconds(1), "1s"};

bool parse_bool(const Field& f) {
  std::string s = f.is_scalar() ? f.text() : std::string();
  if (s == "true") return true;
  if (s == "false") return false;
  f.fail(f.shown() + " is not true or false");
}

// "2/s", "1/500ms", "0.5/1m": arrivals per unit of time.
double parse_rate(const Field& f, std::string& text) {
  text = f.is_scalar() ? f.text() : std::string();
  auto bad = [&]() {
    f.fail(f.shown() + " is not a rate (a count per duration, like 2/s, 1/500ms or 0.5/1m)");
  };
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) bad();
  std::string count = text.substr(0, slash), per = text.substr(slash + 1);
  if (count.find_first_not_of("0123456789.") != std::string::npos ||
      count.find('.') != count.rfind('.') || count.front() == '.' || count.back() == '.') {
    bad();
  }
  if (per.find_first_of("0123456789") == std::string::npos) per = "1" + per;
  bool too_large = false;
  auto d = parse_duration_at_most(per, k_max_timeline.max, too_large);
  if (!d || *d <= Duration(0)) bad();
  double n = std::strtod(count.c_str(), nullptr);
  double per_second = n / (static_cast<double>(d->count()) / 1e9);
  if (!(per_second > 0)) f.fail(f.shown() + " is not a positive rate");
  if (per_second > k_max_per_second) {
    f.fail(f.shown() + " is too high (at most 1000/s)");
  }
  return per_second;
}

// duration: 500ms (fixed) or {min: 100ms, max: 2s}.
void parse_range(const Field& f, ChaosKind& k) {
  if (f.is_scalar()) {
    k.min = k.max = f.duration(k_max_timeline);
    return;
  }
  auto e = f.entries("a duration range like {min: 100ms, max: 2s} or one duration", {"min", "max"});
  const Field& lo = require_entry(f, e, "min", "{min: 100ms, max: 2s}");
  const Field& hi = require_entry(f, e, "max", "{min: 100ms, max: 2s}");
  k.min = lo.duration(k_max_timeline);
  k.max = hi.duration(k_max_timeline);
  if (k.max < k.min) {
    hi.fail(hi.shown() + " is shorter than min (" + net::format_duration(k.min) + ")");
  }
}

ChaosKind parse_kind(const Field& f, bool ends, const Entries& e) {
  ChaosKind k;
  k.on = true;
  k.ends = ends;
  const Field& rate = require_entry(f, e, "rate", "{rate: 1/2s}");
  k.per_second = parse_rate(rate, k.rate_text);
  if (ends) {
    const Field& d =
        require_entry(f, e, "duration", "{rate: 1/2s, duration: {min: 100ms, max: 1s}}");
    parse_range(d, k);
  }
  return k;
}

sim::TcpSegmentPolicy parse_segment(const Field& f) {
  auto e = f.entries("segment sizes like {min: 1, max: 8}", {"min", "max"});
  const Field& lo = require_entry(f, e, "min", "{min: 1, max: 8}");
  const Field& hi = require_entry(f, e, "max", "{min: 1, max: 8}");
  sim::TcpSegmentPolicy p;
  p.min = static_cast<std::uint32_t>(lo.uint_in(1, 65535, "a segment size in bytes"));
  p.max = static_cast<std::uint32_t>(hi.uint_in(1, 65535, "a segment size in bytes"));
  if (p.max < p.min) hi.fail(hi.shown() + " is smaller than min (" + std::to_string(p.min) + ")");
  return p;
}

std::string host_of(const Field& f, const ScenarioSpec& spec, const Names& names) {
  std::string h = f.text();
  check_host(f, spec, names, h);
  return h;
}

// [a, b] (both ways) or {from: a, to: b} (one way).
sim::HostPair parse_pair(const Field& f, const ScenarioSpec& spec, const Names& names) {
  sim::HostPair p;
  if (f.is_list()) {
    auto items = f.items("two hosts like [client, server]");
    if (items.size() != 2) {
      f.fail("expected two hosts like [client, server], got " + std::to_string(items.size()));
    }
    p = {host_of(items[0], spec, names), host_of(items[1], spec, names), true};
    if (p.a == p.b) items[1].fail("a host cannot be paired with itself");
    return p;
  }
  auto e =
      f.entries("two hosts like [client, server] or {from: client, to: server}", {"from", "to"});
  const Field& from = require_entry(f, e, "from", "{from: client, to: server}");
  const Field& to = require_entry(f, e, "to", "{from: client, to: server}");
  p = {host_of(from, spec, names), host_of(to, spec, names), false};
  if (p.a == p.b) to.fail("a host cannot be paired with itself");
  return p;
}

}  // namespace

void load_chaos(const Field& f, ScenarioSpec& spec, const Names& names) {
  ChaosSpec c;
  c.line = f.line();
  auto e =
      f.entries("a chaos section like {partition: {rate: 1/2s, duration: {min: 100ms, max: 1s}}}",
                {"from", "until", "quiet", "swarm", "one_way", "pairs", "hosts", "processes",
                 "partition", "clog", "crash", "kill", "link"});
  if (const Field* v = find_entry(e, "from")) c.from = v->duration(k_max_timeline);
  if (const Field* v = find_entry(e, "until")) c.until = v->duration(k_max_timeline);
  if (const Field* v = find_entry(e, "quiet")) c.quiet = v->duration(k_max_timeline);
  if (const Field* v = find_entry(e, "swarm")) c.swarm = parse_bool(*v);
  if (const Field* v = find_entry(e, "one_way")) c.one_way = v->probability();
  if (const Field* v = find_entry(e, "pairs")) {
    for (const Field& item : v->items("a list of host pairs like [[client, server]]")) {
      c.pairs.push_back(parse_pair(item, spec, names));
    }
  }
  if (const Field* v = find_entry(e, "hosts")) {
    for (const Field& item : v->items("a list of hosts like [server]")) {
      c.hosts.push_back(host_of(item, spec, names));
    }
  }
  if (const Field* v = find_entry(e, "processes")) {
    for (const Field& item : v->items("a list of processes like [srv]")) {
      std::string p = item.text();
      check_process(item, spec, names, p);
      c.processes.push_back(p);
    }
  }
  const Field* last_kind = nullptr;
  for (const char* name : {"partition", "clog", "crash", "kill"}) {
    const Field* v = find_entry(e, name);
    if (!v) continue;
    last_kind = v;
    bool ends = std::string_view(name) != "kill";
    auto ke = ends ? v->entries("a fault kind like {rate: 1/2s, duration: {min: 100ms, max: 1s}}",
                                {"rate", "duration"})
                   : v->entries("a kill rate like {rate: 1/5s}", {"rate"});
    ChaosKind k = parse_kind(*v, ends, ke);
    if (name == std::string_view("partition")) c.partition = k;
    if (name == std::string_view("clog")) c.clog = k;
    if (name == std::string_view("crash")) c.crash = k;
    if (name == std::string_view("kill")) c.kill = k;
  }
  if (const Field* v = find_entry(e, "link")) {
    last_kind = v;
    auto le =
        v->entries("a link change like {rate: 1/2s, duration: 500ms, loss: 30%, latency: 100ms}",
                   {"rate", "duration", "loss", "latency", "jitter", "segment"});
    c.link = parse_kind(*v, true, le);
    if (const Field* x = find_entry(le, "loss")) c.link_change.loss = x->probability();
    if (const Field* x = find_entry(le, "latency")) {
      c.link_change.latency = x->duration(k_max_delay);
    }
    if (const Field* x = find_entry(le, "jitter")) c.link_change.jitter = x->duration(k_max_delay);
    if (const Field* x = find_entry(le, "segment")) c.link_change.segment = parse_segment(*x);
    if (!c.link_change.loss && !c.link_change.latency && !c.link_change.jitter &&
        !c.link_change.segment) {
      v->fail("a link change needs at least one of loss, latency, jitter or segment");
    }
  }
  if (!last_kind) f.fail("no fault kind: give at least one of partition, clog, crash, kill, link");
  // The window.
  if (c.quiet >= spec.duration) {
    find_entry(e, "quiet")
        ->fail(find_entry(e, "quiet")->shown() + " leaves no time for faults (duration " +
               net::format_duration(spec.duration) + ")");
  }
  Duration end = c.window_end(spec.duration);
  if (const Field* v = find_entry(e, "until")) {
    if (end > spec.duration - c.quiet) {
      v->fail(v->shown() + " is inside the quiet tail (faults must end by " +
              net::format_duration(spec.duration - c.quiet) + ")");
    }
  }
  if (c.from >= end) {
    const Field* v = find_entry(e, "from");
    (v ? *v : f)
        .fail("the window is empty: from " + net::format_duration(c.from) + " is not before " +
              net::format_duration(end));
  }
  double window_s = static_cast<double>((end - c.from).count()) / 1e9;
  for (const char* name : {"partition", "clog", "crash", "kill", "link"}) {
    const ChaosKind& k = name == std::string_view("partition") ? c.partition
                         : name == std::string_view("clog")    ? c.clog
                         : name == std::string_view("crash")   ? c.crash
                         : name == std::string_view("kill")    ? c.kill
                                                               : c.link;
    if (!k.on) continue;
    double expected = k.per_second * window_s;
    if (expected > static_cast<double>(k_max_chaos_episodes)) {
      find_entry(e, name)->fail("rate '" + k.rate_text + "' over a window of " +
                                net::format_duration(end - c.from) + " plans about " +
                                std::to_string(static_cast<std::uint64_t>(expected)) +
                                " faults (at most " + std::to_string(k_max_chaos_episodes) + ")");
    }
  }
  if ((c.crash.on && spec.hosts.empty()) ||
      (c.kill.on && spec.processes.empty() && c.processes.empty())) {
    f.fail(c.kill.on ? "kill needs at least one process" : "crash needs at least one host");
  }
  spec.chaos = std::move(c);
}

void load_perturb(const Field& f, ScenarioSpec& spec) {
  if (f.is_scalar()) {
    spec.perturb.order = parse_bool(f);
    return;
  }
  auto e = f.entries("true, false, or {order: true, delay: 1ms}", {"order", "delay"});
  if (const Field* v = find_entry(e, "order")) spec.perturb.order = parse_bool(*v);
  if (const Field* v = find_entry(e, "delay")) {
    spec.perturb.max_delay = v->duration(k_max_perturb_delay);
  }
}

}  // namespace simsock::scenario::detail
