// Sim::spawn for callback code and coroutines: how long a callback process lives, exit(),
// captured standard streams, and starting again when the host restarts.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include <simsock/sim/testing/simsock_test.hpp>

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

net::Endpoint ep(const char* ip, std::uint16_t port) {
  return net::Endpoint{asio::ip::make_address(ip), port};
}

// Connects to 10.0.0.1:7000, writes `text`, reads until eof; the result is what it read.
test::Coroutine say(std::string text, std::shared_ptr<std::string> reply) {
  return [text, reply](net::Network& net) -> asio::awaitable<int> {
    auto [cec, s] = co_await net.async_connect(ep("10.0.0.1", 7000), tuple);
    if (cec) co_return 1;
    auto [wec, n] = co_await asio::async_write(*s, asio::buffer(text), tuple);
    if (wec) co_return 2;
    char buf[256];
    for (;;) {
      auto [rec, got] = co_await s->async_read_some(asio::buffer(buf), tuple);
      if (rec) co_return rec == net::error::eof ? 0 : 3;
      reply->append(buf, got);
    }
  };
}

// Callback code: accepts one connection, echoes what one read returns, then closes.
struct EchoOnce {
  std::shared_ptr<int> starts = std::make_shared<int>(0);
  void operator()(net::Network& net, test::Process& process) const {
    ++*starts;
    process.out() << "listening\n";
    net::error_code ec;
    std::shared_ptr<net::TcpListener> l = net.listen(ep("0.0.0.0", 7000), ec);
    if (ec) return process.exit(2);
    l->async_accept([l, &process](net::error_code aec, std::unique_ptr<net::TcpStream> s) {
      if (aec) return process.exit(3);
      auto stream = std::shared_ptr<net::TcpStream>(std::move(s));
      auto buf = std::make_shared<std::string>(64, '\0');
      stream->async_read_some(
          asio::buffer(*buf), [stream, buf, &process](net::error_code rec, std::size_t n) {
            if (rec) return process.exit(4);
            buf->resize(n);
            process.err() << "got " << n << " bytes\n";
            asio::async_write(*stream, asio::buffer(*buf),
                              [stream, buf](net::error_code, std::size_t) { stream->close(); });
          });
    });
  }
};

TEST(Spawn, CallbackCodeLivesWhileItHasPendingWorkAndThenExitsZero) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{latency: 10ms}");
  EchoOnce echo;
  sim.spawn("echo", "server", echo);
  auto reply = std::make_shared<std::string>();
  sim.spawn("client", "client", say("ping", reply), 1s);
  sim.run_for(500ms);
  // Waiting for a connection is pending work: the process is still there.
  EXPECT_EQ(sim.process("echo").state, sim::ProcessState::running);
  sim.run_for(2s);
  EXPECT_EQ(*reply, "ping");
  EXPECT_EQ(sim.process("client").exit_code, 0);
  EXPECT_EQ(sim.process("echo").state, sim::ProcessState::exited);
  EXPECT_EQ(sim.process("echo").exit_code, 0);
  EXPECT_EQ(sim.process("echo").app, "callback");
}

TEST(Spawn, CallbackCodeWithATimerEndsWhenTheTimerHasFired) {
  test::Sim sim;
  sim.add_host("a");
  auto fired = std::make_shared<bool>(false);
  sim.spawn("sleeper", "a", [fired](net::Network& net) {
    std::shared_ptr<net::Timer> t = net.make_timer();
    t->expires_at(net.now() + 3s);
    t->async_wait([t, fired](net::error_code ec) { *fired = !ec; });
  });
  sim.run_for(2s);
  EXPECT_EQ(sim.process("sleeper").state, sim::ProcessState::running);
  sim.run_for(2s);
  EXPECT_TRUE(*fired);
  EXPECT_EQ(sim.process("sleeper").state, sim::ProcessState::exited);
  EXPECT_EQ(sim.process("sleeper").exit_code, 0);
}

TEST(Spawn, CallbackCodeThatStartsNothingExitsAtOnce) {
  test::Sim sim;
  sim.add_host("a");
  sim.spawn("nothing", "a", [](net::Network&) {});
  sim.run_for(1ms);
  EXPECT_EQ(sim.process("nothing").exit_code, 0);
}

TEST(Spawn, ExitEndsTheProcessWithItsStatusAndClosesItsSockets) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  auto aborted = std::make_shared<int>(0);
  // Accepts one connection and exits with 7, leaving a read on it and a timer pending.
  sim.spawn("quitter", "server", [aborted](net::Network& net, test::Process& process) {
    net::error_code ec;
    std::shared_ptr<net::TcpListener> l = net.listen(ep("0.0.0.0", 7000), ec);
    std::shared_ptr<net::Timer> t = net.make_timer();
    t->expires_after(1h);
    t->async_wait(
        [t, aborted](net::error_code wec) { *aborted += wec == net::error::operation_aborted; });
    l->async_accept([l, &process, aborted](net::error_code, std::unique_ptr<net::TcpStream> s) {
      auto stream = std::shared_ptr<net::TcpStream>(std::move(s));
      auto buf = std::make_shared<std::array<char, 16>>();
      stream->async_read_some(asio::buffer(*buf),
                              [stream, buf, aborted](net::error_code rec, std::size_t) {
                                *aborted += rec == net::error::operation_aborted;
                              });
      process.exit(7);
      EXPECT_TRUE(process.exited());
    });
  });
  auto reply = std::make_shared<std::string>();
  sim.spawn("client", "client", say("", reply), 100ms);
  sim.run_for(3s);
  EXPECT_EQ(sim.process("quitter").state, sim::ProcessState::exited);
  EXPECT_EQ(sim.process("quitter").exit_code, 7);
  EXPECT_EQ(*aborted, 2);
  // The client read eof: the stream was closed when the process exited, not left open.
  EXPECT_EQ(sim.process("client").exit_code, 0);
}

TEST(Spawn, SpawnedCodeWritesToCapturedStdoutAndStderr) {
  test::Sim sim;
  sim.add_host("a");
  sim.spawn("cb", "a", [](net::Network&, test::Process& p) {
    p.out() << "hello " << 42 << "\n";
    p.err() << "careful";
  });
  sim.spawn("co", "a", [](net::Network&, test::Stdio& io) -> asio::awaitable<int> {
    io.out() << "from a coroutine\n";
    io.err() << "err " << 1.5;
    co_return 5;
  });
  sim.run_for(1s);
  EXPECT_EQ(sim.process("cb").out, "hello 42\n");
  EXPECT_EQ(sim.process("cb").err, "careful");
  EXPECT_EQ(sim.process("co").out, "from a coroutine\n");
  EXPECT_EQ(sim.process("co").err, "err 1.5");
  EXPECT_EQ(sim.process("co").exit_code, 5);
}

TEST(Spawn, CallbackCodeStartsAgainWhenItsHostRestarts) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  EchoOnce echo;
  sim.spawn("echo", "server", echo);
  sim.crash("server", 1s);
  sim.restart("server", 2s);
  auto reply = std::make_shared<std::string>();
  sim.spawn("client", "client", say("after restart", reply), 3s);
  sim.run_for(5s);
  EXPECT_EQ(*echo.starts, 2);
  EXPECT_EQ(*reply, "after restart");
  EXPECT_EQ(sim.process("echo").exit_code, 0);
  // Output is kept across the restart, as for apps.
  EXPECT_EQ(sim.process("echo").out, "listening\nlistening\n");
  EXPECT_EQ(sim.process("echo").err, "got 13 bytes\n");
}

TEST(Spawn, CallbackCodeThatThrowsFailsItsProcessWithTheMessage) {
  test::Sim sim;
  sim.add_host("a");
  sim.spawn("thrower", "a", [](net::Network&) { throw std::runtime_error("no config"); });
  sim.run_for(1ms);
  EXPECT_EQ(sim.process("thrower").state, sim::ProcessState::failed);
  EXPECT_EQ(sim.process("thrower").failure, "no config");
}

// Counts a tick every 100ms, forever.
struct Ticker {
  std::shared_ptr<net::Timer> timer;
  std::shared_ptr<int> ticks;
  void operator()(net::error_code ec) const {
    if (ec) return;
    ++*ticks;
    timer->expires_after(100ms);
    timer->async_wait(*this);
  }
};

TEST(Spawn, KilledCallbackCodeRunsNoMoreHandlers) {
  test::Sim sim;
  sim.add_host("a");
  auto ticks = std::make_shared<int>(0);
  sim.spawn("ticker", "a", [ticks](net::Network& net) {
    Ticker tick{net.make_timer(), ticks};
    tick.timer->expires_after(100ms);
    tick.timer->async_wait(tick);
  });
  sim.run_for(550ms);
  EXPECT_EQ(*ticks, 5);
  sim.kill("ticker");
  sim.run_for(1s);
  EXPECT_EQ(*ticks, 5);
  EXPECT_EQ(sim.process("ticker").state, sim::ProcessState::killed);
}

TEST(Spawn, CoroutinesStartAgainWhenTheirHostRestarts) {
  test::Sim sim;
  sim.add_host("a");
  auto starts = std::make_shared<int>(0);
  sim.spawn("co", "a", [starts](net::Network& net) -> asio::awaitable<int> {
    ++*starts;
    auto t = net.make_timer();
    t->expires_after(10s);
    co_await t->async_wait(tuple);
    co_return 0;
  });
  sim.crash("a", 1s);
  sim.restart("a", 2s);
  sim.run_for(3s);
  EXPECT_EQ(*starts, 2);
}

}  // namespace
}  // namespace simsock
