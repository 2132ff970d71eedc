// simsock app NAME [--OPTION VALUE]... and simsock apps: the command line generated from each
// app's declaration (apps/app.hpp), so options are written down once.
#include <iostream>
#include <utility>

#include "apps/app.hpp"
#include "apps/real_runner.hpp"
#include "tools/commands.hpp"

namespace simsock::cli {
namespace {

void list_app_names(std::ostream& out) {
  out << "apps:";
  for (const auto& a : apps::all_apps()) out << " " << a.name;
  out << "\n";
}

int usage_error(const std::string& app, const std::string& message) {
  std::cerr << "simsock app: " << message << "\n"
            << "usage: simsock app " << (app.empty() ? "NAME" : app)
            << " [--OPTION VALUE]...   (simsock app " << (app.empty() ? "NAME" : app)
            << " --help lists the options)\n";
  return 2;
}

}  // namespace

int cmd_app(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    if (args.empty()) {
      usage_error("", "missing app name");
      list_app_names(std::cerr);
      return 2;
    }
    std::cout << "usage: simsock app NAME [--OPTION VALUE]...\n";
    list_app_names(std::cout);
    return 0;
  }
  const auto* app = apps::find_app(args[0]);
  if (!app) {
    usage_error("", "unknown app '" + args[0] + "'");
    list_app_names(std::cerr);
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << "usage: simsock app " << app->name << " [--OPTION VALUE]...\n"
                << app->summary << "\noptions:\n"
                << apps::describe_options(*app);
      return 0;
    }
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      return usage_error(app->name,
                         "unexpected argument '" + a + "' (options look like --NAME VALUE)");
    }
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      pairs.emplace_back(a.substr(2, eq - 2), a.substr(eq + 1));
      continue;
    }
    std::string name = a.substr(2);
    bool known = false;
    for (const auto& o : app->options) known = known || o.name == name;
    if (!known) {
      apps::Options ignored;
      auto err = apps::parse_options(*app, {{name, ""}}, ignored);
      return usage_error(app->name, err ? err->message : "unknown option --" + name);
    }
    if (i + 1 >= args.size()) {
      return usage_error(app->name, "option --" + name + " needs a value");
    }
    pairs.emplace_back(name, args[++i]);
  }
  apps::Options options;
  if (auto err = apps::parse_options(*app, pairs, options)) {
    return usage_error(app->name, err->message);
  }
  return apps::run_on_real_sockets(*app, options);
}

int cmd_apps(const Args& args) {
  if (!args.empty()) {
    std::cerr << "simsock apps: takes no arguments\n";
    return 2;
  }
  for (const auto& a : apps::all_apps()) {
    std::cout << a.name << "\n    " << a.summary << "\n" << apps::describe_options(a) << "\n";
  }
  return 0;
}

}  // namespace simsock::cli
