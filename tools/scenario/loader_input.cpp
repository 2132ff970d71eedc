// What the loader accepts as input before any YAML is parsed: only regular files of at most
// k_max_file_bytes, text without NUL bytes. Each limit turns an input that would hang or exhaust
// memory into one located message. (Nesting and aliases are bounded while parsing:
// loader_yaml.cpp.)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/loader_parts.hpp>

namespace simsock::scenario::detail {

namespace {

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
