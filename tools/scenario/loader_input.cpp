// What the loader accepts as input before any YAML is interpreted: only regular files of at most
// k_max_file_bytes, text without NUL bytes, one document, nesting and alias expansion bounded.
// Each limit turns an input that would hang, exhaust memory or overflow the stack into one
// located message.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "tools/scenario/loader.hpp"
#include "tools/scenario/loader_parts.hpp"

namespace simsock::scenario::detail {

namespace {

// Walks one document's events: fails past k_max_depth nested collections or once aliases have
// repeated more than k_max_alias_bytes of content; notes where the document's content starts.
class DocumentCheck final : public YAML::EventHandler {
 public:
  explicit DocumentCheck(const std::string& file) : file_(file) {}
  std::optional<YAML::Mark> first;  // where the first node is

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override { leaf(m, anchor, 0); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(m, anchor, value.size());
  }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    note(m);
    // An anchor still open (an alias inside its own node) has no size yet: its loop is caught
    // where the loader walks it (a `not:` nests too deeply; anything else has the wrong type).
    auto it = sizes_.find(anchor);
    std::uint64_t size = it == sizes_.end() ? 0 : it->second;
    aliased_ += size;
    if (aliased_ > k_max_alias_bytes) {
      throw ScenarioError(file_, m.line + 1, m.column + 1,
                          "aliases repeat more than " + std::to_string(k_max_alias_bytes) +
                              " bytes (16 MiB) of content in total; write the values out or "
                              "alias smaller nodes");
    }
    add(size);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    std::uint64_t size;
  };
  static constexpr std::uint64_t k_node_bytes = 8;  // what one node costs besides its text

  void note(const YAML::Mark& m) {
    if (!first) first = m;
  }
  void add(std::uint64_t size) {
    if (!stack_.empty()) stack_.back().size += size;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t anchor, std::size_t bytes) {
    note(m);
    std::uint64_t size = bytes + k_node_bytes;
    if (anchor != YAML::NullAnchor) sizes_[anchor] = size;
    add(size);
  }
  void open(const YAML::Mark& m, YAML::anchor_t anchor) {
    note(m);
    if (stack_.size() >= k_max_depth) {
      throw ScenarioError(file_, m.line + 1, m.column + 1,
                          "nested deeper than " + std::to_string(k_max_depth) + " levels");
    }
    stack_.push_back({anchor, k_node_bytes});
  }
  void close() {
    Open done = stack_.back();
    stack_.pop_back();
    if (done.anchor != YAML::NullAnchor) sizes_[done.anchor] = done.size;
    add(done.size);
  }

  const std::string& file_;
  std::vector<Open> stack_;
  // Anchors are numbered per document; lookups only.
  std::unordered_map<YAML::anchor_t, std::uint64_t> sizes_;
  std::uint64_t aliased_ = 0;
};

// "LINE:COL" (1-based) of byte `at` in `text`.
std::pair<int, int> position(std::string_view text, std::size_t at) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

std::string too_big(std::uint64_t bytes) {
  return "is " + std::to_string(bytes) + " bytes; scenario files are at most " +
         std::to_string(k_max_file_bytes) + " bytes (16 MiB)";
}

}  // namespace

void check_text(std::string_view text, const std::string& file) {
  if (text.size() > k_max_file_bytes)
    throw ScenarioError(file, 1, 1, file + " " + too_big(text.size()));
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    auto [line, col] = position(text, nul);
    throw ScenarioError(file, line, col,
                        "contains a NUL byte at " + std::to_string(line) + ":" +
                            std::to_string(col) + " (a scenario file is YAML text)");
  }
  // Not YAML::LoadAll: on some invalid input it loops forever (yaml-cpp issues #1040 and #1319);
  // single parser steps do not.
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentCheck doc(file), second(file);
  try {
    if (!parser.HandleNextDocument(doc)) return;
    if (!parser.HandleNextDocument(second)) return;
  } catch (const YAML::Exception& e) {
    throw ScenarioError(file, e.mark.line + 1, e.mark.column + 1, "invalid YAML: " + e.msg);
  }
  if (second.first) {
    throw ScenarioError(file, second.first->line + 1, second.first->column + 1,
                        "a scenario file holds one YAML document; found a second one");
  }
}

std::string read_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer must not wait; fstat then rejects it.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw ScenarioError(
        path, 1, 1, std::string("cannot open the scenario file (") + std::strerror(errno) + ")");
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw ScenarioError(
        path, 1, 1, std::string("cannot read the scenario file (") + std::strerror(errno) + ")");
  }
  if (S_ISDIR(st.st_mode))
    throw ScenarioError(path, 1, 1, path + " is a directory, not a scenario file");
  if (!S_ISREG(st.st_mode)) {
    throw ScenarioError(path, 1, 1,
                        path +
                            " is not a regular file (a device, FIFO or socket); scenario files "
                            "are regular files");
  }
  if (static_cast<std::uint64_t>(st.st_size) > k_max_file_bytes) {
    throw ScenarioError(path, 1, 1, path + " " + too_big(static_cast<std::uint64_t>(st.st_size)));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw ScenarioError(
          path, 1, 1, std::string("cannot read the scenario file (") + std::strerror(errno) + ")");
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > k_max_file_bytes) {  // it grew while being read
      throw ScenarioError(path, 1, 1, path + " " + too_big(text.size()) + " (or more)");
    }
  }
  return text;
}

}  // namespace simsock::scenario::detail
