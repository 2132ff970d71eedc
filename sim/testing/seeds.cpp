#include "sim/testing/seeds.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace simsock::test {
namespace {

int g_iteration = 0;
bool g_listener_installed = false;

class SeedListener final : public ::testing::EmptyTestEventListener {
 public:
  void OnTestIterationStart(const ::testing::UnitTest&, int iteration) override {
    g_iteration = iteration;
  }
};

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string quote_for_shell(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                          "_-./=:+,") == std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string test_binary() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "<test binary>";
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

void install_seed_listener() {
  if (g_listener_installed) return;
  g_listener_installed = true;
  ::testing::UnitTest::GetInstance()->listeners().Append(new SeedListener);
}

int repeat_iteration() {
  install_seed_listener();
  return g_iteration;
}

SeedRange seed_range(std::uint64_t default_count) {
  SeedRange r;
  if (const char* one = std::getenv("SIMSOCK_SEED"); one && *one) {
    auto v = parse_u64(one);
    if (!v)
      throw std::invalid_argument(std::string("SIMSOCK_SEED: '") + one +
                                  "' is not a seed (a non-negative integer)");
    r.first = *v;
    r.count = 1;
    r.replay = true;
    r.seeds = scenario::SeedSet(*v, *v);
    return r;
  }
  std::uint64_t count = default_count == 0 ? 1 : default_count;
  r.seeds = scenario::SeedSet(k_default_seed, k_default_seed + count - 1);
  if (const char* many = std::getenv("SIMSOCK_SEEDS"); many && *many) {
    std::string error;
    auto parsed = scenario::parse_seeds(many, &error);
    if (!parsed) throw std::invalid_argument("SIMSOCK_SEEDS: " + error);
    r.seeds = *parsed;
  }
  const auto shift = static_cast<std::uint64_t>(repeat_iteration());
  if (shift > 0) {
    auto moved = shift > UINT64_MAX / r.seeds.size() ? std::nullopt
                                                     : r.seeds.shifted(shift * r.seeds.size());
    if (!moved)
      throw std::invalid_argument("SIMSOCK_SEEDS: repetition " + std::to_string(shift) + " of '" +
                                  r.seeds.to_string() + "' would pass seed 18446744073709551615");
    r.seeds = *moved;
  }
  r.first = r.seeds.front();
  r.count = r.seeds.size();
  return r;
}

std::string replay_command(std::uint64_t seed) {
  std::string cmd = "SIMSOCK_SEED=" + std::to_string(seed) + " " + quote_for_shell(test_binary());
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    const std::string suite = info->test_suite_name(), name = info->name();
    cmd += " " + quote_for_shell("--gtest_filter=" + suite + "." + name);
    if (suite.find("DISABLED_") != std::string::npos || name.rfind("DISABLED_", 0) == 0)
      cmd += " --gtest_also_run_disabled_tests";
  }
  return cmd;
}

std::string seed_banner(std::uint64_t seed) {
  return "simsock seed " + std::to_string(seed) + "; replay: " + replay_command(seed);
}

std::optional<std::uint64_t> for_each_seed(const std::function<void(std::uint64_t)>& body,
                                           std::uint64_t default_count,
                                           std::source_location where) {
  const SeedRange range = seed_range(default_count);
  const auto* result = ::testing::UnitTest::GetInstance()->current_test_info();
  auto failures = [&] {
    if (!result) return 0;
    int n = 0;
    const auto* r = result->result();
    for (int i = 0; i < r->total_part_count(); ++i)
      if (r->GetTestPartResult(i).failed()) ++n;
    return n;
  };
  for (std::uint64_t i = 0; i < range.count; ++i) {
    const std::uint64_t seed = range.seeds.at(i);
    const int before = failures();
    {
      ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                   seed_banner(seed));
      try {
        body(seed);
      } catch (const std::exception& e) {
        ADD_FAILURE_AT(where.file_name(), where.line())
            << "exception escaped the test body: " << e.what();
      } catch (...) {
        ADD_FAILURE_AT(where.file_name(), where.line())
            << "unknown exception escaped the test body";
      }
    }
    if (failures() > before) {
      ADD_FAILURE_AT(where.file_name(), where.line())
          << "failed at seed " << seed << " (seed " << i + 1 << " of " << range.seeds.to_string()
          << ")\n  replay this seed with:\n    " << replay_command(seed);
      return seed;
    }
  }
  return std::nullopt;
}

::testing::AssertionResult runs_identically_twice(
    const std::function<std::string(std::uint64_t)>& body, std::uint64_t seed) {
  const std::string first = body(seed);
  const std::string second = body(seed);
  if (first == second) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "two runs with seed " << seed << " differ: first " << first << ", second " << second
         << "\n  replay: " << replay_command(seed);
}

}  // namespace simsock::test
