// The direct scanner of plain scenario files (tools/scenario/loader_yaml_simple.cpp) against
// libyaml: on every file it takes, it builds the same tree with the same positions, and on
// everything else (including every invalid file) the outcome is libyaml's.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_yaml.hpp>

namespace simsock::scenario {
namespace {

namespace fs = std::filesystem;
using Parser = YamlDocument::Parser;

void dump(const YamlNode* n, int depth, std::string& out) {
  if (depth > 40) {
    out += "...";
    return;
  }
  out += std::to_string(static_cast<int>(n->type)) + "@" + std::to_string(n->mark.line) + ":" +
         std::to_string(n->mark.column);
  if (n->type == YamlNode::Type::scalar) out += "'" + n->scalar + "'";
  out += "(";
  for (const YamlNode* i : n->items) {
    dump(i, depth + 1, out);
    out += ",";
  }
  for (const auto& [k, v] : n->pairs) {
    dump(k, depth + 1, out);
    out += "=";
    dump(v, depth + 1, out);
    out += ",";
  }
  out += ")";
}

// The tree (or the error) `parser` makes of `text`; `direct` says whether the scanner built it.
std::string outcome(const std::string& text, Parser parser, bool* direct = nullptr) {
  try {
    YamlDocument doc(text, "x.yaml", parser);
    if (direct) *direct = doc.scanned_directly();
    std::string out;
    if (doc.root()) dump(doc.root(), 0, out);
    return out;
  } catch (const ScenarioError& e) {
    if (direct) *direct = false;
    return std::string("error: ") + e.what();
  }
}

// Plain files the scanner must take, covering each construct of its subset.
const std::vector<std::string>& plain_files() {
  static const std::vector<std::string> files = {
      "name: load-3-hosts\n"
      "description: |\n"
      "  Three hosts, each running a UDP\n"
      "  timestamp server.\n"
      "seed: 1\n"
      "duration: 1s\n"
      "network:\n"
      "  default: {latency: 1ms}\n"
      "hosts:\n"
      "  - {name: h0, address: 10.0.0.1}\n"
      "  - {name: h1, address: 10.0.0.2}\n"
      "processes:\n"
      "  - {name: srv0, host: h0, app: udp-ts-server}\n"
      "  - {name: srv1, host: h1, app: udp-ts-server}\n"
      "expect:\n"
      "  - {process: srv0, state: running}\n",
      // Indentless and compact sequences, nested mappings, nulls, spaces in words.
      "\n"
      "name: t\n"
      "description: |\n"
      "    first\n"
      "      more indented\n"
      "\n"
      "    after an empty line\n"
      "\n"
      "\n"
      "hosts:\n"
      "- name: a\n"
      "  address: 10.0.0.1\n"
      "-   {name: b,address: 10.0.0.2 ,  x: null}\n"
      "- plain words here   \n"
      "network:\n"
      "   default:\n"
      "     latency: 5ms\n"
      "     udp:   {loss: 1%}\n"
      "   links:\n"
      "     - between: a\n"
      "       latency: 1ms\n"
      "     - Null\n"
      "other: NULL\n"
      "last: x/y+z_w-v.u\n",
  };
  return files;
}

TEST(YamlScanner, PlainFilesAreScannedDirectlyIntoLibyamlsTree) {
  for (const auto& text : plain_files()) {
    bool direct = false;
    std::string ours = outcome(text, Parser::any, &direct);
    EXPECT_TRUE(direct) << text;
    EXPECT_EQ(ours, outcome(text, Parser::libyaml)) << text;
  }
}

TEST(YamlScanner, EveryBundledAndTestFileGivesLibyamlsTreeOrError) {
  int n = 0;
  for (const char* dir : {"/scenarios", "/tests/tools/fuzz-regressions", "/tests/tools/data"}) {
    fs::path path = fs::path(SIMSOCK_SOURCE_DIR) / fs::path(dir).relative_path();
    if (!fs::exists(path)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      if (text.find('\0') != std::string::npos) continue;  // refused before parsing
      ++n;
      EXPECT_EQ(outcome(text, Parser::any), outcome(text, Parser::libyaml)) << entry.path();
    }
  }
  EXPECT_GE(n, 15);
}

// Every one-character edit of the plain files (deleting a character, or inserting one of the
// characters that change YAML's meaning) gives what libyaml gives: the same tree, or the same
// error.
TEST(YamlScanner, EveryOneCharacterEditOfAPlainFileGivesLibyamlsOutcome) {
  const std::string inserts = " \n:-{}|#,'\"&*!?>[]~\t%@`.0a";
  int direct_edits = 0;
  for (const auto& base : plain_files()) {
    for (std::size_t i = 0; i <= base.size(); ++i) {
      std::vector<std::string> edits;
      if (i < base.size()) edits.push_back(base.substr(0, i) + base.substr(i + 1));
      for (char c : inserts) edits.push_back(base.substr(0, i) + c + base.substr(i));
      for (const auto& text : edits) {
        bool direct = false;
        std::string ours = outcome(text, Parser::any, &direct);
        direct_edits += direct;
        ASSERT_EQ(ours, outcome(text, Parser::libyaml)) << "edit at " << i << ":\n" << text;
      }
    }
  }
  EXPECT_GT(direct_edits, 1000);  // the edits test the scanner, not only its giving up
}

}  // namespace
}  // namespace simsock::scenario
