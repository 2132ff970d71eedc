#include <simsock/tools/app_process.hpp>

namespace simsock::cli {
namespace {

// Standard streams backed by a simulated process's captured strings.
class CapturedStdio final : public apps::Stdio {
 public:
  explicit CapturedStdio(sim::ProcessIo& io) : io_(io) {}
  void out(std::string_view text) override { io_.out.append(text); }
  void err(std::string_view text) override { io_.err.append(text); }
  std::optional<std::string> read_line() override {
    if (io_.in_pos >= io_.in.size()) return std::nullopt;
    auto nl = io_.in.find('\n', io_.in_pos);
    std::size_t end = nl == std::string::npos ? io_.in.size() : nl;
    std::string line = io_.in.substr(io_.in_pos, end - io_.in_pos);
    io_.in_pos = nl == std::string::npos ? io_.in.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

 private:
  sim::ProcessIo& io_;
};

// Parameters by value: the coroutine frame owns them for the process's whole life.
boost::asio::awaitable<int> run_app(const apps::AppSpec* app, apps::Options options,
                                    net::Network& net, sim::ProcessIo& io) {
  CapturedStdio stdio(io);
  apps::AppContext ctx{net, options, stdio};
  co_return co_await app->main(ctx);
}

}  // namespace

sim::ProcessBody make_app_process(const apps::AppSpec& app, apps::Options options) {
  return [app = &app, options = std::move(options)](net::Network& net, sim::ProcessIo& io) {
    return run_app(app, options, net, io);
  };
}

}  // namespace simsock::cli
