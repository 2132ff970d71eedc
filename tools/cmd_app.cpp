// simsock app NAME [--OPTION VALUE]... and simsock apps: one CLI11 subcommand per app, its options
// generated from the app's declaration (apps/app.hpp), so options are written down once.
#include <iostream>
#include <map>
#include <memory>
#include <utility>

#include <CLI/CLI.hpp>

#include <simsock/apps/app.hpp>
#include <simsock/apps/real_runner.hpp>
#include <simsock/tools/cli.hpp>
#include <simsock/tools/commands.hpp>

namespace simsock::cli {
namespace {

std::string app_names() {
  std::string names;
  for (const auto& a : catalog()) names += (names.empty() ? "" : ", ") + a.name;
  return names;
}

// The values given for one app's options, by option name, in the order given.
struct AppArgs {
  const apps::AppSpec* spec = nullptr;
  CLI::App* sub = nullptr;
  std::map<std::string, std::vector<std::string>> values;
};

std::string option_help(const apps::OptionSpec& o) {
  std::string help = o.help;
  if (o.required) help += " (required)";
  if (o.repeatable) help += " (repeatable)";
  if (!o.default_value.empty()) help += " (default " + o.default_value + ")";
  return help;
}

int run_app(AppArgs& a) {
  // Unknown options and stray words are left over by CLI11 (extras are allowed so that the
  // message can say what the app accepts).
  for (const auto& extra : a.sub->remaining()) {
    if (extra.size() > 2 && extra.compare(0, 2, "--") == 0) {
      std::string name = extra.substr(2, extra.find('=') - 2);
      apps::Options ignored;
      auto err = apps::parse_options(*a.spec, {{name, ""}}, ignored);
      throw UsageError(err ? err->message : "unknown option --" + name);
    }
    throw UsageError("unexpected argument '" + extra + "' (options look like --NAME VALUE)");
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& o : a.spec->options) {
    for (const auto& v : a.values[o.name]) pairs.emplace_back(o.name, v);
  }
  apps::Options options;
  if (auto err = apps::parse_options(*a.spec, pairs, options)) throw UsageError(err->message);
  return apps::run_on_real_sockets(*a.spec, options);
}

}  // namespace

Action add_app_command(CLI::App& root) {
  auto* app = root.add_subcommand(
      "app", "Run one app on real OS sockets until it ends or SIGINT/SIGTERM stops it");
  app->allow_extras();
  auto chosen = std::make_shared<std::vector<std::shared_ptr<AppArgs>>>();
  for (const auto& spec : catalog()) {
    auto a = std::make_shared<AppArgs>();
    a->spec = &spec;
    a->sub = app->add_subcommand(spec.name, spec.summary);
    a->sub->allow_extras();
    for (const auto& o : spec.options) {
      const std::string placeholder(apps::option_type_placeholder(o.type));
      a->sub->add_option("--" + o.name, a->values[o.name], option_help(o))
          ->type_name(placeholder)
          ->expected(1)
          ->allow_extra_args(false)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
          ->check(CLI::Validator(
              [o](std::string& value) { return apps::check_option_value(o, value).value_or(""); },
              ""));
    }
    chosen->push_back(a);
  }
  return [app, chosen]() -> int {
    for (auto& a : *chosen) {
      if (a->sub->parsed()) return run_app(*a);
    }
    auto extras = app->remaining();
    if (extras.empty()) throw UsageError("missing app name (apps: " + app_names() + ")");
    throw UsageError("unknown app '" + extras.front() + "' (apps: " + app_names() + ")");
  };
}

Action add_apps_command(CLI::App& root) {
  root.add_subcommand("apps", "List the apps and their options");
  return [] {
    for (const auto& a : catalog()) {
      std::cout << a.name << "\n    " << a.summary << "\n" << apps::describe_options(a) << "\n";
    }
    return k_exit_ok;
  };
}

}  // namespace simsock::cli
