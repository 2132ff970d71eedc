#include <simsock/sim/rng.hpp>

namespace simsock::sim {
namespace {
__extension__ typedef unsigned __int128 u128;
}  // namespace

Rng::Rng(std::uint64_t seed) : Rng(seed, "") {}

Rng::Rng(std::uint64_t seed, std::string_view stream_name) {
  std::uint64_t x = mix64(seed) ^ fnv1a64(stream_name);
  for (auto& s : s_) {
    x += 0x9e3779b97f4a7c15ULL;
    s = mix64(x);
  }
}

std::uint64_t Rng::below(std::uint64_t n) {
  u128 m = static_cast<u128>(next()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::uint64_t Rng::between(std::uint64_t lo, std::uint64_t hi) {
  if (hi <= lo) return lo;
  if (hi - lo == UINT64_MAX) return next();
  return lo + below(hi - lo + 1);
}

}  // namespace simsock::sim
