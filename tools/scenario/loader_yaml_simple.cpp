// The fast path of YamlDocument: a scanner for the plain subset of YAML that generated scenario
// files are written in (block mappings and sequences, one-line flow mappings of plain words,
// one-line plain scalars, `|` literal blocks), which builds the same tree with the same positions
// as libyaml's parser without its per-token allocations. It accepts only text whose meaning in
// that subset is certain and gives up on anything else (quotes, comments, anchors, tags, tabs,
// non-ASCII bytes, multi-line plain scalars, empty values, ...), so that libyaml parses every
// other file and every error is libyaml's own.
#include <simsock/tools/scenario/loader_yaml.hpp>

#include <array>
#include <cstring>
#include <string_view>
#include <vector>

namespace simsock::scenario {

class SimpleYamlBuilder {
 public:
  SimpleYamlBuilder(YamlDocument& doc, std::string_view text) : doc_(doc), text_(text) {}

  // Builds the tree into the document; false (and the document as it was) when the text is not
  // in the subset.
  bool run() {
    if (!split_lines()) return false;
    skip_blank();
    if (cur_ == lines_.size() || lines_[cur_].indent != 0) return fail();
    const YamlNode* root = block_mapping(0, 0, 1);
    if (!root) return fail();
    skip_blank();
    if (cur_ != lines_.size()) return fail();
    doc_.root_ = root;
    return true;
  }

 private:
  struct Line {
    std::size_t begin, end;  // the bytes of the line, without its '\n'
    std::size_t indent;      // leading spaces
    bool blank;              // nothing but spaces
  };
  // Below libyaml's nesting limit, so that a file nested too deeply gets its message.
  static constexpr std::size_t k_max_depth = k_max_yaml_depth / 2;
  // Far below libyaml's 1024-character limit on a key.
  static constexpr std::size_t k_max_key = 200;

  bool fail() {
    doc_.nodes_.clear();
    return false;
  }

  // Printable ASCII and line breaks only, ending with a line break.
  bool split_lines() {
    if (text_.empty() || text_.back() != '\n') return false;
    // One branch-free pass (the compiler vectorizes it): any byte outside ' '..'~' but '\n', and
    // the number of lines.
    unsigned bad = 0;
    std::size_t lines = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
    for (std::size_t i = 0; i < text_.size(); ++i) {
      unsigned char u = bytes[i];
      bad |= static_cast<unsigned>(static_cast<unsigned char>(u - 0x20) > 0x5e) &
             static_cast<unsigned>(u != '\n');
      lines += u == '\n';
    }
    if (bad) return false;
    lines_.reserve(lines);
    const char* data = text_.data();
    for (std::size_t begin = 0; begin < text_.size();) {
      auto end = static_cast<std::size_t>(
          static_cast<const char*>(std::memchr(data + begin, '\n', text_.size() - begin)) - data);
      std::size_t i = begin;
      while (i < end && data[i] == ' ') ++i;
      lines_.push_back({begin, end, i - begin, i == end});
      begin = end + 1;
    }
    return true;
  }

  void skip_blank() {
    while (cur_ < lines_.size() && lines_[cur_].blank) ++cur_;
  }

  char at(std::size_t col) const {
    const Line& l = lines_[cur_];
    return l.begin + col < l.end ? text_[l.begin + col] : '\n';
  }

  // 1: may start a word; 2: may continue one.
  static constexpr std::array<unsigned char, 256> k_word_chars = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
      bool start =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      bool inner = start || c == '.' || c == '-' || c == '/' || c == '%' || c == '+';
      t[c] = static_cast<unsigned char>((start ? 1 : 0) | (inner ? 2 : 0));
    }
    return t;
  }();
  static bool is_word_start(char c) { return k_word_chars[static_cast<unsigned char>(c)] & 1; }
  static bool is_word(char c) { return k_word_chars[static_cast<unsigned char>(c)] & 2; }

  YamlNode& make(YamlNode::Type type, std::size_t col) {
    YamlNode& n = doc_.nodes_.emplace_back();
    n.type = type;
    n.mark = {static_cast<int>(cur_), static_cast<int>(col)};
    return n;
  }

  // A plain word starting at `col` (which moves past it): a scalar node, or the null one for
  // null/Null/NULL; null when there is no word there.
  const YamlNode* word(std::size_t& col, bool spaces) {
    const Line& l = lines_[cur_];
    const char* line = text_.data() + l.begin;
    const std::size_t size = l.end - l.begin;
    std::size_t start = col;
    if (start >= size || !is_word_start(line[start])) return nullptr;
    std::size_t end = start + 1;
    for (std::size_t i = end; i < size; ++i) {
      if (is_word(line[i])) {
        end = i + 1;
      } else if (!spaces || line[i] != ' ') {
        break;
      }
    }
    col = end;  // trailing spaces are not part of the scalar
    std::string_view v(line + start, end - start);
    if (v == "null" || v == "Null" || v == "NULL") return &make(YamlNode::Type::null, start);
    YamlNode& n = make(YamlNode::Type::scalar, start);
    n.scalar.assign(v);
    return &n;
  }

  // A key at `col`: a word directly followed by ':' and a space or the end of the line; `col`
  // moves past the ':'.
  const YamlNode* key(std::size_t& col) {
    std::size_t start = col;
    const YamlNode* k = word(col, false);
    if (!k || col - start > k_max_key || at(col) != ':') return nullptr;
    ++col;
    if (at(col) != ' ' && at(col) != '\n') return nullptr;
    return k;
  }

  // Whether a key (a word, ':', then a space or the end of the line) starts at `col`.
  bool starts_key(std::size_t col) const {
    if (!is_word_start(at(col))) return false;
    while (is_word(at(++col))) {
    }
    return at(col) == ':' && (at(col + 1) == ' ' || at(col + 1) == '\n');
  }

  void skip_spaces(std::size_t& col) const {
    while (at(col) == ' ') ++col;
  }

  // {key: word, key: word}, all on this line, starting at `col`.
  const YamlNode* flow_mapping(std::size_t& col, std::size_t depth) {
    if (depth > k_max_depth) return nullptr;
    YamlNode& m = make(YamlNode::Type::map, col);
    ++col;
    skip_spaces(col);
    for (;;) {
      const YamlNode* k = key(col);
      if (!k || at(col) != ' ') return nullptr;
      skip_spaces(col);
      const YamlNode* v = word(col, false);
      if (!v) return nullptr;
      m.pairs.emplace_back(k, v);
      skip_spaces(col);
      char c = at(col++);
      if (c == '}') return &m;
      if (c != ',') return nullptr;
      skip_spaces(col);
    }
  }

  // True when the rest of the current line from `col` is spaces; then moves to the next line.
  bool end_of_line(std::size_t col) {
    skip_spaces(col);
    if (at(col) != '\n') return false;
    ++cur_;
    return true;
  }

  // `|` at `col` ending the line: the lines below indented deeper than `indent`, each with its
  // line break (clip chomping: empty lines at the end are dropped).
  const YamlNode* literal(std::size_t col, std::size_t indent) {
    YamlNode& n = make(YamlNode::Type::scalar, col);
    if (at(col + 1) != '\n') return nullptr;
    ++cur_;
    if (cur_ == lines_.size() || lines_[cur_].blank || lines_[cur_].indent <= indent) {
      return nullptr;
    }
    std::size_t m = lines_[cur_].indent;
    std::size_t pending_empty = 0;
    while (cur_ < lines_.size()) {
      const Line& l = lines_[cur_];
      if (l.begin == l.end) {
        ++pending_empty;
      } else if (l.blank) {
        return nullptr;  // spaces only: their meaning depends on their count
      } else if (l.indent < m) {
        break;
      } else {
        n.scalar.append(pending_empty, '\n');
        pending_empty = 0;
        n.scalar.append(text_.substr(l.begin + m, l.end - l.begin - m));
        n.scalar.push_back('\n');
      }
      ++cur_;
    }
    return &n;
  }

  // The items of a block sequence whose dashes are at column `indent`, starting on this line.
  const YamlNode* block_sequence(std::size_t indent, std::size_t depth, bool indentless) {
    if (depth > k_max_depth) return nullptr;
    YamlNode& s = make(YamlNode::Type::sequence, indent);
    for (;;) {
      std::size_t col = indent + 1;
      if (at(col) != ' ') return nullptr;
      skip_spaces(col);
      const YamlNode* item = nullptr;
      if (at(col) == '{') {
        item = flow_mapping(col, depth + 1);
        if (!item || !end_of_line(col)) return nullptr;
      } else {
        if (starts_key(col)) {
          item = block_mapping(col, col, depth + 1);
          if (!item) return nullptr;
        } else {
          item = word(col, true);
          if (!item || !end_of_line(col)) return nullptr;
        }
      }
      s.items.push_back(item);
      skip_blank();
      if (cur_ == lines_.size()) return &s;
      const Line& l = lines_[cur_];
      if (l.indent < indent) return &s;
      if (l.indent > indent) return nullptr;
      if (at(indent) != '-') return indentless ? &s : nullptr;
    }
  }

  // The value of a key whose line ended after the ':': a block collection on the lines below.
  const YamlNode* nested(std::size_t indent, std::size_t depth) {
    skip_blank();
    if (cur_ == lines_.size()) return nullptr;
    const Line& l = lines_[cur_];
    if (l.indent < indent) return nullptr;
    if (at(l.indent) == '-') return block_sequence(l.indent, depth, l.indent == indent);
    if (l.indent == indent) return nullptr;
    std::size_t col = l.indent;
    return block_mapping(col, l.indent, depth);
  }

  // A block mapping whose keys are at column `indent`; the first key is at `col` of this line.
  const YamlNode* block_mapping(std::size_t col, std::size_t indent, std::size_t depth) {
    if (depth > k_max_depth) return nullptr;
    YamlNode& m = make(YamlNode::Type::map, col);
    for (;;) {
      const YamlNode* k = key(col);
      if (!k) return nullptr;
      skip_spaces(col);
      const YamlNode* v = nullptr;
      char c = at(col);
      if (c == '\n') {
        ++cur_;
        v = nested(indent, depth + 1);
      } else if (c == '{') {
        v = flow_mapping(col, depth + 1);
        if (v && !end_of_line(col)) return nullptr;
      } else if (c == '|') {
        v = literal(col, indent);
      } else {
        v = word(col, true);
        if (v && !end_of_line(col)) return nullptr;
      }
      if (!v) return nullptr;
      m.pairs.emplace_back(k, v);
      skip_blank();
      if (cur_ == lines_.size()) return &m;
      const Line& l = lines_[cur_];
      if (l.indent < indent) return &m;
      if (l.indent > indent) return nullptr;
      col = indent;
    }
  }

  YamlDocument& doc_;
  std::string_view text_;
  std::vector<Line> lines_;
  std::size_t cur_ = 0;
};

bool YamlDocument::parse_simple(std::string_view text) {
  return SimpleYamlBuilder(*this, text).run();
}

}  // namespace simsock::scenario
