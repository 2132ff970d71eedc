// Runs a program (the built simsock binary, a Python peer) as a child process with captured
// standard streams. Every wait is bounded: a process that would hang makes the test fail, and a
// still-running child is killed when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace simsock::apps_test {

using namespace std::chrono_literals;

// How long any single wait in these tests may take before it counts as a hang.
inline constexpr std::chrono::seconds kHang{30};

class ChildProcess {
 public:
  // Starts argv[0] with argv. `stdin_text` is written to its stdin, which is then closed unless
  // `keep_stdin_open`.
  explicit ChildProcess(std::vector<std::string> argv, std::string stdin_text = {},
                        bool keep_stdin_open = false);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits for the exit status; nullopt if it did not exit within `limit` (or died by a signal).
  std::optional<int> wait(std::chrono::milliseconds limit = kHang);
  // Waits until stderr matches `re` (searched); returns the match's first group (or whole match).
  std::optional<std::string> wait_for_err(const std::regex& re,
                                          std::chrono::milliseconds limit = kHang);
  // Waits until stdout holds at least `n` newlines.
  bool wait_for_out_lines(std::size_t n, std::chrono::milliseconds limit = kHang);
  bool running();
  void send_signal(int sig);
  void close_stdin();
  std::string out();
  std::string err();
  pid_t pid() const { return pid_; }

 private:
  void pump(int fd, std::string& into);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::optional<int> status_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  std::thread out_reader_, err_reader_;
};

// `simsock app NAME ARGS...` as a child process.
std::vector<std::string> simsock_app(const std::string& app, std::vector<std::string> args);

// Starts a server app with --listen HOST:0 (plus `args`) and waits until it reports the port it
// got on stderr ("listening on ...:PORT"). Returns 0 (and the test fails) if it never does.
std::uint16_t wait_for_port(ChildProcess& server);

// VmRSS of a process in KiB, or 0.
long rss_kib(pid_t pid);

// "[YYYY-mm-dd HH:MM:SS] " as a regex prefix.
inline const std::string kStamp = R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] )";

}  // namespace simsock::apps_test
