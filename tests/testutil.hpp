// Helpers shared by the test areas (leveldb's util/testutil.h is the model): deterministic test
// data, and a small recorder that captures what a completion handler was called with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace simsock::testutil {

// `n` bytes of deterministic pseudo-random data (xorshift64*), different for different `seed`s.
// Good for checking that a stream delivers every byte, in order, unchanged.
inline std::string pattern_bytes(std::size_t n, std::uint64_t seed = 1) {
  std::string out(n, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    out[i] = static_cast<char>((x * 0x2545F4914F6CDD1Dull) >> 56);
  }
  return out;
}

// Records the arguments of one completion. `handler()` returns a callback that stores them, and
// counts calls, so a test can check that a handler ran exactly once and what it received:
//
//   Completion<net::error_code, std::size_t> read;
//   stream.async_read_some(buf, read.handler());
//   ... drive the loop until read.done() ...
//   EXPECT_EQ(read.get<0>(), net::error::eof);
template <typename... Args>
class Completion {
 public:
  auto handler() {
    return [this](Args... args) {
      ++calls_;
      result_.emplace(std::move(args)...);
    };
  }
  bool done() const { return calls_ > 0; }
  int calls() const { return calls_; }
  template <std::size_t I>
  auto& get() {
    return std::get<I>(result_.value());
  }
  // Forgets the last result so the recorder can be reused for the next operation.
  void reset() {
    calls_ = 0;
    result_.reset();
  }

 private:
  int calls_ = 0;
  std::optional<std::tuple<Args...>> result_;
};

}  // namespace simsock::testutil
