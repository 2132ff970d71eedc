#include <simsock/net/units.hpp>

#include <charconv>
#include <cmath>

namespace simsock::net {

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

namespace {
// Parses "123", "1.5" exactly as a decimal: integer part and fraction digits. Returns the value
// scaled by `scale` (an integer number of ns), or nullopt when it is not a whole number of ns.
std::optional<std::int64_t> scaled_decimal(std::string_view num, std::int64_t scale) {
  if (num.empty()) return std::nullopt;
  auto dot = num.find('.');
  std::string_view whole = num.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : num.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  std::uint64_t w = 0;
  if (!whole.empty()) {
    auto parsed = parse_uint(whole);
    if (!parsed) return std::nullopt;
    w = *parsed;
  }
  if (w > static_cast<std::uint64_t>(INT64_MAX / scale)) return std::nullopt;
  std::int64_t result = static_cast<std::int64_t>(w) * scale;
  std::int64_t unit = scale;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    int digit = c - '0';
    if (unit % 10 != 0) {
      if (digit != 0) return std::nullopt;  // finer than a nanosecond
      continue;
    }
    unit /= 10;
    if (__builtin_add_overflow(result, digit * unit, &result)) return std::nullopt;  // too large
  }
  return result;
}
}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  struct Unit {
    std::string_view suffix;
    std::int64_t ns;
  };
  static constexpr Unit units[] = {{"ns", 1},
                                   {"us", 1000},
                                   {"ms", 1000 * 1000},
                                   {"s", 1000 * 1000 * 1000},
                                   {"m", 60LL * 1000 * 1000 * 1000}};
  for (const auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      std::string_view num = text.substr(0, text.size() - u.suffix.size());
      // "ms" also ends with "s": only accept when the number part is purely numeric.
      if (num.find_first_not_of("0123456789.") != std::string_view::npos) continue;
      auto v = scaled_decimal(num, u.ns);
      if (!v) return std::nullopt;
      return std::chrono::nanoseconds(*v);
    }
  }
  return std::nullopt;
}

std::optional<double> parse_probability(std::string_view text) {
  bool percent = false;
  if (!text.empty() && text.back() == '%') {
    percent = true;
    text.remove_suffix(1);
  }
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) {
    return std::nullopt;
  }
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  if (percent) v /= 100.0;
  if (v < 0.0 || v > 1.0) return std::nullopt;
  return v;
}

std::string format_duration(std::chrono::nanoseconds d) {
  std::int64_t n = d.count();
  if (n == 0) return "0";
  struct Unit {
    const char* suffix;
    std::int64_t ns;
  };
  static constexpr Unit units[] = {{"s", 1000000000}, {"ms", 1000000}, {"us", 1000}, {"ns", 1}};
  for (const auto& u : units) {
    if (n % u.ns == 0) return std::to_string(n / u.ns) + u.suffix;
  }
  return std::to_string(n) + "ns";
}

}  // namespace simsock::net
