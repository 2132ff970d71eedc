// Apps for loader tests: declared options only (they are never run), so the loader's argument
// checking can be tested without the real apps.
#pragma once

#include <vector>

#include <simsock/apps/app.hpp>

namespace simsock::testing {

inline const std::vector<apps::AppSpec>& fake_apps() {
  using apps::OptionType;
  static const std::vector<apps::AppSpec> list = {
      {"fake-client",
       "a client",
       {{"connect", OptionType::host_port, "server", "", true, false},
        {"message", OptionType::text, "what to send", "", false, true},
        {"timeout", OptionType::duration, "reply timeout", "1s", false, false},
        {"bufsize", OptionType::size, "read size", "1024", false, false}},
       nullptr},
      {"fake-server",
       "a server",
       {{"listen", OptionType::endpoint, "where", "0.0.0.0:21567", false, false}},
       nullptr},
  };
  return list;
}

}  // namespace simsock::testing
