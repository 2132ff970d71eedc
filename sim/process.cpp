// Processes: a body co_spawned on the world's scheduler with its own Network for its host,
// restarted from scratch (stdin rewound, output kept and appended to) when its host restarts.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <exception>

#include <simsock/sim/world_impl.hpp>

namespace simsock::sim {

void World::spawn(const std::string& name, const std::string& host, const std::string& app,
                  ProcessBody body, std::string stdin_text, Duration start) {
  auto& w = *impl_;
  if (!w.find_host(host)) throw std::invalid_argument("no host named '" + host + "'");
  if (!body) throw std::invalid_argument("process '" + name + "' has no body");
  ProcessRecord p;
  p.name = name;
  p.host = host;
  p.app = app;
  p.body = std::move(body);
  p.stdin_text = std::move(stdin_text);
  p.start = start;
  p.io = std::make_unique<ProcessIo>();
  w.processes_.push_back(std::move(p));
  std::size_t index = w.processes_.size() - 1;
  w.at(start.count(), Task([&w, index] { w.start_process(index); }));
}

std::vector<ProcessResult> World::processes() const {
  std::vector<ProcessResult> out;
  for (const auto& p : impl_->processes_) {
    ProcessResult r;
    r.name = p.name;
    r.host = p.host;
    r.app = p.app;
    r.state = p.state;
    r.exit_code = p.exit_code;
    r.out = p.io->out;
    r.err = p.io->err;
    r.failure = p.failure;
    out.push_back(std::move(r));
  }
  return out;
}

namespace {
void trace_process(World::Impl& w, TraceKind kind, const ProcessRecord& p, std::string_view what) {
  std::string detail = p.name + " " + std::string(what);
  w.trace(RawEvent{kind, nullptr, nullptr, -1, -1, {}, detail});
}
}  // namespace

void World::Impl::start_process(std::size_t index) {
  auto& p = processes_[index];
  HostImpl& host = *find_host(p.host);
  p.started = true;
  if (!host.up()) {
    p.state = ProcessState::crashed;
    return;
  }
  p.state = ProcessState::running;
  p.exit_code.reset();
  p.failure.clear();
  std::uint32_t incarnation = ++p.incarnation;
  p.io->in = p.stdin_text;
  p.io->in_pos = 0;
  ++counters_.processes_started;
  trace_process(*this, "process.start", p, "on " + p.host + " (" + p.app + ")");
  SimNetwork& net = host.new_process_network();
  p.network = &net;
  auto finish = [this, index, incarnation](std::exception_ptr e, int code) {
    auto& q = processes_[index];
    if (q.incarnation != incarnation || q.state != ProcessState::running) return;
    if (e) {
      q.state = ProcessState::failed;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        q.failure = ex.what();
      } catch (...) {
        q.failure = "unknown exception";
      }
      trace_process(*this, "process.exit", q, "failed: " + q.failure);
    } else {
      q.state = ProcessState::exited;
      q.exit_code = code;
      trace_process(*this, "process.exit", q, "exit " + std::to_string(code));
    }
  };
  try {
    asio::co_spawn(executor(), p.body(net, *p.io), std::move(finish));
  } catch (const std::exception& ex) {
    p.state = ProcessState::failed;
    p.failure = ex.what();
    trace_process(*this, "process.exit", p, "failed: " + p.failure);
  }
}

void World::Impl::host_crashed(HostImpl& h) {
  for (auto& p : processes_) {
    if (p.host != h.name() || !p.started || p.state != ProcessState::running) continue;
    p.state = ProcessState::crashed;
    trace_process(*this, "process.exit", p, "crashed");
  }
}

void World::Impl::kill_process(const std::string& name) {
  auto it = std::find_if(processes_.begin(), processes_.end(),
                         [&](const ProcessRecord& p) { return p.name == name; });
  if (it == processes_.end()) throw std::invalid_argument("no process named '" + name + "'");
  ProcessRecord& p = *it;
  if (!p.started || p.state != ProcessState::running || !p.network) return;
  std::vector<Task> grave;
  SimNetwork& net = *p.network;
  net.vanish_all(grave, Vanish::kill);
  net.set_dead(true);
  take_owned([&net](const void* owner) { return owner == &net; }, grave);
  p.state = ProcessState::killed;
  p.network = nullptr;
  ++p.incarnation;  // the coroutine's completion (if any) no longer counts
  trace_process(*this, "process.exit", p, "killed");
  grave.clear();
}

void World::Impl::host_restarted(HostImpl& h) {
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    auto& p = processes_[i];
    if (p.host == h.name() && p.started) start_process(i);
  }
}

}  // namespace simsock::sim
