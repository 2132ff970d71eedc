// simsock: run scenarios, sweep seeds, and run the apps on real sockets.
#include <cstdio>
#include <iostream>
#include <string>

#include "tools/commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage:\n"
    "  simsock run SCENARIO.yaml [--seed N] [--trace FILE] [--pcap FILE] [--json] [--quiet]\n"
    "  simsock sweep SCENARIO.yaml --seeds A..B [--jobs N] [--shard I/N] [--json]\n"
    "  simsock app NAME [--OPTION VALUE]...   run one app on real OS sockets until it ends or\n"
    "                                         SIGINT/SIGTERM\n"
    "  simsock apps                           list the apps and their options\n"
    "  simsock --help | --version\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace simsock::cli;
  if (argc < 2) {
    std::cerr << "simsock: missing command\n" << kUsage;
    return 2;
  }
  std::string cmd = argv[1];
  Args rest(argv + 2, argv + argc);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << "simsock: a deterministic simulation and test harness for socket programs\n\n"
              << kUsage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "simsock " SIMSOCK_VERSION "\n";
    return 0;
  }
  if (cmd == "run") return cmd_run(rest);
  if (cmd == "sweep") return cmd_sweep(rest);
  if (cmd == "app") return cmd_app(rest);
  if (cmd == "apps") return cmd_apps(rest);
  std::cerr << "simsock: unknown command '" << cmd << "'\n" << kUsage;
  return 2;
}
