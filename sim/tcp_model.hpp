// The app-facing TCP objects of the simulator: streams, listeners and connect. The protocol
// itself is in tcp_end.{hpp,cpp}; what it simplifies is written there.
#pragma once

#include <algorithm>
#include <deque>
#include <memory>

#include <simsock/net/network.hpp>
#include <simsock/sim/host.hpp>
#include <simsock/sim/tcp_end.hpp>

namespace simsock::sim {

class SimTcpStream final : public net::TcpStream {
 public:
  SimTcpStream(SimNetwork& net, TcpEnd& end);
  ~SimTcpStream() override;

  executor_type get_executor() override { return net_.get_executor(); }
  net::error_code shutdown(net::Shutdown what) override;
  void close() override;
  void abort() override;
  void cancel() override;
  bool is_open() const override { return !closed_; }
  net::Endpoint local_endpoint() const override { return local_; }
  net::Endpoint remote_endpoint() const override { return remote_; }

  // The end vanished (host crash): operations now fail with bad_descriptor.
  void end_gone() { end_ = nullptr; }

 private:
  using AnyHandler = asio::any_completion_handler<void(net::error_code, std::size_t)>;
  using Handler = net::detail::QueueCompletion<void(net::error_code, std::size_t)>;
  void read_some_impl(asio::mutable_buffer buffer, AnyHandler h) override;
  void write_some_impl(asio::const_buffer buffer, AnyHandler h) override;
  void read_some_queued(asio::mutable_buffer buffer, Handler&& h) override;
  void write_some_queued(asio::const_buffer buffer, Handler&& h) override;

  SimNetwork& net_;
  TcpEnd* end_;
  net::Endpoint local_, remote_;
  bool closed_ = false;
};

class SimTcpListener final : public net::TcpListener, public SimObject {
 public:
  // `backlog` as listen(2) takes it: capped at net.core.somaxconn (4096); the accept queue holds
  // backlog + 1 established connections.
  SimTcpListener(SimNetwork& net, const net::Endpoint& local, int backlog)
      : SimObject(net), local_(local), backlog_(std::clamp(backlog, 0, 4096)) {}
  ~SimTcpListener() override;

  executor_type get_executor() override { return home().get_executor(); }
  net::Endpoint local_endpoint() const override { return local_; }
  void close() override;
  void cancel() override;
  void vanish(std::vector<Task>& grave, Vanish how) override;

  void set_local(const net::Endpoint& e) { local_ = e; }
  // A SYN arrived for this listener.
  void on_syn(const TcpPacket& p);
  // A half-open connection completed its handshake: queue it for accept.
  void on_established(TcpEnd& end);
  void forget(TcpEnd& end);
  // True when established connections fill the accept queue (Linux's sk_acceptq_is_full): new
  // SYNs and handshake-completing ACKs are then dropped, and the peers retry.
  bool accept_queue_full() const { return static_cast<int>(ready_.size()) > backlog_; }
  // The buffer sizes its accepted connections get (net::TcpOptions, as kernel_buffer() turns
  // them into the kernel's figures; 0: the path's defaults).
  void set_buffers(const net::TcpOptions& options);

 private:
  using Handler =
      asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)>;
  void accept_impl(Handler h) override;
  void hand_over();

  net::Endpoint local_;
  int backlog_;
  std::size_t send_buffer_ = 0, receive_buffer_ = 0;
  bool closed_ = false;
  std::vector<EndRef> half_open_;
  std::deque<EndRef> ready_;
  std::optional<Handler> acceptor_;
};

// `options` (buffers for accepted streams; connect timeout) are not modelled yet.
// A buffer size asked for with setsockopt(SO_SNDBUF / SO_RCVBUF) as Linux keeps it: doubled (room
// for its bookkeeping), at least 4,608 bytes; 0 stays 0 (the default).
std::size_t kernel_buffer(std::size_t requested);

std::unique_ptr<net::TcpListener> make_tcp_listener(SimNetwork& net, const net::Endpoint& at,
                                                    int backlog, const net::TcpOptions& options,
                                                    net::error_code& ec);
void tcp_connect(
    SimNetwork& net, const net::Endpoint& to, const net::TcpOptions& options,
    asio::any_completion_handler<void(net::error_code, std::unique_ptr<net::TcpStream>)> h);

}  // namespace simsock::sim
