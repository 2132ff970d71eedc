// The control protocol: one command per line, one reply line per command ("ok ..." or
// "error: ..."), to change links and inject faults while proxies run. docs/proxy.md lists it:
//
//   partition [NAME] | heal [NAME] | clog [NAME] | release [NAME] | reset [NAME]
//   link [NAME] LINK        set the keys LINK names (scenario link syntax), e.g.
//                           link web {udp: {loss: 30%}}
//   port [NAME]             the port the proxy listens on
//   stats [NAME]            what it forwarded so far
//   list                    the proxies: NAME PROTO PORT, comma-separated
//
// NAME may be left out when there is one proxy.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <simsock/tools/proxy/proxy.hpp>

namespace simsock::proxy {

// Runs one command line on `proxies` (on their io_context's thread) and returns the reply,
// without the newline. Never throws for bad input: the reply says what was wrong.
std::string control_command(std::string_view line, const std::vector<Proxy*>& proxies);

// Serves the protocol on a Unix stream socket at `path` (any number of clients, each line
// answered in order) or, for path "-", on standard input and output. Lines longer than 64 KiB
// are refused and end that client. The socket file is removed on destruction.
class ControlChannel {
 public:
  // A socket file already at `path` that nobody listens on (connect is refused: left by a proxy
  // that was killed) is replaced. Throws std::system_error when the socket cannot be made (the
  // message names `path`, and says so when another process is listening on it).
  ControlChannel(asio::io_context& io, const std::string& path, std::vector<Proxy*> proxies);
  ~ControlChannel();
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;
  // Stops serving (closes the socket and every client).
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace simsock::proxy
