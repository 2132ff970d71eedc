// A YAML node together with where it came from (file, key path like "links[0].udp.loss", line
// and column), with typed accessors that throw ScenarioError naming the key, the bad value and
// what is accepted. Internal to the loader.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simsock/tools/scenario/loader_yaml.hpp>

namespace simsock::scenario {

// The largest value a duration key accepts, and how messages spell it ("8640000s = 100 days").
struct DurationLimit {
  std::chrono::nanoseconds max;
  std::string_view spelled;
};
// `duration`, process `start`, fault `at` and duration app options: 100 days.
inline constexpr DurationLimit k_max_timeline{std::chrono::hours(24 * 100), "8640000s = 100 days"};
// Per-packet delays and timers (latency, jitter, reorder_delay, rto, initial_rto): 1 hour.
inline constexpr DurationLimit k_max_delay{std::chrono::hours(1), "3600s = 1 hour"};

// The longest name: 64 characters (UTF-8 code points).
inline constexpr std::size_t k_max_name_chars = 64;

// A value for messages: quoted, control characters escaped, cut to 60 characters and "...".
std::string quote(std::string_view v);

// Checked parsing of "<number><unit>" (ns, us, ms, s, m) or "0": the nanoseconds, or nullopt when
// it is not a duration; `too_large` is set (and nullopt returned) when it is one but exceeds
// `max`. Never wraps.
std::optional<std::chrono::nanoseconds> parse_duration_at_most(std::string_view text,
                                                               std::chrono::nanoseconds max,
                                                               bool& too_large);

class Field {
 public:
  // `node` null: nothing is written there (a missing optional key); `fallback` is where to
  // report problems when the node has no position of its own.
  Field(const std::string* file, const YamlNode* node, std::string path, YamlMark fallback);

  const std::string& path() const { return path_; }
  bool is_map() const { return node_ && node_->type == YamlNode::Type::map; }
  bool is_list() const { return node_ && node_->type == YamlNode::Type::sequence; }
  bool is_scalar() const { return node_ && node_->type == YamlNode::Type::scalar; }
  bool is_null() const { return !node_ || node_->type == YamlNode::Type::null; }
  int line() const { return mark_.line + 1; }

  // Throws ScenarioError at this node: "PATH: MESSAGE".
  [[noreturn]] void fail(const std::string& message) const;
  // The value as written, for messages: "'120%'", "a list", "a mapping", "nothing".
  std::string shown() const;

  // Scalars. Each fails with "PATH: 'VALUE' is not ... (accepted ...)" when it does not fit.
  std::string text() const;  // any scalar
  // A scalar of 1 to 64 characters without spaces or control characters.
  std::string name() const;
  std::uint64_t uint(std::uint64_t max = UINT64_MAX) const;
  // An integer in min..max; the message says "(what: min..max)".
  std::uint64_t uint_in(std::uint64_t min, std::uint64_t max, std::string_view what) const;
  std::int64_t integer() const;
  // A duration of at most `limit.max`; a larger one fails with "'V' is too large (at most ...)".
  std::chrono::nanoseconds duration(const DurationLimit& limit) const;
  double probability() const;

  // Mappings: the (key, value) pairs in file order. Fails when this is not a mapping, on a key
  // that is not in `accepted` (when given), on a repeated key and on a non-scalar key.
  std::vector<std::pair<std::string, Field>> entries(
      std::string_view what, std::initializer_list<std::string_view> accepted = {}) const;
  // Sequences: the items, fails when this is not a list.
  std::vector<Field> items(std::string_view what) const;

 private:
  const std::string& scalar() const { return node_->scalar; }

  const std::string* file_;
  const YamlNode* node_;
  std::string path_;
  YamlMark mark_;
};

// Finds `key` among entries, or null.
const Field* find_entry(const std::vector<std::pair<std::string, Field>>& entries,
                        std::string_view key);
// Finds `key` among entries, or fails at `parent` saying it is required (`example` shows a
// correct entry).
const Field& require_entry(const Field& parent,
                           const std::vector<std::pair<std::string, Field>>& entries,
                           std::string_view key, std::string_view example);

}  // namespace simsock::scenario
