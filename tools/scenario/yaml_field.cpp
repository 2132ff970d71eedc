#include <simsock/tools/scenario/yaml_field.hpp>

#include <charconv>
#include <unordered_set>

#include <simsock/net/units.hpp>
#include <simsock/tools/scenario/loader.hpp>

namespace simsock::scenario {

// Shortens long or multi-line values so that a message stays one readable line.
std::string quote(std::string_view v) {
  std::string out = "'";
  std::size_t n = 0;
  for (char c : v) {
    if (++n > 60) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::optional<std::chrono::nanoseconds> parse_duration_at_most(std::string_view text,
                                                               std::chrono::nanoseconds max,
                                                               bool& too_large) {
  too_large = false;
  if (text == "0") return std::chrono::nanoseconds(0);
  struct Unit {
    std::string_view suffix;
    std::uint64_t ns;
  };
  static constexpr Unit units[] = {{"ns", 1},
                                   {"us", 1000},
                                   {"ms", 1000 * 1000},
                                   {"s", 1000 * 1000 * 1000},
                                   {"m", 60ULL * 1000 * 1000 * 1000}};
  const auto limit = static_cast<std::uint64_t>(max.count());
  for (const auto& u : units) {
    if (text.size() <= u.suffix.size() || !text.ends_with(u.suffix)) continue;
    std::string_view num = text.substr(0, text.size() - u.suffix.size());
    // "ms" also ends with "s": only a purely numeric rest is this unit's number.
    if (num.find_first_not_of("0123456789.") != std::string_view::npos) continue;
    auto dot = num.find('.');
    std::string_view whole = num.substr(0, dot);
    std::string_view frac =
        dot == std::string_view::npos ? std::string_view() : num.substr(dot + 1);
    if (whole.empty() && frac.empty()) return std::nullopt;
    if (dot != std::string_view::npos && (frac.empty() || frac.find('.') != frac.npos)) {
      return std::nullopt;
    }
    // Every step stays below limit + 1 <= 2^63, so nothing wraps.
    std::uint64_t w = 0;
    bool big = false;
    for (char c : whole) {
      auto d = static_cast<std::uint64_t>(c - '0');
      if (w > (limit - d) / 10) big = true;
      if (!big) w = w * 10 + d;
    }
    if (!big && w > limit / u.ns) big = true;
    std::uint64_t total = big ? 0 : w * u.ns;
    std::uint64_t step = u.ns;
    for (char c : frac) {
      auto d = static_cast<std::uint64_t>(c - '0');
      if (step % 10 != 0) {
        if (d != 0) return std::nullopt;  // finer than a nanosecond
        continue;
      }
      step /= 10;
      if (!big && total > limit - d * step) big = true;
      if (!big) total += d * step;
    }
    if (big) {
      too_large = true;
      return std::nullopt;
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(total));
  }
  return std::nullopt;
}

namespace {

std::string join(std::initializer_list<std::string_view> names) {
  std::string s;
  for (auto n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

}  // namespace

Field::Field(const std::string* file, const YamlNode* node, std::string path, YamlMark fallback)
    : file_(file), node_(node), path_(std::move(path)), mark_(fallback) {
  if (node_ && node_->mark.line >= 0 && node_->mark.column >= 0) mark_ = node_->mark;
  if (mark_.line < 0 || mark_.column < 0) mark_ = YamlMark{0, 0};
}

void Field::fail(const std::string& message) const {
  throw ScenarioError(*file_, mark_.line + 1, mark_.column + 1,
                      path_.empty() ? message : path_ + ": " + message);
}

std::string Field::shown() const {
  if (is_null()) return "nothing";
  if (is_list()) return "a list";
  if (is_map()) return "a mapping";
  return quote(scalar());
}

std::string Field::text() const {
  if (!is_scalar()) fail("expected text, got " + shown());
  return scalar();
}

std::string Field::name() const {
  if (!is_scalar()) fail("expected a name, got " + shown());
  const std::string& s = scalar();
  std::size_t chars = 0;
  bool ok = !s.empty();
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) ok = false;
    if ((u & 0xc0) != 0x80) ++chars;  // not a UTF-8 continuation byte: a new character
  }
  if (!ok || chars > k_max_name_chars) {
    fail(shown() + " is not a name (1 to " + std::to_string(k_max_name_chars) +
         " characters, no spaces)");
  }
  return s;
}

std::uint64_t Field::uint(std::uint64_t max) const {
  if (!is_scalar()) fail("expected a non-negative integer, got " + shown());
  auto v = net::parse_uint(scalar());
  if (!v || *v > max) {
    fail(shown() + " is not an integer in 0.." + std::to_string(max));
  }
  return *v;
}

std::uint64_t Field::uint_in(std::uint64_t min, std::uint64_t max, std::string_view what) const {
  if (!is_scalar()) fail("expected " + std::string(what) + ", got " + shown());
  auto v = net::parse_uint(scalar());
  if (!v || *v < min || *v > max) {
    fail(shown() + " is not " + std::string(what) + " (" + std::to_string(min) + ".." +
         std::to_string(max) + ")");
  }
  return *v;
}

std::int64_t Field::integer() const {
  if (!is_scalar()) fail("expected an integer, got " + shown());
  const std::string& s = scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    fail(shown() + " is not an integer");
  }
  return v;
}

std::chrono::nanoseconds Field::duration(const DurationLimit& limit) const {
  if (!is_scalar()) fail("expected a duration, got " + shown());
  bool too_large = false;
  auto v = parse_duration_at_most(scalar(), limit.max, too_large);
  if (too_large) fail(shown() + " is too large (at most " + std::string(limit.spelled) + ")");
  if (!v) fail(shown() + " is not a duration (a number with ns, us, ms, s or m, e.g. 200ms, 1.5s)");
  return *v;
}

double Field::probability() const {
  if (!is_scalar()) fail("expected a probability, got " + shown());
  auto v = net::parse_probability(scalar());
  if (!v) fail(shown() + " is not a probability (0..1 or 0%..100%)");
  return *v;
}

std::vector<std::pair<std::string, Field>> Field::entries(
    std::string_view what, std::initializer_list<std::string_view> accepted) const {
  if (!is_map()) fail("expected " + std::string(what) + ", got " + shown());
  std::vector<std::pair<std::string, Field>> out;
  out.reserve(node_->pairs.size());
  // Repeated keys: a linear look back for the small mappings scenario files are made of (one per
  // host or process, so this is on the loader's hot path), a set for large ones.
  constexpr std::size_t small = 16;
  std::unordered_set<std::string_view> seen;  // lookups only: the order is the file's
  const std::string prefix = path_.empty() ? "" : path_ + ".";
  for (const auto& [key_node, value_node] : node_->pairs) {
    if (key_node->type != YamlNode::Type::scalar) {
      Field key(file_, key_node, path_, mark_);
      key.fail("a key must be a plain word, got " + key.shown());
    }
    const std::string& k = key_node->scalar;
    // Paths name keys as written, cut like quoted values so that a message stays one line.
    std::string key_path = prefix;
    key_path.append(k, 0, 60);
    if (k.size() > 60) key_path += "...";
    if (accepted.size() != 0) {
      bool known = false;
      for (auto a : accepted) known = known || a == k;
      if (!known) {
        Field(file_, key_node, key_path, mark_)
            .fail("unknown key " + quote(k) + " (accepted: " + join(accepted) + ")");
      }
    }
    bool repeated = false;
    if (node_->pairs.size() <= small) {
      for (const auto& [earlier, _] : out) repeated = repeated || earlier == k;
    } else {
      repeated = !seen.insert(k).second;
    }
    if (repeated)
      Field(file_, key_node, key_path, mark_).fail("key " + quote(k) + " appears twice");
    Field key_at(file_, key_node, {}, mark_);  // only for the position values fall back to
    out.emplace_back(k, Field(file_, value_node, std::move(key_path), key_at.mark_));
  }
  return out;
}

std::vector<Field> Field::items(std::string_view what) const {
  if (!is_list()) fail("expected " + std::string(what) + ", got " + shown());
  std::vector<Field> out;
  out.reserve(node_->items.size());
  for (std::size_t i = 0; i < node_->items.size(); ++i) {
    out.emplace_back(file_, node_->items[i], path_ + "[" + std::to_string(i) + "]", mark_);
  }
  return out;
}

const Field* find_entry(const std::vector<std::pair<std::string, Field>>& entries,
                        std::string_view key) {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Field& require_entry(const Field& parent,
                           const std::vector<std::pair<std::string, Field>>& entries,
                           std::string_view key, std::string_view example) {
  const Field* f = find_entry(entries, key);
  if (!f) {
    parent.fail("missing required key '" + std::string(key) + "' (e.g. " + std::string(example) +
                ")");
  }
  return *f;
}

}  // namespace simsock::scenario
