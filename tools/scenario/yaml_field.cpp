#include "tools/scenario/yaml_field.hpp"

#include <charconv>

#include "net/units.hpp"
#include "tools/scenario/loader.hpp"

namespace simsock::scenario {

namespace {

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

std::string join(std::initializer_list<std::string_view> names) {
  std::string s;
  for (auto n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

}  // namespace

Field::Field(const std::string* file, YAML::Node node, std::string path, YAML::Mark fallback)
    : file_(file), node_(std::move(node)), path_(std::move(path)), mark_(fallback) {
  if (node_.IsDefined()) {
    YAML::Mark m = node_.Mark();
    if (m.line >= 0 && m.column >= 0) mark_ = m;
  }
  if (mark_.line < 0 || mark_.column < 0) mark_ = YAML::Mark();
}

void Field::fail(const std::string& message) const {
  throw ScenarioError(*file_, mark_.line + 1, mark_.column + 1,
                      path_.empty() ? message : path_ + ": " + message);
}

std::string Field::shown() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "a mapping";
  return quote(node_.Scalar());
}

std::string Field::text() const {
  if (!node_.IsScalar()) fail("expected text, got " + shown());
  return node_.Scalar();
}

std::string Field::name() const {
  if (!node_.IsScalar()) fail("expected a name, got " + shown());
  const std::string& s = node_.Scalar();
  bool ok = !s.empty() && s.size() <= 64;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) ok = false;
  }
  if (!ok) fail(shown() + " is not a name (1 to 64 characters, no spaces)");
  return s;
}

std::uint64_t Field::uint(std::uint64_t max) const {
  if (!node_.IsScalar()) fail("expected a non-negative integer, got " + shown());
  auto v = net::parse_uint(node_.Scalar());
  if (!v || *v > max) {
    fail(shown() + " is not an integer in 0.." + std::to_string(max));
  }
  return *v;
}

std::int64_t Field::integer() const {
  if (!node_.IsScalar()) fail("expected an integer, got " + shown());
  const std::string& s = node_.Scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    fail(shown() + " is not an integer");
  }
  return v;
}

std::chrono::nanoseconds Field::duration() const {
  if (!node_.IsScalar()) fail("expected a duration, got " + shown());
  auto v = net::parse_duration(node_.Scalar());
  if (!v) fail(shown() + " is not a duration (a number with ns, us, ms, s or m, e.g. 200ms, 1.5s)");
  return *v;
}

double Field::probability() const {
  if (!node_.IsScalar()) fail("expected a probability, got " + shown());
  auto v = net::parse_probability(node_.Scalar());
  if (!v) fail(shown() + " is not a probability (0..1 or 0%..100%)");
  return *v;
}

std::vector<std::pair<std::string, Field>> Field::entries(
    std::string_view what, std::initializer_list<std::string_view> accepted) const {
  if (!node_.IsMap()) {
    fail("expected " + std::string(what) + ", got " + shown());
  }
  std::vector<std::pair<std::string, Field>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string prefix = path_.empty() ? "" : path_ + ".";
    Field key(file_, it->first, path_, mark_);
    if (!it->first.IsScalar()) key.fail("a key must be a plain word, got " + key.shown());
    std::string k = it->first.Scalar();
    Field key_at(file_, it->first, prefix + k, mark_);
    if (accepted.size() != 0) {
      bool known = false;
      for (auto a : accepted) known = known || a == k;
      if (!known) {
        key_at.fail("unknown key " + quote(k) + " (accepted: " + join(accepted) + ")");
      }
    }
    if (find_entry(out, k)) key_at.fail("key " + quote(k) + " appears twice");
    out.emplace_back(k, Field(file_, it->second, prefix + k, key_at.mark_));
  }
  return out;
}

std::vector<Field> Field::items(std::string_view what) const {
  if (!node_.IsSequence()) fail("expected " + std::string(what) + ", got " + shown());
  std::vector<Field> out;
  std::size_t i = 0;
  for (auto it = node_.begin(); it != node_.end(); ++it, ++i) {
    out.emplace_back(file_, *it, path_ + "[" + std::to_string(i) + "]", mark_);
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
