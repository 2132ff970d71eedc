#include <simsock/tools/junit.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <simsock/tools/commands.hpp>
#include <simsock/tools/outputs.hpp>

namespace simsock::cli {
namespace {

constexpr std::string_view k_replacement = "\xef\xbf\xbd";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i] that XML 1.0 allows, or 0.
std::size_t xml_char_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
  std::size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (n == 0 || c > 0xf4 || i + n > s.size()) return 0;
  std::uint32_t cp = c & (0xff >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b(k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff) return 0;
  return n;
}

std::string testcase(std::string_view name, std::string_view classname, bool passed,
                     std::string_view detail, std::string_view replay) {
  std::string s =
      "    <testcase name=\"" + xml_escape(name) + "\" classname=\"" + xml_escape(classname) + "\"";
  if (passed) return s + "/>\n";
  s += ">\n      <failure message=\"" + xml_escape(detail) + "\" type=\"expectation\">" +
       xml_escape(detail) + "\nreplay: " + xml_escape(replay) + "</failure>\n    </testcase>\n";
  return s;
}

std::string suite_open(std::string_view name, std::uint64_t tests, std::uint64_t failures) {
  return "  <testsuite name=\"" + xml_escape(name) + "\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\" skipped=\"0\">\n";
}

std::string property(std::string_view name, std::string_view value) {
  return "      <property name=\"" + xml_escape(name) + "\" value=\"" + xml_escape(value) +
         "\"/>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = xml_char_length(text, i);
    if (n == 0) {
      out += k_replacement;
      ++i;
      continue;
    }
    if (n == 1) {
      switch (text[i]) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        case '\n':
          out += "&#10;";
          break;
        case '\r':
          out += "&#13;";
          break;
        case '\t':
          out += "&#9;";
          break;
        default:
          out += text[i];
      }
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string render_junit_run(const scenario::RunResult& r) {
  std::uint64_t failures = 0;
  for (const auto& e : r.expectations) failures += e.passed ? 0 : 1;
  const std::string replay = scenario::replay_command(r.file, r.seed);
  std::ostringstream s;
  s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
    << suite_open(r.scenario, r.expectations.size(), failures) << "    <properties>\n"
    << property("file", r.file) << property("seed", std::to_string(r.seed))
    << property("trace_digest", r.trace_digest) << property("replay", replay)
    << "    </properties>\n";
  for (const auto& e : r.expectations) {
    std::string name = e.what;
    if (e.line > 0) name += " (line " + std::to_string(e.line) + ")";
    s << testcase(name, r.scenario, e.passed, e.detail.empty() ? e.what : e.detail, replay);
  }
  s << "  </testsuite>\n</testsuites>\n";
  return s.str();
}

JunitSweepWriter::JunitSweepWriter(std::string path, std::string scenario,
                                   std::string scenario_file)
    : path_(std::move(path)),
      scratch_path_(path_ + ".partial"),
      scenario_(std::move(scenario)),
      scenario_file_(std::move(scenario_file)) {
  open_output(out_, path_, "JUnit file");
  open_output(scratch_, scratch_path_, "JUnit scratch file");
}

JunitSweepWriter::~JunitSweepWriter() {
  scratch_.close();
  std::error_code ec;
  std::filesystem::remove(scratch_path_, ec);
}

void JunitSweepWriter::add(const scenario::SeedOutcome& seed) {
  scratch_ << testcase("seed " + std::to_string(seed.seed), scenario_, seed.passed, seed.detail,
                       scenario::replay_command(scenario_file_, seed.seed));
}

void JunitSweepWriter::finish(const scenario::SweepResult& result) {
  check_written(scratch_, "JUnit scratch file '" + scratch_path_ + "'");
  scratch_.close();
  out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
       << suite_open(scenario_, result.seeds_run, result.failed_count) << "    <properties>\n"
       << property("file", scenario_file_)
       << property("seeds_run", std::to_string(result.seeds_run))
       << property("interrupted", result.stopped ? "true" : "false") << "    </properties>\n";
  std::ifstream body(scratch_path_, std::ios::binary);
  if (result.seeds_run > 0) out_ << body.rdbuf();
  out_ << "  </testsuite>\n</testsuites>\n";
  check_written(out_, "JUnit file '" + path_ + "'");
}

}  // namespace simsock::cli
