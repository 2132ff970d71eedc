// The list of apps. Each app's file defines its AppSpec; adding an app means adding it here.
#include <algorithm>

#include "apps/app.hpp"
#include "apps/specs.hpp"

namespace simsock::apps {

const std::vector<AppSpec>& all_apps() {
  static const std::vector<AppSpec> apps = [] {
    std::vector<AppSpec> v = {
#define SIMSOCK_APP(fn) fn(),
#include "apps/app_list.inc"
#undef SIMSOCK_APP
    };
    std::sort(v.begin(), v.end(),
              [](const AppSpec& a, const AppSpec& b) { return a.name < b.name; });
    return v;
  }();
  return apps;
}

}  // namespace simsock::apps
