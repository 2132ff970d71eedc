// What code spawned with Sim::spawn gets besides its network: its standard streams, captured as a
// built-in app's are (Sim::process(name).out / .err), and, for plain callback code, a way to end.
//
// Callback code (a function that starts asynchronous operations and returns) has no coroutine
// whose end would end the process. Its process lives while any operation it started (on the
// Network it was given, or on an object made from it) is pending, and ends with exit status 0
// when none is left, or at once with Process::exit(code). Either way it started from scratch
// again when its host restarts after a crash, as apps do.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <ostream>

#include <simsock/net/network.hpp>

namespace simsock::test {

// A spawned process's captured standard output and error. Text written here is appended to
// Sim::process(name).out / .err (kept across restarts, as for apps). Valid while the Sim lives.
class Stdio {
 public:
  virtual ~Stdio() = default;
  virtual std::ostream& out() = 0;
  virtual std::ostream& err() = 0;
};

// The handle callback code gets: its streams, and exit().
class Process : public Stdio {
 public:
  // Ends the process with exit status `code` (process(name).exit_code), as exit(2) does: every
  // socket it still has is closed (TCP streams send FIN, or RST where received data was unread;
  // listeners and UDP sockets close; timers are cancelled), their pending operations complete
  // with operation_aborted or bad_descriptor, and operations started after exit() complete with
  // operation_aborted. Later calls change nothing.
  virtual void exit(int code) = 0;
  // True once exit() was called.
  virtual bool exited() const = 0;
};

// Plain callback code: starts operations on `net` and returns (see above).
using Callback = std::function<void(net::Network& net)>;
using ProcessCallback = std::function<void(net::Network& net, Process& process)>;

// A coroutine body with captured standard streams; its result is the exit status.
using StdioCoroutine = std::function<boost::asio::awaitable<int>(net::Network& net, Stdio& io)>;

}  // namespace simsock::test
