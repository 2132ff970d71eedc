// libFuzzer target for the scenario loader (built by tools/fuzz with clang; not part of the CMake
// build). Any input must either load or fail with one ScenarioError located at a line and column
// >= 1 in the file; anything else (another exception, a crash, a sanitizer report, a hang) is a
// bug. Loaded scenarios also have their expectations evaluated against fixed process results.
//
// The apps are declared here with the options of docs/apps.md (names and types only), so
// the fuzzer needs neither Boost.Asio nor the simulator.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <simsock/tools/scenario/expect.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace {

using simsock::apps::AppSpec;
using simsock::apps::OptionType;

const std::vector<AppSpec>& catalog() {
  static const std::vector<AppSpec> apps = [] {
    auto server = [](const char* name) {
      return AppSpec{name,
                     "",
                     {{"listen", OptionType::endpoint, "", "0.0.0.0:21567"},
                      {"bufsize", OptionType::size, "", "1024"},
                      {"write-timeout", OptionType::duration, "", "10s"},
                      {"max-line", OptionType::size, "", "65536"}},
                     nullptr};
    };
    auto client = [](const char* name) {
      return AppSpec{name,
                     "",
                     {{"connect", OptionType::host_port, "", "", true},
                      {"message", OptionType::text, "", "", false, true},
                      {"bufsize", OptionType::size, "", "1024"},
                      {"timeout", OptionType::duration, "", "1s"},
                      {"retries", OptionType::count, "", "0"}},
                     nullptr};
    };
    return std::vector<AppSpec>{
        client("line-ts-client"),
        server("line-ts-server"),
        {"tcp-bulk",
         "",
         {{"connect", OptionType::host_port, "", "", true},
          {"bytes", OptionType::count, "", "1048576"},
          {"chunk", OptionType::size, "", "65536"}},
         nullptr},
        server("tcp-sink"),
        client("tcp-ts-client"),
        server("tcp-ts-server"),
        {"udp-ping",
         "",
         {{"connect", OptionType::host_port, "", "", true},
          {"count", OptionType::count, "", "10"},
          {"size", OptionType::size, "", "64"},
          {"interval", OptionType::duration, "", "0"},
          {"timeout", OptionType::duration, "", "1s"}},
         nullptr},
        client("udp-ts-client"),
        server("udp-ts-server"),
    };
  }();
  return apps;
}

}  // namespace

// Stands in for apps/registry.cpp (which would pull in every app's code).
const std::vector<AppSpec>& simsock::apps::all_apps() {
  return catalog();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto spec = simsock::scenario::load_scenario_text(text, "fuzz.yaml", catalog());
    std::vector<simsock::sim::ProcessResult> results;
    for (const auto& p : spec.processes) {
      simsock::sim::ProcessResult r;
      r.name = p.name;
      r.host = p.host;
      r.app = p.app;
      r.state = simsock::sim::ProcessState::exited;
      r.exit_code = 0;
      // RE2 matches in linear time, so every stdout_lines_match regex runs against real lines.
      r.out = "[2000-01-01 00:00:00] hello\n" + std::string(200, 'a') + "\n";
      r.err = "[2000-01-01 00:00:00] hello\n";
      results.push_back(r);
    }
    simsock::sim::Stats stats{{"udp.dropped", 3}, {"tcp.bytes", 10}};
    for (const auto& r : simsock::scenario::evaluate_all(spec.expectations, results, stats)) {
      if (r.what.empty()) std::abort();
    }
  } catch (const simsock::scenario::ScenarioError& e) {
    if (e.line() < 1 || e.column() < 1 || std::strncmp(e.what(), "fuzz.yaml:", 10) != 0) {
      std::abort();
    }
  }
  return 0;
}
