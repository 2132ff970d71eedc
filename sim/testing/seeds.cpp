#include <simsock/sim/testing/seeds.hpp>

#include <gtest/gtest-spi.h>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <vector>

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

namespace {

// What one seed's run of a body reported, intercepted so that no reporter (GoogleTest's, or
// gtest-spi's while it checks a statement) sees it directly.
struct SeedRun {
  std::vector<::testing::TestPartResult> failures;
  bool fatal = false;
  bool failed() const { return !failures.empty(); }
  std::string text() const {
    std::string out;
    for (const auto& f : failures) {
      if (!out.empty()) out += "\n\n";
      out += std::string(f.file_name() ? f.file_name() : "unknown file") + ":" +
             std::to_string(f.line_number()) + ": " + f.message();
    }
    return out;
  }
};

thread_local const ::testing::TestPartResultArray* t_seed_failures = nullptr;

SeedRun run_seed(const std::function<void(std::uint64_t)>& body, std::uint64_t seed,
                 const std::source_location& where) {
  ::testing::TestPartResultArray results;
  {
    struct Current {
      const ::testing::TestPartResultArray* outer = t_seed_failures;
      explicit Current(const ::testing::TestPartResultArray* now) { t_seed_failures = now; }
      ~Current() { t_seed_failures = outer; }
    } current(&results);
    ::testing::ScopedFakeTestPartResultReporter intercept(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()),
                                 seed_banner(seed));
    try {
      body(seed);
    } catch (const std::exception& e) {
      ADD_FAILURE_AT(where.file_name(), where.line())
          << "exception escaped the test body: " << e.what();
    } catch (...) {
      ADD_FAILURE_AT(where.file_name(), where.line()) << "unknown exception escaped the test body";
    }
  }
  SeedRun run;
  for (int i = 0; i < results.size(); ++i) {
    const auto& r = results.GetTestPartResult(i);
    if (!r.failed()) continue;
    run.fatal = run.fatal || r.fatally_failed();
    run.failures.push_back(r);
  }
  return run;
}

}  // namespace

const ::testing::TestPartResultArray* detail::seed_failures() {
  return t_seed_failures;
}

SeedRange seeds(std::string_view text) {
  std::string error;
  auto parsed = scenario::parse_seeds(text, &error);
  if (!parsed) throw std::invalid_argument("seeds '" + std::string(text) + "': " + error);
  SeedRange r;
  r.seeds = *parsed;
  r.first = r.seeds.front();
  r.count = r.seeds.size();
  return r;
}

std::optional<std::uint64_t> for_each_seed(const std::function<void(std::uint64_t)>& body,
                                           std::uint64_t default_count,
                                           std::source_location where) {
  const SeedRange range = seed_range(default_count);
  for (std::uint64_t i = 0; i < range.count; ++i) {
    const std::uint64_t seed = range.seeds.at(i);
    const SeedRun run = run_seed(body, seed, where);
    if (!run.failed()) continue;
    const auto& first = run.failures.front();
    const char* file = first.file_name() ? first.file_name() : where.file_name();
    const int line = first.file_name() ? first.line_number() : static_cast<int>(where.line());
    ::testing::Message summary;
    summary << "failed at seed " << seed << " (seed " << i + 1 << " of " << range.seeds.to_string()
            << ")\n"
            << run.text() << "\n  replay this seed with:\n    " << replay_command(seed);
    if (run.fatal) {
      GTEST_FAIL_AT(file, line) << summary;
    } else {
      ADD_FAILURE_AT(file, line) << summary;
    }
    return seed;
  }
  return std::nullopt;
}

std::optional<FailingSeed> find_failing_seed(const SeedRange& range,
                                             const std::function<void(std::uint64_t)>& body,
                                             std::source_location where) {
  for (std::uint64_t i = 0; i < range.count; ++i) {
    const std::uint64_t seed = range.seeds.at(i);
    const SeedRun run = run_seed(body, seed, where);
    if (run.failed()) return FailingSeed{seed, run.text()};
  }
  return std::nullopt;
}

std::optional<FailingSeed> expect_some_seed_fails(const SeedRange& range,
                                                  const std::function<void(std::uint64_t)>& body,
                                                  std::source_location where) {
  auto found = find_failing_seed(range, body, where);
  if (!found) {
    ADD_FAILURE_AT(where.file_name(), where.line())
        << "expected some seed of " << range.seeds.to_string() << " to fail, but all "
        << range.count << " passed";
  }
  return found;
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
