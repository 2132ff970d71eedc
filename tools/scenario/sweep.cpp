#include <simsock/tools/scenario/sweep.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>

#include <simsock/net/units.hpp>

namespace simsock::scenario {
namespace {

constexpr std::uint64_t k_max = UINT64_MAX;

std::optional<std::uint64_t> parse_seed_number(std::string_view text, std::string_view item,
                                               std::string* error) {
  auto v = net::parse_uint(text);
  if (!v && error) {
    *error = "'" + std::string(text.empty() ? item : text) +
             "' is not a seed (a decimal integer in 0..18446744073709551615)";
  }
  return v;
}

std::optional<SeedSpan> parse_item(std::string_view item, std::string* error) {
  if (item.empty()) {
    if (error) *error = "empty item (a seed N or a range A..B)";
    return std::nullopt;
  }
  auto dots = item.find("..");
  if (dots == std::string_view::npos) {
    auto v = parse_seed_number(item, item, error);
    if (!v) return std::nullopt;
    return SeedSpan{*v, *v};
  }
  auto a = parse_seed_number(item.substr(0, dots), item, error);
  if (!a) return std::nullopt;
  auto b = parse_seed_number(item.substr(dots + 2), item, error);
  if (!b) return std::nullopt;
  if (*a > *b) {
    if (error) *error = "'" + std::string(item) + "' is an empty range (A..B needs A <= B)";
    return std::nullopt;
  }
  return SeedSpan{*a, *b};
}

}  // namespace

SeedSet::SeedSet(std::uint64_t first, std::uint64_t last) : spans_{{first, last}} {
  size_ = last - first + 1;
}

std::uint64_t SeedSet::at(std::uint64_t k) const {
  for (const auto& s : spans_) {
    std::uint64_t n = s.last - s.first + 1;
    if (k < n) return s.first + k;
    k -= n;
  }
  return spans_.empty() ? 0 : spans_.back().last;
}

std::optional<SeedSet> SeedSet::shifted(std::uint64_t offset) const {
  if (!spans_.empty() && back() > k_max - offset) return std::nullopt;
  SeedSet out = *this;
  for (auto& s : out.spans_) {
    s.first += offset;
    s.last += offset;
  }
  return out;
}

std::string SeedSet::to_string() const {
  std::string out;
  for (const auto& s : spans_) {
    if (!out.empty()) out += ",";
    out += std::to_string(s.first);
    if (s.last != s.first) out += ".." + std::to_string(s.last);
  }
  return out;
}

std::optional<SeedSet> parse_seeds(std::string_view text, std::string* error) {
  std::vector<SeedSpan> items;
  if (text.empty()) {
    if (error) *error = "no seeds given (a seed N, a range A..B, or a list like 1,5,9..12)";
    return std::nullopt;
  }
  for (std::size_t pos = 0;;) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
    auto span = parse_item(item, error);
    if (!span) return std::nullopt;
    items.push_back(*span);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  std::sort(items.begin(), items.end(),
            [](const SeedSpan& a, const SeedSpan& b) { return a.first < b.first; });
  SeedSet set;
  for (const auto& s : items) {
    auto& spans = set.spans_;
    if (!spans.empty() && (spans.back().last == k_max || s.first <= spans.back().last + 1)) {
      spans.back().last = std::max(spans.back().last, s.last);
    } else {
      spans.push_back(s);
    }
  }
  std::uint64_t size = 0;
  for (const auto& s : set.spans_) {
    std::uint64_t n = s.last - s.first;  // one less than the span's size: never overflows
    if (n == k_max || size > k_max - n - 1) {
      if (error) {
        *error = "'" + std::string(text) +
                 "' has 2^64 seeds or more; a sweep runs at most 18446744073709551615";
      }
      return std::nullopt;
    }
    size += n + 1;
  }
  set.size_ = size;
  return set;
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

std::uint64_t shard_size(const SeedSet& seeds, const Shard& shard) {
  if (seeds.size() == 0 || shard.index >= seeds.size()) return 0;
  return (seeds.size() - 1 - shard.index) / shard.count + 1;
}

std::uint64_t shard_seed(const SeedSet& seeds, const Shard& shard, std::uint64_t k) {
  return seeds.at(shard.index + k * shard.count);
}

SweepResult run_sweep(const SeedSet& seeds, const Shard& shard, const SeedRun& run,
                      const SweepOptions& options) {
  const std::uint64_t total = shard_size(seeds, shard);
  const unsigned jobs = static_cast<unsigned>(
      std::clamp<std::uint64_t>(options.jobs, 1, std::max<std::uint64_t>(total, 1)));
  const std::uint64_t window = std::clamp<std::uint64_t>(
      std::uint64_t{k_sweep_window_per_job} * jobs, 1, std::max<std::uint64_t>(total, 1));

  // Position k finishes into slot k % window: a thread starts k only when k < reported + window,
  // so the slot was reported and emptied before. The slots are allocated once (no node per seed
  // that one thread allocates and the other frees) and each has a cache line of its own.
  struct alignas(64) Slot {
    SeedOutcome outcome;
    bool done = false;
  };
  std::vector<Slot> slots(window);

  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t next = 0;      // the next position to start
  std::uint64_t reported = 0;  // positions before this one were reported
  std::exception_ptr out_of_memory;
  SweepResult result;
  result.seeds_total = total;

  auto stop_requested = [&] {
    return out_of_memory || (options.stop && options.stop->load(std::memory_order_relaxed));
  };
  auto report = [&](const SeedOutcome& o) {
    ++result.seeds_run;
    if (!o.passed) {
      ++result.failed_count;
      if (result.failed.size() < options.keep_failures) result.failed.push_back({o.seed, o.detail});
    }
    if (options.on_seed) options.on_seed(o);
    if (options.progress) options.progress(result.seeds_run, total, result.failed_count);
  };
  auto worker = [&] {
    for (;;) {
      std::uint64_t k;
      {
        std::unique_lock lock(mu);
        cv.wait(lock,
                [&] { return next >= total || stop_requested() || next < reported + window; });
        if (next >= total || stop_requested()) return;
        k = next++;
      }
      SeedOutcome o;
      o.seed = shard_seed(seeds, shard, k);
      try {
        if (auto failure = run(o.seed)) {
          o.passed = false;
          o.detail = std::move(*failure);
        }
      } catch (const std::bad_alloc&) {
        std::lock_guard lock(mu);
        if (!out_of_memory) out_of_memory = std::current_exception();
        cv.notify_all();
        return;
      } catch (const std::exception& e) {
        o.passed = false;
        o.detail = std::string("internal error: ") + e.what();
      }
      {
        std::lock_guard lock(mu);
        slots[k % window] = {std::move(o), true};
        for (Slot* slot = &slots[reported % window]; slot->done; slot = &slots[reported % window]) {
          report(slot->outcome);
          slot->done = false;
          ++reported;
        }
      }
      cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  try {
    for (unsigned i = 1; i < jobs; ++i) threads.emplace_back(worker);
  } catch (const std::system_error&) {
    // The system has no more threads for us: the sweep runs on those it got.
  }
  worker();
  for (auto& t : threads) t.join();
  if (out_of_memory) std::rethrow_exception(out_of_memory);
  result.stopped = result.seeds_run < total;
  return result;
}

}  // namespace simsock::scenario
