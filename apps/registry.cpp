// The list of apps. Each app's file defines its AppSpec; adding an app means adding it here.
#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include <simsock/apps/app.hpp>
#include <simsock/apps/specs.hpp>

namespace simsock::apps {

const std::vector<AppSpec>& all_apps() {
  static const std::vector<AppSpec> apps = [] {
    std::vector<AppSpec> v = {
#define SIMSOCK_APP(fn) fn(),
#include <simsock/apps/app_list.inc>
#undef SIMSOCK_APP
    };
    std::sort(v.begin(), v.end(),
              [](const AppSpec& a, const AppSpec& b) { return a.name < b.name; });
    return v;
  }();
  return apps;
}

std::vector<AppSpec> with_builtin_apps(std::vector<AppSpec> own) {
  std::vector<AppSpec> v = all_apps();
  std::set<std::string, std::less<>> taken;
  for (const auto& a : v) taken.insert(a.name);
  for (auto& a : own) {
    const std::string which = "app '" + a.name + "'";
    if (a.name.empty()) throw std::invalid_argument("an app has an empty name");
    for (char c : a.name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        throw std::invalid_argument(which + ": names use letters, digits, '-', '_' and '.'");
      }
    }
    if (a.main == nullptr) throw std::invalid_argument(which + " has no main");
    if (!taken.insert(a.name).second) {
      throw std::invalid_argument(which + ": the name is already taken");
    }
    std::set<std::string, std::less<>> options;
    for (const auto& o : a.options) {
      if (o.name.empty() || o.name.front() == '-') {
        throw std::invalid_argument(which + ": an option name is empty or starts with '-'");
      }
      if (!options.insert(o.name).second) {
        throw std::invalid_argument(which + ": option --" + o.name + " is declared twice");
      }
      if (!o.default_value.empty()) {
        if (auto bad = check_option_value(o, o.default_value)) {
          throw std::invalid_argument(which + ": default of --" + o.name + ": " + *bad);
        }
      }
    }
    v.push_back(std::move(a));
  }
  std::sort(v.begin(), v.end(), [](const AppSpec& a, const AppSpec& b) { return a.name < b.name; });
  return v;
}

}  // namespace simsock::apps
