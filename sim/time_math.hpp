// Virtual-time arithmetic that cannot wrap: a sum past the end of time saturates at INT64_MAX
// nanoseconds (about 292 years), which the world treats as "never".
#pragma once

#include <cstdint>
#include <limits>

namespace simsock::sim {

// a + b, clamped to [INT64_MIN, INT64_MAX] instead of overflowing.
constexpr std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return r;
}

}  // namespace simsock::sim
