// Targeted fault injection (sim/testing/fault_injection.hpp) through the kit: the Nth operation
// fails (looping over every failure point), read/write caps, scripted datagram drops.
#include <simsock/sim/testing/fault_injection.hpp>

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <simsock/sim/testing/simsock_test.hpp>

namespace simsock {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

net::Endpoint ep(const char* ip, std::uint16_t port) {
  return net::Endpoint{asio::ip::make_address(ip), port};
}

// Serves one line per connection: reads through "\n", writes it back, closes.
asio::awaitable<int> line_echo(net::Network& net) {
  net::error_code ec;
  auto l = net.listen(ep("0.0.0.0", 7000), ec);
  if (ec) co_return 2;
  for (;;) {
    auto [aec, s] = co_await l->async_accept(tuple);
    if (aec) co_return 3;
    std::string line;
    auto [rec, n] = co_await asio::async_read_until(*s, asio::dynamic_buffer(line), '\n', tuple);
    if (!rec) co_await asio::async_write(*s, asio::buffer(line, n), tuple);
    s->close();
  }
}

// The client logic under test: resolve, connect, send a line, read the echo. Records the first
// error it met in `error`; exits 1 on any error (gracefully), 0 when the echo matched.
test::Coroutine line_client(net::error_code& error) {
  return [&error](net::Network& net) -> asio::awaitable<int> {
    auto fail = [&](net::error_code ec) {
      error = ec;
      return 1;
    };
    auto [rec, addrs] = co_await net.async_resolve("server", 7000, tuple);
    if (rec) co_return fail(rec);
    auto [cec, s] = co_await net.async_connect(addrs.front(), tuple);
    if (cec) co_return fail(cec);
    std::string out = "ping\n";
    auto [wec, w] = co_await asio::async_write(*s, asio::buffer(out), tuple);
    if (wec) co_return fail(wec);
    std::string in;
    auto [iec, n] = co_await asio::async_read_until(*s, asio::dynamic_buffer(in), '\n', tuple);
    if (iec) co_return fail(iec);
    co_return in.substr(0, n) == out ? 0 : 2;
  };
}

struct ClientRun {
  int exit_code = -1;
  net::error_code error;
  bool triggered = false;
  std::size_t counted = 0;
};

ClientRun run_client(std::size_t fail_at, net::error_code ec, unsigned ops = test::op_all) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.set_link("client", "server", "{latency: 2ms, tcp: {segment: {min: 1, max: 2}}}");
  auto& count = sim.faults("client").fail_nth(fail_at, ec, ops);
  ClientRun r;
  sim.spawn("srv", "server", line_echo);
  sim.spawn("cli", "client", line_client(r.error), 1ms);
  sim.run_for("2s");
  r.exit_code = sim.process("cli").exit_code.value_or(-1);
  r.triggered = count.triggered();
  r.counted = count.counted();
  return r;
}

TEST(FaultInjection, LoopingOverEveryFailurePointEndsAfterTheLastOperation) {
  const auto clean = run_client(SIZE_MAX, {});
  ASSERT_EQ(clean.exit_code, 0);
  ASSERT_FALSE(clean.triggered);
  // resolve + connect + at least one write + at least one read.
  ASSERT_GE(clean.counted, 4u);

  std::size_t n = 0;
  for (;; ++n) {
    SCOPED_TRACE("failing operation " + std::to_string(n));
    auto r = run_client(n, net::error::connection_reset);
    if (!r.triggered) {
      EXPECT_EQ(r.exit_code, 0);
      break;
    }
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.error, net::error::connection_reset);
    ASSERT_LT(n, 100u) << "the count never ran out";
  }
  EXPECT_EQ(n, clean.counted);
}

TEST(FaultInjection, OnlyTheChosenKindOfOperationIsCounted) {
  auto r = run_client(0, net::error::connection_refused, test::op_connect);
  EXPECT_TRUE(r.triggered);
  EXPECT_EQ(r.counted, 1u);
  EXPECT_EQ(r.error, net::error::connection_refused);
  EXPECT_EQ(r.exit_code, 1);

  auto second_read = run_client(1, net::error::eof, test::op_read);
  EXPECT_EQ(second_read.error, net::error::eof);
  EXPECT_EQ(second_read.exit_code, 1);
}

TEST(FaultInjection, InjectedFailuresDoNotReachTheNetwork) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.faults("client").fail_nth(0, net::error::connection_refused, test::op_connect);
  net::error_code error;
  sim.spawn("srv", "server", line_echo);
  sim.spawn("cli", "client", line_client(error), 1ms);
  sim.run_for("1s");
  EXPECT_EQ(error, net::error::connection_refused);
  EXPECT_EQ(sim.stat("tcp.connections"), 0u);
  EXPECT_TRUE(sim.trace("tcp.connect").empty());
}

// Writes `bytes` in one write_some call and reports how many it took.
test::Coroutine one_write(std::size_t bytes, std::size_t& taken) {
  return [bytes, &taken](net::Network& net) -> asio::awaitable<int> {
    auto [cec, s] = co_await net.async_connect(ep("10.0.0.1", 7000), tuple);
    if (cec) co_return 1;
    std::string data(bytes, 'y');
    auto [wec, n] = co_await s->async_write_some(asio::buffer(data), tuple);
    taken = n;
    if (wec) co_return 2;
    co_await asio::async_write(*s, asio::buffer(data.data() + n, data.size() - n), tuple);
    s->close();
    co_return 0;
  };
}

// Reads to eof, recording the size of each read.
test::Coroutine reader(std::vector<std::size_t>& sizes) {
  return [&sizes](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto l = net.listen(ep("0.0.0.0", 7000), ec);
    auto [aec, s] = co_await l->async_accept(tuple);
    if (aec) co_return 1;
    char buf[1024];
    for (;;) {
      auto [rec, n] = co_await s->async_read_some(asio::buffer(buf), tuple);
      if (rec) co_return rec == net::error::eof ? 0 : 2;
      sizes.push_back(n);
    }
  };
}

TEST(FaultInjection, ReadAndWriteCapsBoundEachCall) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.faults("client").cap_streams({.write_max = 10});
  sim.faults("server").cap_streams({.read_max = 3}, 7000);
  std::size_t taken = 0;
  std::vector<std::size_t> sizes;
  sim.spawn("srv", "server", reader(sizes));
  sim.spawn("cli", "client", one_write(100, taken), 1ms);
  sim.run_for("1s");
  EXPECT_EQ(sim.process("cli").exit_code, 0);
  EXPECT_EQ(sim.process("srv").exit_code, 0);
  EXPECT_EQ(taken, 10u);
  std::size_t total = 0;
  for (auto n : sizes) {
    EXPECT_LE(n, 3u);
    total += n;
  }
  EXPECT_EQ(total, 100u);
  EXPECT_GE(sizes.size(), 34u);
}

TEST(FaultInjection, CapsForAnotherPortLeaveTheStreamAlone) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  sim.faults("server").cap_streams({.read_max = 3}, 7001);
  std::size_t taken = 0;
  std::vector<std::size_t> sizes;
  sim.spawn("srv", "server", reader(sizes));
  sim.spawn("cli", "client", one_write(100, taken), 1ms);
  sim.run_for("1s");
  EXPECT_EQ(taken, 100u);
  ASSERT_FALSE(sizes.empty());
  EXPECT_GT(*std::max_element(sizes.begin(), sizes.end()), 3u);
}

// Sends "1".."n" to server:9000 every 10ms; the server appends what arrives to `got`.
TEST(FaultInjection, ScriptedDropsLoseExactlyTheListedDatagrams) {
  test::Sim sim;
  sim.add_host("server");
  sim.add_host("client");
  std::vector<std::string> got;
  sim.spawn("sink", "server", [&got](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto s = net.bind_udp(ep("0.0.0.0", 9000), ec);
    char buf[16];
    for (;;) {
      auto [rec, d] = co_await s->async_receive_from(asio::buffer(buf), tuple);
      if (rec) co_return 1;
      got.emplace_back(buf, d.bytes);
    }
  });
  sim.faults("client").drop_datagrams(asio::ip::make_address("10.0.0.1"), {2, 4});
  sim.spawn("source", "client", [](net::Network& net) -> asio::awaitable<int> {
    net::error_code ec;
    auto s = net.bind_udp(ep("0.0.0.0", 0), ec);
    auto t = net.make_timer();
    for (int i = 1; i <= 5; ++i) {
      std::string msg = std::to_string(i);
      auto [sec, n] = co_await s->async_send_to(asio::buffer(msg), ep("10.0.0.1", 9000), tuple);
      if (sec || n != msg.size()) co_return 1;
      t->expires_after(10ms);
      co_await t->async_wait(tuple);
    }
    co_return 0;
  });
  sim.run_for("1s");
  EXPECT_EQ(sim.process("source").exit_code, 0);
  EXPECT_EQ(got, (std::vector<std::string>{"1", "3", "5"}));
  EXPECT_EQ(sim.faults("client").datagrams_dropped(), 2u);
  EXPECT_EQ(sim.stat("udp.sent"), 3u);
}

}  // namespace
}  // namespace simsock
