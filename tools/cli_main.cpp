// The simsock CLI as a library (tools/cli.hpp): one CLI11 app with a subcommand per command;
// every error, whatever raised it, is printed here in one format and mapped to one documented exit
// status (tools/commands.hpp).
#include <simsock/tools/cli.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include <simsock/version.hpp>

#include <simsock/tools/commands.hpp>
#include <simsock/tools/scenario/report.hpp>

namespace simsock::cli {
namespace {

std::string g_name = "simsock";
std::vector<apps::AppSpec> g_catalog;
std::string g_version;

// The help footer, for a command called `name` ("@" below: the name; "^": as many spaces).
std::string footer(const std::string& name) {
  static constexpr const char* k_lines[] = {
      "Commands:",
      "  @ run SCENARIO.yaml [--seed N] [--trace FILE] [--pcap FILE] [--junit FILE] [--json]",
      "  ^     [--pcapng FILE] [--pcap-classic FILE] [--html FILE] [--chrome-trace FILE]",
      "  ^     [-q|--quiet] [--color auto|always|never] [--perturb]",
      "  @ sweep SCENARIO.yaml --seeds SEEDS [-j|--jobs N] [--shard I/N] [--junit FILE]",
      "  ^       [--html FILE] [--json] [--perturb] [--shrink]",
      "  @ shrink SCENARIO.yaml [--seed N] [--out FILE] [--budget DURATION] [--perturb]",
      "  @ app NAME [--OPTION VALUE]...   run one app on real OS sockets until it ends or",
      "  ^                                SIGINT/SIGTERM",
      "  @ apps                           list the apps and their options",
      "  @ proxy --listen ADDR:PORT --to HOST:PORT [--udp] [--link LINK] [--seed N]",
      "  ^       [--trace FILE] [--control PATH|-]   real sockets through a simulated link",
      "  @ proxy PROXIES.yaml [--seed N] [--trace FILE] [--control PATH|-]",
      "  @ help [COMMAND]                 this text, or a command's options",
      "  @ --help | --version",
      "",
      "SEEDS: a seed N, a range A..B (both included) or a list such as 1,5,9..12.",
      "Exit status: 0 success, 1 an expectation (a seed) failed, 2 bad arguments or scenario file,",
      "3 an output could not be written, 4 internal error, 5 out of memory, 128+N a sweep stopped",
      "by signal N.",
  };
  std::string text;
  for (const char* line : k_lines) {
    if (!text.empty()) text += "\n";
    for (const char* c = line; *c; ++c) {
      if (*c == '@') {
        text += name;
      } else if (*c == '^') {
        text += std::string(name.size(), ' ');
      } else {
        text += *c;
      }
    }
  }
  return text;
}

// The command path of the deepest subcommand the parser reached: "run", "app tcp-ts-client", or
// "" for the top level.
std::string command_path(const CLI::App& root) {
  std::string path;
  const CLI::App* app = &root;
  for (;;) {
    auto subs = app->get_subcommands();
    if (subs.empty()) return path;
    app = subs.front();
    path += (path.empty() ? "" : " ") + app->get_name();
  }
}

int usage_error(const std::string& command, const std::string& message) {
  const std::string prefix = command.empty() ? g_name : g_name + " " + command;
  std::cerr << prefix << ": error: " << message << "\n"
            << "Run '" << g_name << " help"
            << (command.empty() || command == "help" ? "" : " " + command) << "' for usage.\n";
  return k_exit_usage;
}

int output_error(const std::string& command, const std::string& message) {
  std::cerr << (command.empty() ? g_name : g_name + " " + command) << ": error: " << message
            << "\n";
  return k_exit_output;
}

// simsock help [COMMAND...]: the help of the root or of a (nested) subcommand.
int print_help(const CLI::App& root, const std::vector<std::string>& topic) {
  const CLI::App* app = &root;
  std::string prev = g_name, path;
  for (const auto& word : topic) {
    const CLI::App* next = nullptr;
    for (const auto* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == word) next = sub;
    }
    path += (path.empty() ? "" : " ") + word;
    if (!next) throw UsageError("no command '" + path + "'");
    if (app != &root) prev += " " + app->get_name();
    app = next;
  }
  std::cout << (app == &root ? root.help() : app->help(prev));
  return k_exit_ok;
}

int run(int argc, char** argv) {
  CLI::App root(g_name == "simsock"
                    ? "simsock: a deterministic simulation and test harness for socket programs"
                    : g_name + ": scenario runs, sweeps and apps (built on simsock)",
                g_name);
  root.set_help_flag("-h,--help", "print this help (or a command's, after the command)");
  bool version = false;
  root.add_flag("--version", version, "print the version");
  std::map<const CLI::App*, Action> actions;
  auto add = [&](Action action) { actions.emplace(root.get_subcommands({}).back(), action); };
  add(add_run_command(root));
  add(add_sweep_command(root));
  add(add_shrink_command(root));
  add(add_app_command(root));
  add(add_apps_command(root));
  add(add_proxy_command(root));
  auto* help = root.add_subcommand("help", "Print the help of " + g_name + " or of a command");
  std::vector<std::string> topic;
  help->add_option("COMMAND", topic, "a command (and an app name after `app`)");
  actions.emplace(help, [&] { return print_help(root, topic); });
  root.footer(footer(g_name));

  // `help` is handled before parsing: CLI11 would take a command name after it as that command.
  if (argc >= 2 && std::string_view(argv[1]) == "help") {
    try {
      return print_help(root, std::vector<std::string>(argv + 2, argv + argc));
    } catch (const UsageError& e) {
      return usage_error("help", e.what());
    }
  }

  if (argc >= 2 && argv[1][0] != '-') {
    bool known = false;
    for (const auto* sub : root.get_subcommands({})) known = known || sub->get_name() == argv[1];
    if (!known) return usage_error("", std::string("unknown command '") + argv[1] + "'");
  }
  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << root.help();
    return k_exit_ok;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << root.help("", CLI::AppFormatMode::All);
    return k_exit_ok;
  } catch (const CLI::ParseError& e) {
    return usage_error(command_path(root), e.what());
  }
  if (version) {
    std::cout << g_name << " " << (g_version.empty() ? SIMSOCK_VERSION_STRING : g_version) << "\n";
    return k_exit_ok;
  }
  auto chosen = root.get_subcommands();
  if (chosen.empty()) return usage_error("", "missing command");
  try {
    return actions.at(chosen.front())();
  } catch (const UsageError& e) {
    return usage_error(command_path(root), e.what());
  } catch (const OutputError& e) {
    return output_error(command_path(root), e.what());
  }
}

}  // namespace

int main(int argc, char** argv, const CommandInfo& info) {
  g_name = info.name.empty() ? "simsock" : info.name;
  return run_guarded(
      [&] {
        g_version = info.version;
        g_catalog = apps::with_builtin_apps(info.apps);
        scenario::set_command_name(g_name);
        return run(argc, argv);
      },
      stderr, g_name);
}

const std::string& command_name() {
  return g_name;
}

const std::vector<apps::AppSpec>& catalog() {
  if (g_catalog.empty()) g_catalog = apps::all_apps();
  return g_catalog;
}

}  // namespace simsock::cli
