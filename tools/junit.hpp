// --junit FILE: JUnit XML, the report format CI systems (Jenkins, GitLab, GitHub actions) read.
// One <testsuite> per scenario inside <testsuites>; `run` writes a <testcase> per expectation,
// `sweep` one per seed; a failed one has a <failure message="..."> with the detail and the replay
// command. Text is escaped for XML 1.0; invalid UTF-8 and characters XML cannot carry become
// U+FFFD.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

#include <simsock/tools/scenario/report.hpp>
#include <simsock/tools/scenario/sweep.hpp>

namespace simsock::cli {

// `text` escaped for an XML attribute or element.
std::string xml_escape(std::string_view text);

// The whole document for one `simsock run`.
std::string render_junit_run(const scenario::RunResult& r);

// The document for one `simsock sweep`, written as seeds finish: testcases go to a scratch file
// next to FILE (so memory stays bounded), and finish() writes FILE (the suite's counts come first
// in the XML) and removes the scratch file.
class JunitSweepWriter {
 public:
  // Opens FILE and the scratch file; throws OutputError naming FILE when either cannot be opened.
  JunitSweepWriter(std::string path, std::string scenario, std::string scenario_file);
  ~JunitSweepWriter();
  JunitSweepWriter(const JunitSweepWriter&) = delete;
  JunitSweepWriter& operator=(const JunitSweepWriter&) = delete;

  void add(const scenario::SeedOutcome& seed);
  // Writes FILE; throws OutputError naming it when a write failed.
  void finish(const scenario::SweepResult& result);

 private:
  std::string path_, scratch_path_, scenario_, scenario_file_;
  std::ofstream out_, scratch_;
};

}  // namespace simsock::cli
