#include <simsock/sim/trace_writer.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace simsock::sim {
namespace {

// The most bytes one character of a string becomes in JSON ("\u001f").
constexpr std::size_t k_max_escaped = 6;
// The most bytes of a line that are not string contents: the keys, the quotes, three numbers of
// up to 20 characters and "}\n" (131, rounded up).
constexpr std::size_t k_max_fixed = 160;

constexpr auto k_needs_escape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t[0x7f] = t['"'] = t['\\'] = true;
  return t;
}();

// Non-zero when some byte of `w` needs an escape: below 0x20, '"', '\\' or 0x7f. Exact for
// "some byte" (a borrow of the subtractions can only mark bytes above one that really matches).
constexpr std::uint64_t escape_mask(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto zero_bytes = [](std::uint64_t x) { return (x - ones) & ~x; };
  return ((w - ones * 0x20) | zero_bytes(w ^ (ones * '"')) | zero_bytes(w ^ (ones * '\\')) |
          zero_bytes(w ^ (ones * 0x7f))) &
         ~w & highs;
}

std::uint64_t load8(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// How many leading characters of `s` need no escape: eight at a time, as nearly all text does.
std::size_t plain_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i + 8 <= s.size() && escape_mask(load8(s.data() + i)) == 0) i += 8;
  while (i < s.size() && !k_needs_escape[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

template <std::size_t N>
char* put(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + N - 1;
}

// Writes `s` as a JSON string literal at `p`, which has room for 2 + k_max_escaped * s.size()
// bytes; returns the end.
char* put_json_string(char* p, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  *p++ = '"';
  const std::size_t plain = plain_prefix(s);
  std::memcpy(p, s.data(), plain);
  p += plain;
  for (char c : s.substr(plain)) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        p = put(p, "\\\"");
        break;
      case '\\':
        p = put(p, "\\\\");
        break;
      case '\n':
        p = put(p, "\\n");
        break;
      case '\r':
        p = put(p, "\\r");
        break;
      case '\t':
        p = put(p, "\\t");
        break;
      case '\b':
        p = put(p, "\\b");
        break;
      case '\f':
        p = put(p, "\\f");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          p = put(p, "\\u00");
          *p++ = hex[u >> 4];
          *p++ = hex[u & 0xf];
        } else {
          *p++ = c;
        }
    }
  }
  *p++ = '"';
  return p;
}

constexpr auto k_digit_pairs = [] {
  std::array<char, 200> t{};
  for (int i = 0; i < 100; ++i) {
    t[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
    t[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

constexpr auto k_powers_of_ten = [] {
  std::array<std::uint64_t, 20> t{};
  t[0] = 1;
  for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
  return t;
}();

// The number of decimal digits of `u`: log10 from the bit width (1233/4096 ~ log10(2)), then one
// comparison to correct it. u | 1 has as many digits (powers of ten above 1 are even) and
// makes 0 one digit.
constexpr int decimal_digits(std::uint64_t u) {
  const std::uint64_t v = u | 1;
  const int t = (std::bit_width(v) * 1233) >> 12;
  return t + 1 - (v < k_powers_of_ten[static_cast<std::size_t>(t)] ? 1 : 0);
}
static_assert(decimal_digits(0) == 1 && decimal_digits(9) == 1 && decimal_digits(10) == 2 &&
              decimal_digits(99) == 2 && decimal_digits(100) == 3 &&
              decimal_digits(9'999'999'999'999'999'999ULL) == 19 &&
              decimal_digits(10'000'000'000'000'000'000ULL) == 20 &&
              decimal_digits(~std::uint64_t{0}) == 20);

// Writes `v` in decimal at `p`, which has room for 20 bytes ("-9223372036854775808"); returns
// the end. The length comes first, then two digits per division from the last.
char* put_number(char* p, std::int64_t v) {
  std::uint64_t u = static_cast<std::uint64_t>(v);
  if (v < 0) {
    *p++ = '-';
    u = 0 - u;  // INT64_MIN's magnitude, 2^63, is representable here
  }
  char* const end = p + decimal_digits(u);
  char* q = end;
  while (u >= 100) {
    q -= 2;
    std::memcpy(q, &k_digit_pairs[static_cast<std::size_t>(u % 100) * 2], 2);
    u /= 100;
  }
  if (u >= 10) {
    std::memcpy(q - 2, &k_digit_pairs[static_cast<std::size_t>(u) * 2], 2);
  } else {
    q[-1] = static_cast<char>('0' + u);
  }
  return end;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  const std::size_t old = out.size();
  out.resize(old + 2 + k_max_escaped * s.size());
  char* end = put_json_string(out.data() + old, s);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

char* JsonLinesTraceWriter::put_string(char* p, std::string_view s, PlainTexts& known) {
  const std::size_t n = s.size();
  if (n < 8 || n > 16) return put_json_string(p, s);
  // Two overlapping words hold the whole text: compared, checked and copied without a loop.
  const std::uint64_t head = load8(s.data()), tail = load8(s.data() + n - 8);
  bool plain = false;
  for (const PlainText& t : known.texts) {
    if (t.size == n && t.head == head && t.tail == tail) {
      plain = true;
      break;
    }
  }
  if (!plain) {
    if ((escape_mask(head) | escape_mask(tail)) != 0) return put_json_string(p, s);
    known.texts[known.next] = {head, tail, n};
    known.next = (known.next + 1) % known.texts.size();
  }
  *p++ = '"';
  std::memcpy(p, &head, 8);
  std::memcpy(p + n - 8, &tail, 8);
  p += n;
  *p++ = '"';
  return p;
}

JsonLinesTraceWriter::~JsonLinesTraceWriter() {
  try {
    flush();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a stream that throws has recorded its failure
  }
}

void JsonLinesTraceWriter::flush() {
  if (used_ == 0) return;
  out_.write(buffer_.data(), static_cast<std::streamsize>(used_));
  used_ = 0;
}

void JsonLinesTraceWriter::on_event(const TraceEvent& e) {
  // Room for the longest line this event can make, so the fields below are written unchecked.
  const std::size_t most =
      k_max_fixed + k_max_escaped * (e.kind.size() + e.src.size() + e.dst.size() + e.reason.size() +
                                     e.detail.size());
  if (buffer_.size() - used_ < most) {
    flush();
    if (buffer_.size() < most) buffer_.resize(std::max(most, hold_bytes_ + k_max_fixed * 64));
  }
  char* p = buffer_.data() + used_;
  p = put(p, "{\"t\":");
  p = put_number(p, e.t);
  p = put(p, ",\"ev\":");
  p = put_string(p, e.kind, kinds_);
  if (!e.src.empty()) {
    p = put(p, ",\"src\":");
    p = put_string(p, e.src, endpoints_);
  }
  if (!e.dst.empty()) {
    p = put(p, ",\"dst\":");
    p = put_string(p, e.dst, endpoints_);
  }
  if (e.len >= 0) {
    p = put(p, ",\"len\":");
    p = put_number(p, e.len);
  }
  if (e.seq >= 0) {
    p = put(p, ",\"seq\":");
    p = put_number(p, e.seq);
  }
  if (!e.reason.empty()) {
    p = put(p, ",\"reason\":");
    p = put_json_string(p, e.reason);
  }
  if (!e.detail.empty()) {
    p = put(p, ",\"detail\":");
    p = put_json_string(p, e.detail);
  }
  p = put(p, "}\n");
  used_ = static_cast<std::size_t>(p - buffer_.data());
  if (used_ >= hold_bytes_) flush();
}

}  // namespace simsock::sim
