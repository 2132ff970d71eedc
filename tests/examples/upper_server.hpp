// The worked example of docs/writing-tests.md: a tiny line protocol. The client sends lines; the
// server answers each line with the same line in upper case. Written only against net/.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include <simsock/net/network.hpp>

namespace upper {

namespace asio = boost::asio;
using simsock::net::Network;
using simsock::net::TcpStream;

// How the server reads one request.
enum class Framing {
  one_read,    // the bug: one read_some is taken to be one whole line
  until_line,  // the fix: read until "\n", keep what follows for the next request
};

// Reads the next request line (without "\n"), or nullopt at the end of the connection.
// `pending` holds bytes read past the previous line.
asio::awaitable<std::optional<std::string>> read_request(TcpStream& s, std::string& pending,
                                                         Framing framing);

// Serves connections on port 7000 forever, one coroutine per connection.
asio::awaitable<int> serve(Network& net, Framing framing);

}  // namespace upper
