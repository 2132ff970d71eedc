// What one proxy's link is right now, shared by all its connections and sessions: the link
// configuration (or none: transparent forwarding), and whether it is partitioned or clogged.
// Internal to the proxy.
#pragma once

#include <optional>
#include <string>

#include <simsock/sim/config.hpp>
#include <simsock/sim/link_model.hpp>

namespace simsock::proxy {

struct LinkState {
  std::optional<sim::LinkConfig> link;  // nullopt: forward as read
  bool partitioned = false;
  bool clogged = false;

  bool holding() const { return partitioned || clogged; }
  // The config a new model starts with (the scenario defaults for a transparent link, unused).
  sim::LinkConfig config() const { return link.value_or(sim::LinkConfig{}); }
  // Applies `patch` (a transparent link becomes the defaults first).
  void apply(const sim::LinkPatch& patch) {
    sim::LinkConfig c = config();
    patch.apply_to(c);
    link = c;
  }
};

// The random stream of the k-th (1-based) connection or session of proxy `name`, one direction:
// the k-th client draws as a simulated host named "client" (k = 1) or "clientK" would.
inline std::string stream_name(const std::string& name, std::uint64_t k, bool to_server) {
  std::string client = k == 1 ? "client" : "client" + std::to_string(k);
  return to_server ? "path:" + client + "->" + name : "path:" + name + "->" + client;
}

}  // namespace simsock::proxy
