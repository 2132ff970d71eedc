// Conformance: what Linux does in the corners of TCP and UDP, measured on real loopback sockets
// (kernel 6.x, default sysctls) and required of every backend: terminal results repeat at once,
// writes into a connection the peer closed, shutdown(receive), a connect burst beyond the
// backlog, how much a writer can queue, two loopback addresses sharing a port, the connect
// timeout option, and the ephemeral port range.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/net/conformance_fixture.hpp"

namespace simsock::conformance {

template <typename Backend>
class LinuxSemanticsConformance : public Conformance<Backend> {
 public:
  // Writes 64 KiB chunks to `s`, whose peer never reads, until one makes no progress for
  // `stall` on the backend's clock; returns the bytes the connection took (at most `cap`).
  std::size_t fill_until_stalled(net::TcpStream& s, std::chrono::nanoseconds stall,
                                 std::size_t cap) {
    const std::string chunk = pattern_bytes(64 * 1024, 5);
    std::size_t queued = 0;
    while (queued < cap) {
      WriteDone w;
      s.async_write_some(asio::buffer(chunk), w.handler());
      if (!this->run_until([&] { return w.done(); }, stall)) {
        s.cancel();
        (void)this->run_until([&] { return w.done(); });
        if (!w.get<0>()) queued += w.get<1>();
        break;
      }
      if (w.get<0>()) {
        ADD_FAILURE() << "write failed: " << w.get<0>().message();
        break;
      }
      queued += w.get<1>();
    }
    return queued;
  }
};
TYPED_TEST_SUITE_P(LinuxSemanticsConformance);

// Linux: after the peer's FIN, read() returns 0 forever.
TYPED_TEST_P(LinuxSemanticsConformance, EveryReadAfterEofIsEofAtOnce) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  c.server->close();
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::eof);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof) << "read " << i;
  }
}

// Linux (measured): after an RST, the first write reports ECONNRESET, every later one EPIPE, and
// reads then see the connection's end (0: eof).
TYPED_TEST_P(LinuxSemanticsConformance, WritesAfterAResetReportItOnceThenBrokenPipe) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  c.server->abort();
  this->let_data_arrive();
  EXPECT_EQ(this->write_some(*c.client, "x").first, net::error::connection_reset);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(this->write_some(*c.client, "x", kAtOnceLimit).first, net::error::broken_pipe)
        << "write " << i;
  }
  EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof);
}

// Linux (measured): a read reports the reset once; later reads are eof, writes EPIPE.
TYPED_TEST_P(LinuxSemanticsConformance, ReadsAfterAResetReportItOnceThenEof) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  c.server->abort();
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::connection_reset);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof) << "read " << i;
  }
  EXPECT_EQ(this->write_some(*c.client, "x", kAtOnceLimit).first, net::error::broken_pipe);
}

// The peer close()d with nothing unread: it sent FIN, so our first write still succeeds; the
// peer's kernel answers it with RST, and from then on writes fail with EPIPE (Linux sets EPIPE,
// not ECONNRESET, for an RST in CLOSE_WAIT). The FIN came first, so reads say eof.
TYPED_TEST_P(LinuxSemanticsConformance, WriteAfterThePeerClosedSucceedsOnceThenBrokenPipe) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  c.server->close();
  this->let_data_arrive();
  auto [first, n] = this->write_some(*c.client, "x");
  EXPECT_FALSE(first) << first.message();
  EXPECT_EQ(n, 1u);
  this->let_data_arrive();  // the RST comes back
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(this->write_some(*c.client, "x", kAtOnceLimit).first, net::error::broken_pipe)
        << "write " << i;
  }
  EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof);
}

// Linux: shutdown(SHUT_RD) discards nothing. Queued data is read; with nothing queued a read
// returns 0 (eof) at once; data the peer sends later is still accepted and readable.
TYPED_TEST_P(LinuxSemanticsConformance, ShutdownReceiveStillDeliversQueuedAndLaterData) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  ASSERT_FALSE(this->write_all(*c.server, "early"));
  this->let_data_arrive();
  EXPECT_FALSE(c.client->shutdown(net::Shutdown::receive));
  EXPECT_EQ(this->read_some(*c.client, 100).second, "early");
  EXPECT_EQ(this->read_some(*c.client, 100, kAtOnceLimit).first, net::error::eof);
  ASSERT_FALSE(this->write_all(*c.server, "late"));
  this->let_data_arrive();
  auto [ec, got] = this->read_some(*c.client, 100, kAtOnceLimit);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(got, "late");
}

// Linux: close() with received data unread sends RST, also after shutdown(receive).
TYPED_TEST_P(LinuxSemanticsConformance, CloseAfterShutdownReceiveWithUnreadDataResets) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.server->shutdown(net::Shutdown::receive));
  ASSERT_FALSE(this->write_all(*c.client, "never read"));
  this->let_data_arrive();
  c.server->close();
  EXPECT_EQ(this->read_some(*c.client, 100).first, net::error::connection_reset);
}

// Linux: SYNs that find the accept queue (backlog + 1) full are dropped and the clients retry
// (after 1 s, then 3 s, ...); nothing is refused, so a burst far beyond the backlog gets through
// once the server accepts. Each connection then carries one byte each way.
TYPED_TEST_P(LinuxSemanticsConformance, BurstOfAThousandConnectsBeyondTheBacklogAllGetThrough) {
  constexpr int kConnects = 1000;
  // Two descriptors per connection on real sockets (both ends live in this process).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 2 * kConnects + 100) {
    files.rlim_cur = std::min<rlim_t>(files.rlim_max, 2 * kConnects + 100);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &files), 0);
    ASSERT_GE(files.rlim_cur, rlim_t{2 * kConnects + 100}) << "descriptor limit too low";
  }
  auto listener = this->listen(this->server(), this->server_at(0), 128);
  ASSERT_NE(listener, nullptr);
  const net::Endpoint at = this->server_at(listener->local_endpoint().port);

  std::vector<std::unique_ptr<net::TcpStream>> clients(kConnects), servers;
  std::vector<net::error_code> connect_errors(kConnects);
  int connected = 0;
  const auto start = this->client().now();
  for (int i = 0; i < kConnects; ++i) {
    this->client().async_connect(at, [&, i](net::error_code ec, std::unique_ptr<net::TcpStream> s) {
      connect_errors[i] = ec;
      clients[i] = std::move(s);
      ++connected;
    });
  }
  // Accept everything, echoing one byte on each accepted stream.
  std::vector<std::array<char, 1>> server_bytes(kConnects);
  int echoed = 0;
  std::function<void()> accept_next = [&] {
    listener->async_accept([&](net::error_code ec, std::unique_ptr<net::TcpStream> s) {
      if (ec) return;
      const std::size_t k = servers.size();
      servers.push_back(std::move(s));
      net::TcpStream& srv = *servers.back();
      asio::async_read(
          srv, asio::buffer(server_bytes[k]), [&, k](net::error_code rec, std::size_t) {
            if (rec) return;
            asio::async_write(*servers[k], asio::buffer(server_bytes[k]),
                              [&](net::error_code wec, std::size_t) { echoed += wec ? 0 : 1; });
          });
      if (static_cast<int>(servers.size()) < kConnects) accept_next();
    });
  };
  accept_next();
  ASSERT_TRUE(this->run_until([&] { return connected == kConnects; }, 120s))
      << connected << " of " << kConnects << " connects completed";
  for (int i = 0; i < kConnects; ++i)
    ASSERT_FALSE(connect_errors[i]) << i << ": " << connect_errors[i].message();

  std::vector<std::array<char, 1>> sent(kConnects), back(kConnects);
  int round_trips = 0;
  for (int i = 0; i < kConnects; ++i) {
    sent[i][0] = static_cast<char>(i);
    asio::async_write(*clients[i], asio::buffer(sent[i]), [](net::error_code, std::size_t) {});
    asio::async_read(*clients[i], asio::buffer(back[i]), [&, i](net::error_code ec, std::size_t) {
      if (!ec && back[i][0] == sent[i][0]) ++round_trips;
    });
  }
  ASSERT_TRUE(this->run_until([&] { return round_trips == kConnects; }, 120s))
      << round_trips << " of " << kConnects << " bytes came back; " << servers.size()
      << " accepted, " << echoed << " echoed";
  EXPECT_EQ(static_cast<int>(servers.size()), kConnects);
  this->RecordProperty("burst_ns", std::to_string((this->client().now() - start).count()));
}

// Linux with default buffers (tcp_wmem 4096 16384 4194304, tcp_rmem 4096 131072 33554432): a
// writer whose peer never reads queues about 3.7 MiB (measured on loopback in 64 KiB writes:
// 3,910,656 bytes) before it stalls: its send buffer grown to the 4 MiB maximum, less the
// kernel's bookkeeping, plus what the receiver's buffer took.
TYPED_TEST_P(LinuxSemanticsConformance, WriterToAPeerThatNeverReadsQueuesAboutFourMebibytes) {
  auto c = this->connect_pair();
  ASSERT_TRUE(c.ok());
  const std::size_t queued = this->fill_until_stalled(*c.client, 500ms, 64u << 20);
  this->RecordProperty("queued_bytes", std::to_string(queued));
  EXPECT_GE(queued, std::size_t{13} << 18) << queued << " bytes";  // 3.25 MiB
  EXPECT_LE(queued, std::size_t{17} << 18) << queued << " bytes";  // 4.25 MiB
}

// With SO_SNDBUF = SO_RCVBUF = 64 KiB (Linux doubles both to 128 KiB) a writer queues about
// a quarter MiB (measured on loopback in 64 KiB writes: 244,025 bytes) before it stalls.
TYPED_TEST_P(LinuxSemanticsConformance, WriterWithSmallBuffersQueuesAboutAQuarterMebibyte) {
  net::TcpOptions reader, writer;
  reader.receive_buffer = 64 * 1024;
  writer.send_buffer = 64 * 1024;
  auto c = this->connect_pair(reader, writer);
  ASSERT_TRUE(c.ok());
  const std::size_t queued = this->fill_until_stalled(*c.client, 500ms, 64u << 20);
  this->RecordProperty("queued_bytes", std::to_string(queued));
  EXPECT_GE(queued, std::size_t{192} << 10) << queued << " bytes";
  EXPECT_LE(queued, std::size_t{320} << 10) << queued << " bytes";
}

// Linux: a listener or UDP socket bound to 127.0.0.1:P and another to 127.0.0.2:P are separate
// sockets; each gets only what is addressed to its own address (all of 127/8 is loopback).
TYPED_TEST_P(LinuxSemanticsConformance, SamePortOnTwoLoopbackAddressesKeepsTrafficApart) {
  const auto one = asio::ip::make_address("127.0.0.1");
  const auto two = asio::ip::make_address("127.0.0.2");
  net::Network& host = this->server();
  auto first = this->listen(host, {one, 0});
  ASSERT_NE(first, nullptr);
  const std::uint16_t port = first->local_endpoint().port;
  auto second = this->listen(host, {two, port});
  ASSERT_NE(second, nullptr);
  AcceptDone on_one, on_two;
  first->async_accept(on_one.handler());
  second->async_accept(on_two.handler());
  ConnectDone to_two;
  host.async_connect({two, port}, to_two.handler());
  ASSERT_TRUE(this->run_until([&] { return on_two.done() && to_two.done(); }));
  ASSERT_FALSE(on_two.get<0>()) << on_two.get<0>().message();
  EXPECT_EQ(on_two.get<1>()->local_endpoint(), (net::Endpoint{two, port}));
  EXPECT_FALSE(on_one.done()) << "127.0.0.1's listener accepted a connection made to 127.0.0.2";
  ConnectDone to_one;
  host.async_connect({one, port}, to_one.handler());
  ASSERT_TRUE(this->run_until([&] { return on_one.done() && to_one.done(); }));
  ASSERT_FALSE(on_one.get<0>()) << on_one.get<0>().message();
  EXPECT_EQ(on_one.get<1>()->local_endpoint(), (net::Endpoint{one, port}));

  // UDP: a datagram to 127.0.0.2:P does not reach the socket on 127.0.0.1:P. The one sent after
  // it to 127.0.0.1:P is the first that socket receives.
  auto receiver = this->bind_udp(host, {one, 0});
  ASSERT_NE(receiver, nullptr);
  const std::uint16_t udp_port = receiver->local_endpoint().port;
  auto sender = this->bind_udp(host, {one, 0});
  ASSERT_NE(sender, nullptr);
  EXPECT_FALSE(this->send_to(*sender, "to two", {two, udp_port}).first);
  EXPECT_FALSE(this->send_to(*sender, "to one", {one, udp_port}).first);
  std::string buf(100, '\0');
  ReceiveDone got;
  receiver->async_receive_from(asio::buffer(buf), got.handler());
  ASSERT_TRUE(this->run_until([&] { return got.done(); }));
  ASSERT_FALSE(got.get<0>()) << got.get<0>().message();
  EXPECT_EQ(buf.substr(0, got.get<1>().bytes), "to one");
}

// Linux: a listener that never accepts holds backlog + 1 established connections; SYNs beyond
// that are dropped, so a connect waits. TcpOptions::connect_timeout ends that wait with
// timed_out after the timeout (measured: 1.00 s for a 1 s timeout with backlog 0 and 1), while a
// connect without one keeps retrying (about 127 s on Linux) until it is cancelled.
TYPED_TEST_P(LinuxSemanticsConformance, ConnectTimeoutEndsAHandshakeAFullListenerIgnores) {
  auto listener = this->listen(this->server(), this->server_at(0), 1);
  ASSERT_NE(listener, nullptr);
  const net::Endpoint at = this->server_at(listener->local_endpoint().port);
  net::Network& client = this->client();
  net::TcpOptions one_second, two_seconds;
  one_second.connect_timeout = 1s;
  two_seconds.connect_timeout = 2s;
  // Fill the accept queue: connect until a connect times out.
  std::vector<std::unique_ptr<net::TcpStream>> queued;
  net::error_code last;
  std::chrono::nanoseconds took{0};
  for (int i = 0; i < 8 && !last; ++i) {
    ConnectDone connected;
    const auto start = client.now();
    client.async_connect(at, one_second, connected.handler());
    ASSERT_TRUE(this->run_until([&] { return connected.done(); }));
    took = client.now() - start;
    last = connected.get<0>();
    if (!last) queued.push_back(std::move(connected.get<1>()));
  }
  this->RecordProperty("timed_out_after_ns", std::to_string(took.count()));
  ASSERT_EQ(last, net::error::timed_out);
  EXPECT_GE(queued.size(), 1u) << "the accept queue held no connection at all";
  EXPECT_LE(queued.size(), 3u) << "a backlog of 1 held more than backlog + 2 connections";
  // The network's own clock: the timeout is neither early nor the SYN retry budget (127 s on
  // Linux). The upper bound is generous for a loaded machine.
  EXPECT_GE(took, 900ms) << took.count() << " ns";
  EXPECT_LT(took, 5s) << took.count() << " ns";

  // Each connect ends at its own timeout; one without a timeout is still trying after both.
  ConnectDone short_wait, long_wait, no_timeout;
  std::chrono::nanoseconds short_end{0}, long_end{0};
  auto at_end = [&](ConnectDone& done, std::chrono::nanoseconds& end) {
    return [&, h = done.handler()](net::error_code ec, std::unique_ptr<net::TcpStream> s) mutable {
      end = client.now();
      h(ec, std::move(s));
    };
  };
  asio::cancellation_signal cancel_no_timeout;
  const auto start = client.now();
  client.async_connect(at, one_second, at_end(short_wait, short_end));
  client.async_connect(at, two_seconds, at_end(long_wait, long_end));
  client.async_connect(
      at, asio::bind_cancellation_slot(cancel_no_timeout.slot(), no_timeout.handler()));
  ASSERT_TRUE(this->run_until([&] { return short_wait.done(); }));
  EXPECT_EQ(short_wait.get<0>(), net::error::timed_out);
  EXPECT_FALSE(long_wait.done()) << "the 2 s connect ended with the 1 s one";
  ASSERT_TRUE(this->run_until([&] { return long_wait.done(); }));
  EXPECT_EQ(long_wait.get<0>(), net::error::timed_out);
  EXPECT_GE(long_end - start, 1900ms) << (long_end - start).count() << " ns";
  EXPECT_GE(long_end - short_end, 500ms)
      << "the 1 s and 2 s timeouts ended " << (long_end - short_end).count() << " ns apart";
  EXPECT_FALSE(no_timeout.done()) << "a connect without a timeout gave up within 2 s";
  cancel_no_timeout.emit(asio::cancellation_type::terminal);
  ASSERT_TRUE(this->run_until([&] { return no_timeout.done(); }));
  EXPECT_EQ(no_timeout.get<0>(), net::error::operation_aborted);
}

// Linux: ephemeral ports come from net.ipv4.ip_local_port_range, 32768..60999 by default.
TYPED_TEST_P(LinuxSemanticsConformance, EphemeralPortsLieInLinuxDefaultRange) {
  auto listener = this->listen();
  ASSERT_NE(listener, nullptr);
  EXPECT_GE(listener->local_endpoint().port, 32768);
  EXPECT_LE(listener->local_endpoint().port, 60999);
  const net::Endpoint at = this->server_at(listener->local_endpoint().port);
  for (int i = 0; i < 10; ++i) {
    ConnectDone connected;
    this->client().async_connect(at, connected.handler());
    ASSERT_TRUE(this->run_until([&] { return connected.done(); }));
    ASSERT_FALSE(connected.get<0>()) << connected.get<0>().message();
    const std::uint16_t port = connected.get<1>()->local_endpoint().port;
    EXPECT_GE(port, 32768) << "connect " << i;
    EXPECT_LE(port, 60999) << "connect " << i;
  }
}

REGISTER_TYPED_TEST_SUITE_P(LinuxSemanticsConformance, EveryReadAfterEofIsEofAtOnce,
                            WritesAfterAResetReportItOnceThenBrokenPipe,
                            ReadsAfterAResetReportItOnceThenEof,
                            WriteAfterThePeerClosedSucceedsOnceThenBrokenPipe,
                            ShutdownReceiveStillDeliversQueuedAndLaterData,
                            CloseAfterShutdownReceiveWithUnreadDataResets,
                            BurstOfAThousandConnectsBeyondTheBacklogAllGetThrough,
                            WriterToAPeerThatNeverReadsQueuesAboutFourMebibytes,
                            WriterWithSmallBuffersQueuesAboutAQuarterMebibyte,
                            SamePortOnTwoLoopbackAddressesKeepsTrafficApart,
                            ConnectTimeoutEndsAHandshakeAFullListenerIgnores,
                            EphemeralPortsLieInLinuxDefaultRange);

}  // namespace simsock::conformance
