// Proxy files (simsock proxy FILE.yaml): several proxies, each with its link, and a fault
// timeline on offsets from the start. The format is in docs/proxy.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <simsock/sim/config.hpp>
#include <simsock/tools/proxy/proxy.hpp>

namespace simsock::proxy {

// One timeline entry: at `at` after start, do `action` to the proxy named `proxy`.
struct ProxyFault {
  enum class Action { partition, heal, clog, release, set_link, reset };
  std::chrono::nanoseconds at{0};
  Action action = Action::partition;
  std::string proxy;
  sim::LinkPatch patch;  // set_link
};

struct ProxyFile {
  std::string file;
  std::uint64_t seed = 1;
  std::optional<std::chrono::nanoseconds> duration;  // stop after it; nullopt: until a signal
  std::vector<ProxySpec> proxies;
  std::vector<ProxyFault> faults;  // in file order; run in time order (stable)
};

// Reads and validates `path`. Throws scenario::ScenarioError ("FILE:LINE:COL: error: ...").
ProxyFile load_proxy_file(const std::string& path);
// The same for text in memory; `file` names it in messages.
ProxyFile load_proxy_text(std::string_view text, const std::string& file);

// "ADDR:PORT" with a literal address (IPv6 in brackets) into `spec`'s listen address and port;
// false when it is not one.
bool parse_listen(std::string_view text, ProxySpec& spec);
// "HOST:PORT" (a name or a literal) into `spec`'s target; false when it is not one.
bool parse_target(std::string_view text, ProxySpec& spec);

}  // namespace simsock::proxy
