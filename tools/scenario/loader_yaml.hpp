// The YAML document of a scenario file as a tree of nodes with their positions, parsed with
// libyaml's event parser in one pass. The limits that keep a hostile file from exhausting the
// stack or memory are checked while the tree is built. Internal to the loader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simsock::scenario {

// A position in the file, 0-based; line < 0: unknown.
struct YamlMark {
  int line = -1, column = -1;
};

struct YamlNode {
  enum class Type { null, scalar, sequence, map };
  Type type = Type::null;
  std::string scalar;  // scalar text
  YamlMark mark;
  std::vector<const YamlNode*> items;                              // sequence
  std::vector<std::pair<const YamlNode*, const YamlNode*>> pairs;  // map, in file order
};

// Nesting deeper than this many lists and mappings is an error.
inline constexpr std::size_t k_max_yaml_depth = 32;
// Aliases may repeat at most this many bytes of content in total (each node counts its text plus
// 8 bytes).
inline constexpr std::uint64_t k_max_alias_bytes = 16 * 1024 * 1024;

// A parsed document. Nodes reached through an alias are shared (and may contain themselves), so
// they are owned here and pointed to.
class YamlDocument {
 public:
  // Which parser builds the tree. `any`: a plain file (block collections, one-line flow mappings
  // of words, words, `|` blocks; no quotes, comments, anchors or tabs) is scanned directly, and
  // anything else goes to libyaml; both give the same tree and positions. `libyaml`: always
  // libyaml (to compare the two).
  enum class Parser { any, libyaml };

  // Parses `text`; throws ScenarioError naming `file` on invalid YAML, on nesting deeper than
  // k_max_yaml_depth, on aliases repeating more than k_max_alias_bytes, on an alias without an
  // anchor, and on a second document.
  YamlDocument(std::string_view text, const std::string& file, Parser parser = Parser::any);
  YamlDocument(const YamlDocument&) = delete;
  YamlDocument& operator=(const YamlDocument&) = delete;

  // The document's top node, or null for an empty file.
  const YamlNode* root() const { return root_; }
  // Whether the direct scanner (not libyaml) built the tree.
  bool scanned_directly() const { return scanned_directly_; }

 private:
  friend class YamlBuilder;
  friend class SimpleYamlBuilder;
  // The direct scanner (loader_yaml_simple.cpp): false, with nothing built, when `text` is not
  // in its subset.
  bool parse_simple(std::string_view text);
  std::deque<YamlNode> nodes_;
  const YamlNode* root_ = nullptr;
  bool scanned_directly_ = false;
};

}  // namespace simsock::scenario
