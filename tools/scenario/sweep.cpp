#include "tools/scenario/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>

#include "net/units.hpp"

namespace simsock::scenario {

std::optional<SeedRange> parse_seed_range(std::string_view text) {
  auto dots = text.find("..");
  if (dots == std::string_view::npos) {
    auto v = net::parse_uint(text);
    if (!v) return std::nullopt;
    return SeedRange{*v, *v};
  }
  auto a = net::parse_uint(text.substr(0, dots));
  auto b = net::parse_uint(text.substr(dots + 2));
  if (!a || !b || *a > *b) return std::nullopt;
  return SeedRange{*a, *b};
}

std::optional<Shard> parse_shard(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto i = net::parse_uint(text.substr(0, slash));
  auto n = net::parse_uint(text.substr(slash + 1));
  if (!i || !n || *n == 0 || *i >= *n) return std::nullopt;
  return Shard{*i, *n};
}

std::optional<Shard> shard_from_environment(std::string* error) {
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  if (!total || !index) return std::nullopt;
  auto n = net::parse_uint(total);
  auto i = net::parse_uint(index);
  if (!n || !i || *n == 0 || *i >= *n) {
    if (error) {
      *error = "GTEST_TOTAL_SHARDS='" + std::string(total) + "' and GTEST_SHARD_INDEX='" +
               std::string(index) + "' are not a shard (need 0 <= index < total)";
    }
    return std::nullopt;
  }
  return Shard{*i, *n};
}

std::uint64_t shard_size(const SeedRange& range, const Shard& shard) {
  std::uint64_t span = range.last - range.first;  // seeds - 1, never overflows
  if (shard.index > span) return 0;
  return (span - shard.index) / shard.count + 1;
}

std::uint64_t shard_seed(const SeedRange& range, const Shard& shard, std::uint64_t k) {
  return range.first + shard.index + k * shard.count;
}

SweepResult run_sweep(const SeedRange& range, const Shard& shard, unsigned jobs, const SeedRun& run,
                      const SweepProgress& progress) {
  const std::uint64_t total = shard_size(range, shard);
  std::atomic<std::uint64_t> next{0};
  std::mutex mu;
  SweepResult result;
  auto worker = [&] {
    for (;;) {
      std::uint64_t k = next.fetch_add(1);
      if (k >= total) return;
      std::uint64_t seed = shard_seed(range, shard, k);
      std::optional<std::string> failure;
      try {
        failure = run(seed);
      } catch (const std::exception& e) {
        failure = std::string("internal error: ") + e.what();
      }
      std::lock_guard lock(mu);
      ++result.seeds_run;
      if (failure) result.failed.push_back({seed, std::move(*failure)});
      if (progress) progress(result.seeds_run, total, result.failed.size());
    }
  };
  jobs =
      static_cast<unsigned>(std::clamp<std::uint64_t>(jobs, 1, std::max<std::uint64_t>(total, 1)));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::sort(result.failed.begin(), result.failed.end(),
            [](const SweepFailure& a, const SweepFailure& b) { return a.seed < b.seed; });
  return result;
}

}  // namespace simsock::scenario
