// Parsing of the units users type in scenario files and app options: durations ("200ms", "1.5s"),
// probabilities ("0.2", "20%") and sizes (bytes). Shared by the apps and the scenario loader so
// both accept exactly the same spellings.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace simsock::net {

// "<number><unit>" with unit ns, us, ms, s or m; the number may have a fraction ("1.5s") but the
// result must be a whole number of nanoseconds >= 0. A bare "0" is accepted. nullopt otherwise.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "0.25" or "25%": a value in [0, 1]. nullopt when malformed or outside [0, 1].
std::optional<double> parse_probability(std::string_view text);

// A non-negative decimal integer that fits in 64 bits. nullopt otherwise.
std::optional<std::uint64_t> parse_uint(std::string_view text);

// The shortest exact spelling of a duration: "0", "250ms", "1500us", "2s".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace simsock::net
