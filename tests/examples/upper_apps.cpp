#include "upper_apps.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <string>

#include "upper_server.hpp"

namespace upper {
namespace {

namespace apps = simsock::apps;
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<int> server_main(apps::AppContext& ctx) {
  const std::string framing = ctx.options.text("framing");
  if (framing != "one_read" && framing != "until_line") {
    ctx.io.err("upper-server: --framing must be one_read or until_line\n");
    co_return 2;
  }
  co_return co_await serve(ctx.net,
                           framing == "one_read" ? Framing::one_read : Framing::until_line);
}

asio::awaitable<int> client_main(apps::AppContext& ctx) {
  auto target = simsock::net::parse_host_port(ctx.options.text("connect"));
  auto [rec, addrs] = co_await ctx.net.async_resolve(target->host, target->port, tuple);
  if (rec || addrs.empty()) {
    ctx.io.err("upper-client: cannot resolve " + target->host + "\n");
    co_return 1;
  }
  auto [cec, s] = co_await ctx.net.async_connect(addrs.front(), tuple);
  if (cec) {
    ctx.io.err("upper-client: connect: " + cec.message() + "\n");
    co_return 1;
  }
  std::string in;
  for (const std::string& line : ctx.options.all("line")) {
    std::string out = line + "\n";
    co_await asio::async_write(*s, asio::buffer(out), tuple);
    auto [ec, n] = co_await asio::async_read_until(*s, asio::dynamic_buffer(in), '\n', tuple);
    if (ec) {
      ctx.io.err("upper-client: read: " + ec.message() + "\n");
      co_return 1;
    }
    std::string reply = in.substr(0, n - 1), want = line;
    in.erase(0, n);
    for (char& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ctx.io.out(reply + "\n");
    if (reply != want) {
      ctx.io.err("upper-client: sent '" + line + "', got '" + reply + "'\n");
      co_return 1;
    }
  }
  co_return 0;
}

}  // namespace

apps::AppSpec server_app() {
  return {.name = "upper-server",
          .summary = "answers each line with the same line in upper case",
          .options = {{.name = "framing",
                       .help = "how a request is read: one_read (the bug) or until_line",
                       .default_value = "until_line"}},
          .main = server_main,
          .runs_until_stopped = true};
}

apps::AppSpec client_app() {
  return {.name = "upper-client",
          .summary = "sends lines and checks that each comes back in upper case",
          .options = {{.name = "connect",
                       .type = apps::OptionType::host_port,
                       .help = "the server",
                       .required = true},
                      {.name = "line",
                       .help = "a line to send (in order)",
                       .required = true,
                       .repeatable = true}},
          .main = client_main};
}

}  // namespace upper
