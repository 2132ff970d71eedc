#include <simsock/tools/outputs.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <ostream>

#include <simsock/tools/commands.hpp>

namespace simsock::cli {
namespace {

namespace fs = std::filesystem;

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::equivalent(a, b, ec) && !ec) return true;  // both exist: same inode
  auto ca = fs::weakly_canonical(a, ec);
  if (ec) return a == b;
  auto cb = fs::weakly_canonical(b, ec);
  if (ec) return a == b;
  return ca == cb;
}

std::string utc(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void check_distinct_outputs(const std::string& input,
                            const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [option, path] = outputs[i];
    if (path.empty()) continue;
    if (!input.empty() && same_file(path, input)) {
      throw UsageError(option + " '" + path + "' is the scenario file: refusing to overwrite it");
    }
    if (path == "/dev/null") continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].second.empty() && same_file(path, outputs[j].second)) {
        throw UsageError(outputs[j].first + " and " + option + " both write '" + path +
                         "': give each its own file");
      }
    }
  }
}

void check_pcap_time_range(std::chrono::system_clock::time_point start,
                           std::chrono::nanoseconds duration) {
  using namespace std::chrono;
  constexpr std::int64_t k_last_second = 0xffffffffLL;  // 2106-02-07T06:28:15Z
  const std::int64_t first = duration_cast<seconds>(start.time_since_epoch()).count();
  const std::int64_t first_ns = duration_cast<nanoseconds>(start.time_since_epoch()).count();
  if (first_ns < 0) {
    throw UsageError("--pcap: the scenario starts at " + utc(first) +
                     ", before 1970-01-01T00:00:00Z; classic pcap timestamps are unsigned "
                     "seconds since 1970 (set start_time: later)");
  }
  const std::int64_t end_ns = first_ns + duration.count();
  const std::int64_t end = end_ns / 1'000'000'000;
  if (end > k_last_second) {
    throw UsageError("--pcap: the scenario runs until " + utc(end) +
                     " (start_time + duration), past 2106-02-07T06:28:15Z, the last second "
                     "classic pcap's 32-bit timestamps can hold (set an earlier start_time)");
  }
}

void check_written(std::ostream& out, const std::string& what) {
  errno = 0;
  out.flush();
  if (out) return;
  const int err = errno;
  throw OutputError("cannot write " + what + (err ? std::string(": ") + std::strerror(err) : ""));
}

void open_output(std::ofstream& file, const std::string& path, const std::string& what) {
  errno = 0;
  file.open(path, std::ios::binary | std::ios::trunc);
  if (file) return;
  const int err = errno;
  throw OutputError("cannot open " + what + " '" + path + "'" +
                    (err ? std::string(": ") + std::strerror(err) : ""));
}

}  // namespace simsock::cli
