// One pass over libyaml's events builds the tree: each node is created where its event arrives
// and attached to the open collection on top of a stack (so the stack's height is the nesting
// depth, checked before anything deeper is built), and an alias points at its anchor's node
// while adding the anchor's size to the running total of repeated content.
#include <simsock/tools/scenario/loader_yaml.hpp>

#include <yaml.h>

#include <new>
#include <unordered_map>

#include <simsock/tools/scenario/loader.hpp>

namespace simsock::scenario {

namespace {

YamlMark mark_of(const yaml_mark_t& m) {
  return {static_cast<int>(m.line), static_cast<int>(m.column)};
}

// The plain scalars YAML's core schema reads as null.
bool is_null_scalar(const yaml_event_t& e) {
  if (e.data.scalar.tag || e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  std::string_view v(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

}  // namespace

class YamlBuilder {
 public:
  YamlBuilder(YamlDocument& doc, std::string_view text, const std::string& file)
      : doc_(doc), text_(text), file_(file) {}

  void run() {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) throw std::bad_alloc();
    struct ParserGuard {
      yaml_parser_t* p;
      ~ParserGuard() { yaml_parser_delete(p); }
    } parser_guard{&parser};
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()),
                                 text_.size());
    for (;;) {
      yaml_event_t e;
      if (!yaml_parser_parse(&parser, &e)) parse_error(parser);
      struct EventGuard {
        yaml_event_t* e;
        ~EventGuard() { yaml_event_delete(e); }
      } event_guard{&e};
      if (e.type == YAML_STREAM_END_EVENT) return;
      on_event(e);
    }
  }

 private:
  struct Open {
    YamlNode* node;
    std::uint64_t size;
    std::string anchor;
    const YamlNode* key = nullptr;  // a mapping's key waiting for its value
  };
  struct Anchor {
    const YamlNode* node;
    std::uint64_t size;
    bool closed;
  };
  static constexpr std::uint64_t k_node_bytes = 8;

  [[noreturn]] void fail(const YamlMark& m, const std::string& message) const {
    throw ScenarioError(file_, m.line + 1, m.column + 1, message);
  }

  [[noreturn]] void parse_error(const yaml_parser_t& p) const {
    if (p.error == YAML_MEMORY_ERROR) throw std::bad_alloc();  // not the file's fault
    std::string problem = p.problem ? p.problem : "cannot be parsed";
    if (p.error == YAML_READER_ERROR) {  // bad encoding: libyaml gives a byte offset
      int line = 0, col = 0;
      for (std::size_t i = 0; i < p.problem_offset && i < text_.size(); ++i) {
        if (text_[i] == '\n') {
          ++line;
          col = 0;
        } else {
          ++col;
        }
      }
      fail({line, col}, "invalid YAML: " + problem + " (a scenario file is UTF-8 text)");
    }
    if (p.context) problem += " (" + std::string(p.context) + ")";
    fail(mark_of(p.problem_mark), "invalid YAML: " + problem);
  }

  void on_event(const yaml_event_t& e) {
    YamlMark m = mark_of(e.start_mark);
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        ++documents_;
        return;
      case YAML_SCALAR_EVENT: {
        bool null = is_null_scalar(e);
        if (documents_ > 1) {
          if (null && e.data.scalar.length == 0) return;  // an empty second document is no content
          second_document(m);
        }
        YamlNode& n = make(m, null ? YamlNode::Type::null : YamlNode::Type::scalar);
        if (!null) {
          n.scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        }
        std::uint64_t size = e.data.scalar.length + k_node_bytes;
        if (e.data.scalar.anchor) {
          anchors_[reinterpret_cast<const char*>(e.data.scalar.anchor)] = {&n, size, true};
        }
        attach(&n, size);
        return;
      }
      case YAML_ALIAS_EVENT: {
        if (documents_ > 1) second_document(m);
        std::string name = reinterpret_cast<const char*>(e.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          fail(m, "invalid YAML: alias *" + name.substr(0, 60) + " has no anchor &" +
                      name.substr(0, 60) + " before it");
        }
        // An anchor still open (an alias inside its own node) adds nothing here: the loop is
        // caught where the loader walks it (a `not:` nests too deeply, anything else has the
        // wrong type).
        std::uint64_t size = it->second.closed ? it->second.size : 0;
        aliased_ += size;
        if (aliased_ > k_max_alias_bytes) {
          fail(m, "aliases repeat more than " + std::to_string(k_max_alias_bytes) +
                      " bytes (16 MiB) of content in total; write the values out or alias smaller "
                      "nodes");
        }
        attach(it->second.node, size);
        return;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (documents_ > 1) second_document(m);
        if (stack_.size() >= k_max_yaml_depth) {
          fail(m, "nested deeper than " + std::to_string(k_max_yaml_depth) + " levels");
        }
        bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        YamlNode& n = make(m, seq ? YamlNode::Type::sequence : YamlNode::Type::map);
        const yaml_char_t* anchor =
            seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
        std::string name = anchor ? reinterpret_cast<const char*>(anchor) : "";
        if (!name.empty()) anchors_[name] = {&n, 0, false};
        attach(&n, 0);
        stack_.push_back({&n, k_node_bytes, std::move(name)});
        return;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        Open done = std::move(stack_.back());
        stack_.pop_back();
        if (!done.anchor.empty()) anchors_[done.anchor] = {done.node, done.size, true};
        if (!stack_.empty()) stack_.back().size += done.size;
        return;
      }
      default:
        return;
    }
  }

  [[noreturn]] void second_document(const YamlMark& m) const {
    fail(m, "a scenario file holds one YAML document; found a second one");
  }

  YamlNode& make(const YamlMark& m, YamlNode::Type type) {
    YamlNode& n = doc_.nodes_.emplace_back();
    n.type = type;
    n.mark = m;
    return n;
  }

  // Puts `n` into the open collection (or makes it the root) and counts its size there.
  void attach(const YamlNode* n, std::uint64_t size) {
    if (stack_.empty()) {
      doc_.root_ = n;
      return;
    }
    Open& top = stack_.back();
    top.size += size;
    if (top.node->type == YamlNode::Type::sequence) {
      top.node->items.push_back(n);
    } else if (!top.key) {
      top.key = n;
    } else {
      top.node->pairs.emplace_back(top.key, n);
      top.key = nullptr;
    }
  }

  YamlDocument& doc_;
  std::string_view text_;
  const std::string& file_;
  int documents_ = 0;
  std::vector<Open> stack_;
  std::unordered_map<std::string, Anchor> anchors_;  // lookups only
  std::uint64_t aliased_ = 0;
};

YamlDocument::YamlDocument(std::string_view text, const std::string& file, Parser parser) {
  scanned_directly_ = parser == Parser::any && parse_simple(text);
  if (!scanned_directly_) YamlBuilder(*this, text, file).run();
}

}  // namespace simsock::scenario
