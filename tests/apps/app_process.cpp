#include "tests/apps/app_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fstream>

namespace simsock::apps_test {

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string stdin_text,
                           bool keep_stdin_open) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
    ADD_FAILURE() << "pipe failed";
    return;
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  stdin_fd_ = in[1];
  if (!stdin_text.empty()) {
    [[maybe_unused]] auto n = write(stdin_fd_, stdin_text.data(), stdin_text.size());
  }
  if (!keep_stdin_open) close_stdin();
  out_reader_ = std::thread([this, fd = out[0]] { pump(fd, out_); });
  err_reader_ = std::thread([this, fd = err[0]] { pump(fd, err_); });
}

ChildProcess::~ChildProcess() {
  close_stdin();
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void ChildProcess::pump(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mutex_);
    into.append(buf, static_cast<std::size_t>(n));
    changed_.notify_all();
  }
  close(fd);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!status_) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  // The exit closed the pipes' write ends: wait until everything written has been read.
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
  return status_;
}

bool ChildProcess::running() {
  if (status_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

std::optional<std::string> ChildProcess::wait_for_err(const std::regex& re,
                                                      std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  std::smatch m;
  if (!changed_.wait_for(lock, limit, [&] { return std::regex_search(err_, m, re); })) {
    return std::nullopt;
  }
  return m.size() > 1 ? m[1].str() : m[0].str();
}

bool ChildProcess::wait_for_out_lines(std::size_t n, std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [&] {
    return static_cast<std::size_t>(std::count(out_.begin(), out_.end(), '\n')) >= n;
  });
}

void ChildProcess::send_signal(int sig) {
  if (pid_ > 0 && !status_) kill(pid_, sig);
}

void ChildProcess::close_stdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

std::string ChildProcess::out() {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string ChildProcess::err() {
  std::lock_guard lock(mutex_);
  return err_;
}

std::vector<std::string> simsock_app(const std::string& app, std::vector<std::string> args) {
  std::vector<std::string> v{SIMSOCK_BINARY, "app", app};
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

std::uint16_t wait_for_port(ChildProcess& server) {
  auto port = server.wait_for_err(std::regex(R"(listening on \S+:(\d+))"));
  EXPECT_TRUE(port) << "server never reported its port; stderr: " << server.err();
  return port ? static_cast<std::uint16_t>(std::stoi(*port)) : 0;
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace simsock::apps_test
