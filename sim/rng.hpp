// Seeded randomness with a specified generator and our own distributions, so the same seed gives
// the same numbers with every compiler and standard library. xoshiro256** (Blackman & Vigna),
// seeded through splitmix64. Streams are derived from (seed, stable name), never from creation
// order, so adding a host does not change another path's draws.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

namespace simsock::sim {

// splitmix64's output function: a strong 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a over bytes: a stable hash of names ("client->server").
constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

class Rng {
 public:
  // A stream for (seed, name): independent of every other name.
  Rng(std::uint64_t seed, std::string_view stream_name);
  explicit Rng(std::uint64_t seed = 1);

  // Inline: every datagram and segment draws from a link's stream at least once.
  std::uint64_t next() {
    const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) without modulo bias (Lemire's method with rejection). n > 0.
  std::uint64_t below(std::uint64_t n);
  // Uniform integer in [lo, hi] (inclusive).
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi);
  // Uniform real in [0, 1) from the top 53 bits.
  double real() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // True with probability p (p <= 0: never, p >= 1: always, and no draw is made).
  bool chance(double p) {
    if (p <= 0.0) return false;
    if (p >= 1.0) return true;
    return real() < p;
  }

 private:
  std::uint64_t s_[4];
};

}  // namespace simsock::sim
