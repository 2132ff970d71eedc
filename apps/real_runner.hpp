// Runs an app on real OS sockets: an io_context, the Asio backend of net::Network, and the
// terminal as standard input and output. Used by `simsock app` and by tests that run an app in
// process.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <simsock/apps/app.hpp>

namespace simsock::apps {

// Standard streams on file descriptors 0, 1 and 2. Output is written at once (unbuffered), so
// what a killed app printed is never lost. interrupt() makes a pending or later read_line() report
// end of input, so an app waiting for the terminal can still be stopped.
class TerminalStdio final : public Stdio {
 public:
  TerminalStdio();
  ~TerminalStdio() override;
  TerminalStdio(const TerminalStdio&) = delete;
  TerminalStdio& operator=(const TerminalStdio&) = delete;

  void out(std::string_view text) override;
  void err(std::string_view text) override;
  std::optional<std::string> read_line() override;
  // Thread-safe.
  void interrupt();

 private:
  int wake_[2] = {-1, -1};  // a pipe; written by interrupt()
  std::string pending_;     // read from stdin, not yet returned
  bool eof_ = false;
};

// One app instance on real sockets, run in the calling thread.
class RealRunner {
 public:
  RealRunner(const AppSpec& app, Options options, Stdio& io);
  ~RealRunner();
  RealRunner(const RealRunner&) = delete;
  RealRunner& operator=(const RealRunner&) = delete;

  // Runs the app until it returns (its exit code), stop() is called, or it throws (the message
  // on the app's stderr, 1). Stopped, a server (AppSpec::runs_until_stopped) returns 0; any other
  // app prints "NAME: interrupted" on its stderr and returns kInterruptedExit. Call once.
  int run();
  // Stops the app: run() returns soon after. Thread-safe; may come before or after run().
  void stop();

 private:
  const AppSpec& app_;
  Options options_;
  Stdio& io_;
  std::mutex mutex_;
  std::optional<boost::asio::io_context> context_;
  std::atomic<bool> stopped_{false};
};

// `simsock app`: runs the app with TerminalStdio until it ends; SIGINT or SIGTERM stop it (exit
// status 0 for a server, kInterruptedExit for a client, as RealRunner::run()). Returns the exit
// status.
int run_on_real_sockets(const AppSpec& app, const Options& options);

}  // namespace simsock::apps
