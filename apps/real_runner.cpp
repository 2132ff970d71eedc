// The real-socket runner. Signals are taken by a dedicated thread with sigwait() (blocked in every
// other thread), because the app's thread may be blocked reading the terminal, where an Asio
// signal handler would never run.
#include <simsock/apps/real_runner.hpp>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <cerrno>
#include <exception>
#include <thread>

#include <simsock/net/asio_network.hpp>

namespace simsock::apps {

namespace {

void write_fully(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

asio::awaitable<int> run_main(AppMain main, AppContext& ctx) {
  co_return co_await main(ctx);
}

}  // namespace

TerminalStdio::TerminalStdio() {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
}

TerminalStdio::~TerminalStdio() {
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

void TerminalStdio::out(std::string_view text) {
  write_fully(1, text);
}
void TerminalStdio::err(std::string_view text) {
  write_fully(2, text);
}

void TerminalStdio::interrupt() {
  if (wake_[1] >= 0) {
    char c = 1;
    [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  }
}

std::optional<std::string> TerminalStdio::read_line() {
  for (;;) {
    auto nl = pending_.find('\n');
    if (nl != std::string::npos || (eof_ && !pending_.empty())) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl == std::string::npos ? pending_.size() : nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (eof_) return std::nullopt;
    pollfd fds[2] = {{0, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    int r = ::poll(fds, wake_[0] >= 0 ? 2 : 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      eof_ = true;
      continue;
    }
    if (wake_[0] >= 0 && (fds[1].revents & POLLIN)) return std::nullopt;
    char buf[4096];
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

RealRunner::RealRunner(const AppSpec& app, Options options, Stdio& io)
    : app_(app), options_(std::move(options)), io_(io) {
  context_.emplace(1);
}

RealRunner::~RealRunner() = default;

void RealRunner::stop() {
  stopped_ = true;
  std::lock_guard lock(mutex_);
  if (context_) context_->stop();
}

int RealRunner::run() {
  auto& io = *context_;
  auto net = net::make_asio_network(io);
  AppContext ctx{*net, options_, io_};
  std::optional<int> code;
  std::exception_ptr failure;
  asio::co_spawn(io, run_main(app_.main, ctx), [&](std::exception_ptr e, int c) {
    // After stop(), what the app returns is not its result: an app reading the terminal, say,
    // sees end of input and would report success for work it never got to do.
    if (stopped_) return;
    if (e)
      failure = e;
    else
      code = c;
    io.stop();
  });
  if (!stopped_) io.run();
  {
    // Destroys every pending coroutine (the app's and its helpers') while the network and the
    // context they refer to still exist.
    std::lock_guard lock(mutex_);
    context_.reset();
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      io_.err(app_.name + ": error: " + e.what() + "\n");
    } catch (...) {
      io_.err(app_.name + ": error: unknown exception\n");
    }
    return 1;
  }
  if (code) return *code;
  // Stopped.
  if (app_.runs_until_stopped) return 0;
  io_.err(app_.name + ": interrupted\n");
  return kInterruptedExit;
}

int run_on_real_sockets(const AppSpec& app, const Options& options) {
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);

  TerminalStdio stdio;
  RealRunner runner(app, options, stdio);
  std::atomic<bool> finished{false};
  std::thread waiter([&] {
    int sig = 0;
    while (sigwait(&signals, &sig) == 0) {
      if (finished) return;
      runner.stop();
      stdio.interrupt();
      return;
    }
  });
  int status = runner.run();
  finished = true;
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace simsock::apps
