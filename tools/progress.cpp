#include <simsock/tools/progress.hpp>

#include <cstdio>
#include <ostream>

namespace simsock::cli {
namespace {

std::string eta(double seconds) {
  char buf[32];
  auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%llds", s);
  }
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(std::ostream& out, std::string name, bool enabled)
    : out_(out), name_(std::move(name)), enabled_(enabled) {
  start_ = std::chrono::steady_clock::now();
}

std::string ProgressLine::format(const std::string& name, std::uint64_t done, std::uint64_t total,
                                 std::uint64_t failed, std::chrono::nanoseconds elapsed) {
  std::string s = "sweep " + name + ": " + std::to_string(done) + "/" + std::to_string(total) +
                  " seeds, " + std::to_string(failed) + " failed";
  const double secs = std::chrono::duration<double>(elapsed).count();
  if (done > 0 && secs > 0) {
    const double rate = static_cast<double>(done) / secs;
    char buf[32];
    std::snprintf(buf, sizeof buf, rate >= 100 ? "%.0f" : "%.1f", rate);
    s += std::string(", ") + buf + " seeds/s";
    if (done < total) s += ", ETA " + eta(static_cast<double>(total - done) / rate);
  }
  return s;
}

void ProgressLine::update(std::uint64_t done, std::uint64_t total, std::uint64_t failed) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  // Rate-limited on the last redraw, even when the line was erased since (a failing seed was
  // printed): many failures do not mean many redraws.
  if (drawn_ && done < total && now - last_ < k_interval) return;
  drawn_ = true;
  last_ = now;
  shown_ = true;
  out_ << "\r\033[K" << format(name_, done, total, failed, now - start_) << std::flush;
}

void ProgressLine::clear() {
  if (!enabled_ || !shown_) return;
  out_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace simsock::cli
