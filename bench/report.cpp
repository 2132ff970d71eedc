#include "bench/report.hpp"

#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace simsock::bench {

long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      long kib = 0;
      fields >> kib;
      return kib;
    }
  }
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

void print_result(const std::string& workload, double wall_s, double amount,
                  const std::string& unit, nlohmann::json extra) {
  nlohmann::json j = std::move(extra);
  j["workload"] = workload;
  j["wall_s"] = wall_s;
  j["amount"] = amount;
  j["unit"] = unit;
  j["rate"] = wall_s > 0 ? amount / wall_s : 0.0;
  j["peak_rss_kib"] = peak_rss_kib();
  j["process_cpu_s"] = cpu_seconds();
  std::cout << j.dump() << std::endl;
}

}  // namespace simsock::bench
