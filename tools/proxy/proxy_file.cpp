// The proxy file goes through the scenario loader's YAML tree and typed fields, and its links
// through the loader's own link parser, so its values and messages are the scenario files'.
#include <simsock/tools/proxy/proxy_file.hpp>

#include <algorithm>
#include <set>

#include <simsock/net/endpoint.hpp>
#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>
#include <simsock/tools/scenario/loader_yaml.hpp>
#include <simsock/tools/scenario/yaml_field.hpp>

namespace simsock::proxy {

using scenario::Field;

bool parse_listen(std::string_view text, ProxySpec& spec) {
  auto e = net::parse_endpoint(text);
  if (!e) return false;
  spec.listen_address = e->address;
  spec.listen_port = e->port;
  return true;
}

bool parse_target(std::string_view text, ProxySpec& spec) {
  auto hp = net::parse_host_port(text);
  if (!hp || hp->port == 0) return false;
  spec.to_host = hp->host;
  spec.to_port = hp->port;
  return true;
}

namespace {

constexpr std::string_view k_example =
    "{name: web, listen: \"127.0.0.1:9000\", to: \"127.0.0.1:21567\"}";

ProxySpec load_one(const Field& f) {
  auto e = f.entries(std::string("a proxy like ") + std::string(k_example),
                     {"name", "listen", "to", "udp", "link", "segment_gap"});
  ProxySpec p;
  p.name = scenario::require_entry(f, e, "name", k_example).name();
  const Field& listen = scenario::require_entry(f, e, "listen", k_example);
  if (!parse_listen(listen.text(), p)) {
    listen.fail(listen.shown() +
                " is not ADDR:PORT with a literal address (e.g. 127.0.0.1:9000 "
                "or [::1]:9000)");
  }
  const Field& to = scenario::require_entry(f, e, "to", k_example);
  if (!parse_target(to.text(), p)) {
    to.fail(to.shown() + " is not HOST:PORT with a port in 1..65535 (e.g. 127.0.0.1:21567)");
  }
  if (const Field* u = scenario::find_entry(e, "udp")) {
    std::string v = u->text();
    if (v != "true" && v != "false") u->fail(u->shown() + " is not true or false");
    p.udp = v == "true";
  }
  if (const Field* l = scenario::find_entry(e, "link")) {
    sim::LinkConfig link;
    scenario::detail::parse_link_map(*l).apply_to(link);
    p.link = link;
  }
  if (const Field* g = scenario::find_entry(e, "segment_gap")) {
    p.segment_gap = g->duration(scenario::k_max_delay);
  }
  return p;
}

}  // namespace

ProxyFile load_proxy_text(std::string_view text, const std::string& file) {
  ProxyFile pf;
  pf.file = file;
  scenario::detail::check_text(text, file);
  scenario::YamlDocument doc(text, file);
  Field root(&pf.file, doc.root(), "", scenario::YamlMark{0, 0});
  auto e = root.entries("a proxy file: a mapping with proxies, and seed, duration, faults",
                        {"seed", "duration", "proxies", "faults"});
  if (const Field* f = scenario::find_entry(e, "seed")) {
    if (!f->is_scalar() || !net::parse_uint(f->text())) {
      f->fail(f->shown() + " is not a seed (an integer in 0..18446744073709551615)");
    }
    pf.seed = f->uint();
  }
  if (const Field* f = scenario::find_entry(e, "duration")) {
    pf.duration = f->duration(scenario::k_max_timeline);
    if (*pf.duration <= std::chrono::nanoseconds(0)) {
      f->fail(f->shown() + " is not a positive duration");
    }
  }
  const Field& list =
      scenario::require_entry(root, e, "proxies", "proxies: [" + std::string(k_example) + "]");
  auto items = list.items("a list of proxies like [" + std::string(k_example) + "]");
  if (items.empty()) list.fail("at least one proxy is needed");
  std::set<std::string> names;
  std::set<std::pair<std::string, std::pair<std::uint16_t, bool>>> listens;
  for (const Field& item : items) {
    ProxySpec p = load_one(item);
    if (!names.insert(p.name).second) item.fail("proxy '" + p.name + "' is defined twice");
    if (p.listen_port != 0 &&
        !listens.insert({p.listen_address.to_string(), {p.listen_port, p.udp}}).second) {
      item.fail("another proxy already listens on " +
                endpoint_text(p.listen_address, p.listen_port));
    }
    pf.proxies.push_back(std::move(p));
  }
  auto proxy_name = [&](const Field& v) {
    std::string n = v.text();
    if (!names.count(n)) {
      std::string known;
      for (const auto& p : pf.proxies) known += (known.empty() ? "" : ", ") + p.name;
      v.fail("unknown proxy " + v.shown() + " (proxies: " + known + ")");
    }
    return n;
  };
  if (const Field* faults = scenario::find_entry(e, "faults")) {
    using A = ProxyFault::Action;
    for (const Field& ff : faults->items("a list of faults like [{at: 2s, partition: web}]")) {
      auto fe = ff.entries("a fault like {at: 2s, partition: web}",
                           {"at", "partition", "heal", "clog", "release", "set_link", "reset"});
      const Field& at = scenario::require_entry(ff, fe, "at", "{at: 2s, partition: web}");
      ProxyFault fault;
      fault.at = at.duration(scenario::k_max_timeline);
      if (pf.duration && fault.at > *pf.duration) {
        at.fail(at.shown() + " is after the end (duration " + net::format_duration(*pf.duration) +
                ")");
      }
      if (fe.size() != 2) {
        ff.fail(
            "a fault has 'at' and exactly one action (partition, heal, clog, release, "
            "set_link or reset)");
      }
      const auto& [kind, v] = fe[0].first == "at" ? fe[1] : fe[0];
      if (kind == "set_link") {
        auto le = v.entries("a link change like {proxy: web, udp: {loss: 0%}}",
                            {"proxy", "latency", "jitter", "bandwidth", "queue", "udp", "tcp"});
        fault.action = A::set_link;
        fault.proxy =
            proxy_name(scenario::require_entry(v, le, "proxy", "{proxy: web, latency: 5ms}"));
        fault.patch = scenario::detail::parse_link_entries(le);
      } else {
        fault.proxy = proxy_name(v);
        if (kind == "partition") fault.action = A::partition;
        if (kind == "heal") fault.action = A::heal;
        if (kind == "clog") fault.action = A::clog;
        if (kind == "release") fault.action = A::release;
        if (kind == "reset") fault.action = A::reset;
      }
      pf.faults.push_back(std::move(fault));
    }
    std::stable_sort(pf.faults.begin(), pf.faults.end(),
                     [](const ProxyFault& a, const ProxyFault& b) { return a.at < b.at; });
  }
  return pf;
}

ProxyFile load_proxy_file(const std::string& path) {
  std::string text;
  try {
    text = scenario::detail::read_file(path);
  } catch (const scenario::ScenarioError& e) {
    // The loader's reader speaks of scenario files; this one is a proxy file.
    std::string message = e.message();
    if (auto at = message.find("scenario file"); at != std::string::npos) {
      message.replace(at, 13, "proxy file");
    }
    throw scenario::ScenarioError(e.file(), e.line(), e.column(), message);
  }
  return load_proxy_text(text, path);
}

}  // namespace simsock::proxy
