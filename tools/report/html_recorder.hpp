// Recording a simulated run for its HTML timeline page (docs/reports.md), for code that drives a
// sim::World itself: the testing kit writes a failing test's run this way (SIMSOCK_HTML_DIR).
//
//   sim::World world(seed);
//   report::HtmlRecorder recorder(world);
//   world.add_host("server", "10.0.0.1");
//   recorder.add_lane("server", "10.0.0.1");
//   ... run the world ...
//   std::string page = recorder.render({.title = "my test", .seed = seed, .passed = false});
//
// The page is the one `simsock run FILE --html` writes: self-contained, deterministic (the same
// run and header give the same bytes), with at most 200,000 packets and events in detail.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <simsock/sim/world.hpp>

namespace simsock::report {

// What the page's header shows.
struct ReportHeader {
  std::string title;  // scenario or test name
  std::string file;   // the scenario file, "" for a test
  std::string description;
  std::uint64_t seed = 0;
  bool passed = false;
  std::string replay;  // the command that replays the run
  std::string digest;  // trace digest, 16 hex digits
  std::int64_t virtual_time_ns = 0;
  struct Check {
    std::string what;
    bool passed = false;
    std::string detail;
  };
  std::vector<Check> checks;  // expectations (or test failures) with their results
  struct Process {
    std::string name, host, app, state;
    std::optional<int> exit_code;
  };
  std::vector<Process> processes;
  sim::Stats stats;
};

class Timeline;

// Collects a world's run (its trace and its packets) as the HTML page draws it. It attaches
// itself to `world` as a trace sink and a packet sink when made, and must outlive every event the
// world runs (destroy the world first, or stop running it). Not copyable.
class HtmlRecorder {
 public:
  explicit HtmlRecorder(sim::World& world);
  ~HtmlRecorder();
  HtmlRecorder(const HtmlRecorder&) = delete;
  HtmlRecorder& operator=(const HtmlRecorder&) = delete;

  // A lane for host `name` (lanes are drawn in the order they are added); a name that has a lane
  // already gets `address` as one more address of it. Add each host's lane as the host is added.
  void add_lane(const std::string& name, const std::string& address);

  // The whole page of what was recorded so far, with `header`.
  std::string render(const ReportHeader& header) const;

 private:
  std::unique_ptr<Timeline> timeline_;
};

}  // namespace simsock::report
