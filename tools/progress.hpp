// The progress line of `simsock sweep` on a terminal: "sweep NAME: 120/1000 seeds, 3 failed,
// 45.2 seeds/s, ETA 19s", redrawn in place on stderr at most every k_interval (the first and
// the last update always show; erasing it for other output does not reset the interval). Only for
// people: it reads the real clock, never anything the runs depend on.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace simsock::cli {

class ProgressLine {
 public:
  static constexpr std::chrono::milliseconds k_interval{250};

  // Writes to `out` (stderr) when `enabled` (a TTY); otherwise every call does nothing.
  ProgressLine(std::ostream& out, std::string name, bool enabled);

  // Seeds reported so far, seeds in the shard, failures so far.
  void update(std::uint64_t done, std::uint64_t total, std::uint64_t failed);
  // Erases the line (before printing a failing seed, and at the end).
  void clear();

  // The line's text for these figures after `elapsed` (exposed for tests).
  static std::string format(const std::string& name, std::uint64_t done, std::uint64_t total,
                            std::uint64_t failed, std::chrono::nanoseconds elapsed);

 private:
  std::ostream& out_;
  std::string name_;
  bool enabled_;
  bool shown_ = false;  // the line is on the screen
  bool drawn_ = false;  // drawn at least once (last_ is set)
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace simsock::cli
