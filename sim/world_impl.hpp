// World::Impl: the state every model shares. Internal to sim/.
#pragma once

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include <simsock/sim/byte_ring.hpp>
#include <simsock/sim/cancel.hpp>
#include <simsock/sim/event_queue.hpp>
#include <simsock/sim/host.hpp>
#include <simsock/sim/loop.hpp>
#include <simsock/sim/path.hpp>
#include <simsock/sim/perturb.hpp>
#include <simsock/sim/rng.hpp>
#include <simsock/sim/trace.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::sim {

class TcpEnd;

// A reference to a connection end that survives the end's destruction (then it resolves to null).
struct EndRef {
  std::uint32_t id = UINT32_MAX;
  std::uint32_t gen = 0;
  explicit operator bool() const { return gen != 0; }
};

struct ProcessRecord {
  std::string name, host, app;
  ProcessBody body;
  std::string stdin_text;
  Duration start{0};
  ProcessState state = ProcessState::running;
  bool started = false;
  std::optional<int> exit_code;
  std::string failure;
  std::unique_ptr<ProcessIo> io;
  std::uint32_t incarnation = 0;
  SimNetwork* network = nullptr;  // of the running incarnation
};

class World::Impl {
 public:
  explicit Impl(std::uint64_t seed);
  ~Impl();

  // ---- time and events
  std::int64_t now() const { return now_; }
  // `chain`: the stream the event belongs to, whose order perturbation keeps (EventChain).
  EventId at(std::int64_t t, Task task, const void* owner = nullptr, EventChain* chain = nullptr) {
    if (ending_) return {};
    return queue_.push(t < now_ ? now_ : t, std::move(task), owner, chain);
  }
  void cancel(EventId id) { queue_.cancel(id); }
  // True while the scheduler runs handlers (as opposed to the loop running an agenda event).
  bool in_poll() const { return sched_.running_in_this_thread(); }
  LoopExecutor<false> executor() { return sched_.get_executor(); }
  bool ending() const { return ending_; }

  // Delivers a completion: `h(args...)` through h's associated executor, never inside the call
  // that started the operation: the call is queued on the scheduler and runs after every handler
  // already queued, before the next agenda event. A handler whose associated executor is this
  // world's (the default, and every coroutine spawned on a simulated Network) is called straight
  // from the queue, which is what dispatching to it would do; any other executor (a strand, a
  // user's io_context) gets the call through asio::dispatch. A host crash runs as an agenda
  // event, after the queue has drained, so queued completions need no owner to be found by.
  template <typename Handler, typename... Args>
  requires(!net::detail::is_queue_completion<Handler>) void complete(Handler h, Args... args) {
    if (ending_) return;  // the world is being destroyed: the handler dies with its frame
    auto ex = asio::get_associated_executor(h, sched_.get_executor());
    if (is_own(ex)) {
      ready([h = std::move(h), ... args = std::move(args)]() mutable {
        std::move(h)(std::move(args)...);
      });
    } else {
      ready([ex, h = std::move(h), ... args = std::move(args)]() mutable {
        asio::dispatch(ex, asio::append(std::move(h), std::move(args)...));
      });
    }
  }

  // The same for a handler already in the form the network interface hands over for handlers on
  // a queue (net::detail::QueueCompletion, made by adopt()): it runs straight from the queue.
  // It is built in its slot of the loop's queue: the handler is moved once, from `h`.
  template <typename... Args>
  void complete(net::detail::QueueCompletion<void(Args...)>&& h,
                std::type_identity_t<Args>... args) {
    if (ending_) return;
    using Call = QueuedCall<Args...>;
    static_assert(Task::fits_inline<Call>, "a queued completion must not allocate");
    if (max_delay_ != 0) return delay(Task(Call(std::move(h), std::move(args)...)));
    sched_.emplace<Call>(std::move(h), std::move(args)...);
  }

  // complete() for the handler a model stored in `slot` (which must hold one): unwatched, moved
  // straight from the slot into its queue entry (take() and then complete() move it twice), and
  // the slot left empty.
  template <typename... Args>
  void complete_stored(std::optional<net::detail::QueueCompletion<void(Args...)>>& slot,
                       std::type_identity_t<Args>... args) {
    unwatch_cancel(*slot);
    complete(std::move(*slot), std::move(args)...);
    slot.reset();
  }

  // A handler in the form the models store and complete: one that runs from this world's loop
  // as it is; any other (another queue's, a strand's, a user's io_context's) wrapped so that it
  // runs through its own executor (asio::dispatch), as complete() does for a generic handler.
  // The first form converts `h` in place.
  template <typename... Args>
  void adopt(net::detail::QueueCompletion<void(Args...)>& h) {
    if (&h.queue() != static_cast<net::HandlerQueue*>(&sched_)) {
      h = adopt(asio::any_completion_handler<void(Args...)>(std::move(h)));
    }
  }
  template <typename... Args>
  net::detail::QueueCompletion<void(Args...)> adopt(asio::any_completion_handler<void(Args...)> h) {
    auto slot = h.get_cancellation_slot();
    auto ex = asio::get_associated_executor(h, sched_.get_executor());
    if (is_own(ex)) return net::detail::QueueCompletion<void(Args...)>(std::move(h), sched_, slot);
    struct Dispatch {
      asio::any_completion_handler<void(Args...)> h;
      void operator()(Args... args) && {
        auto ex = asio::get_associated_executor(h);
        asio::dispatch(ex, asio::append(std::move(h), std::move(args)...));
      }
    };
    return net::detail::QueueCompletion<void(Args...)>(Dispatch{std::move(h)}, sched_, slot);
  }

  // ---- schedule perturbation (sim/perturb.hpp)
  void set_perturb(const PerturbOptions& options);
  const PerturbOptions& perturb() const { return perturb_; }
  // Runs every completion still delayed by the perturbation (before a crash or a kill).
  void flush_delayed();

  bool step();
  void run_until(std::int64_t limit, const std::function<bool()>* done = nullptr);

  // ---- hosts and paths
  HostImpl* host_by_address(const IpAddress& a);
  HostImpl* find_host(std::string_view name);
  Path& path(HostImpl& from, HostImpl& to);
  LinkConfig configured_link(const std::string& from, const std::string& to) const;
  // The host that receives traffic sent by `from` to `dst` (loopback included), or null.
  HostImpl* route(HostImpl& from, const IpAddress& dst);

  // ---- connection ends
  EndRef add_end(std::unique_ptr<TcpEnd> end);
  TcpEnd* end(EndRef r) const;
  void free_end(EndRef r);

  // ---- bytes of gone senders, lingering ends
  // Keeps a gone sender's send buffer (its front at stream offset `una`) until its last segment
  // has arrived at `until`: bytes on the wire survive their sender.
  void keep_sent_bytes(EndRef sender, ByteRing&& bytes, std::uint64_t una, std::int64_t until);
  // The send buffer of `sender`, live or kept, or null; `una` receives its front's offset.
  const ByteRing* sent_bytes(EndRef sender, std::uint64_t& una) const;
  // `end` lingers (TIME_WAIT, an orphan's FIN_WAIT2) until `t`; TcpEnd::expire() is called once
  // that time has passed, the next time connections are made (expiry needs no agenda event, so a
  // lingering end never keeps run() going).
  void linger(EndRef end, std::int64_t t);
  void expire_lingering();

  // ---- observation
  void trace(const RawEvent& e) { tracer_.emit(now_, e); }
  bool packet_sinks() const { return !packet_sinks_.empty(); }
  void packet(const PacketRecord& p) {
    for (auto* s : packet_sinks_) s->on_packet(p);
  }
  void passage(const PacketPassage& d) {
    for (auto* s : packet_sinks_) s->on_passage(d);
  }

  // ---- faults and processes
  void apply(const FaultAction& f);
  void start_process(std::size_t index);
  // Process bookkeeping when a host goes down or comes back (HostImpl::do_crash/do_restart).
  void host_crashed(HostImpl& h);
  void host_restarted(HostImpl& h);
  // The `kill` fault: the named process's running incarnation dies; the kernel closes its sockets
  // (FIN, or RST where data was unread) and its pending handlers are destroyed, never called.
  // std::invalid_argument for an unknown process.
  void kill_process(const std::string& name);
  template <typename Pred>
  void take_owned(Pred pred, std::vector<Task>& grave) {
    queue_.take_owned(pred, grave);
  }

  std::uint64_t seed_;
  std::chrono::system_clock::time_point start_time_;
  Counters counters_;
  Tracer tracer_;
  std::vector<PacketSink*> packet_sinks_;
  Stats stats_cache_;
  std::uint64_t events_ = 0;
  std::uint64_t max_events_per_instant_ = 10'000'000;

  std::vector<std::unique_ptr<HostImpl>> hosts_;
  std::map<std::string, HostImpl*, std::less<>> hosts_by_name_;
  std::map<std::uint32_t, HostImpl*> hosts_by_v4_;
  std::map<IpAddress, HostImpl*> hosts_by_v6_;
  LinkConfig default_link_;
  std::map<std::pair<std::string, std::string>, LinkConfig> links_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::unique_ptr<Path>> paths_;
  std::vector<ProcessRecord> processes_;

 private:
  // A completion and its results, as the loop's queue holds it until it runs.
  template <typename... Args>
  struct QueuedCall {
    QueuedCall(net::detail::QueueCompletion<void(Args...)>&& h, Args&&... a)
        : handler(std::move(h)), args(std::move(a)...) {}
    void operator()() {
      std::apply([this](Args&... a) { std::move(handler)(std::move(a)...); }, args);
    }
    net::detail::QueueCompletion<void(Args...)> handler;
    std::tuple<Args...> args;
  };

  // Queues a completion on the scheduler, or (perturbation with a delay) on the delayed agenda.
  // Takes the callable itself, so the Task is built where it is stored (a Task moved once more
  // costs a measurable share of a completion).
  template <typename F>
  void ready(F&& fn) {
    if (max_delay_ != 0) return delay(Task(std::forward<F>(fn)));
    sched_.post(Task(std::forward<F>(fn)));
  }
  void delay(Task t);
  // Moves the delayed completions due at `t` or earlier onto the scheduler; true if any was.
  bool release_delayed(std::int64_t t);
  static std::uint64_t pick_ready(void* rng, std::uint64_t n) {
    return static_cast<Rng*>(rng)->below(n);
  }

  // Throws Stalled when too many events ran at the current instant. Inline: it runs after every
  // agenda event and every batch of handlers.
  void check_progress() {
    if (now_ != instant_) {
      instant_ = now_;
      instant_first_event_ = events_;
      return;
    }
    const std::uint64_t n = events_ - instant_first_event_;
    if (max_events_per_instant_ != 0 && n > max_events_per_instant_) stalled();
  }
  [[noreturn]] void stalled();
  // Runs the ready handlers (a bounded number at a time, so the guard sees handlers that queue
  // themselves forever).
  void poll_handlers();

  std::int64_t now_ = 0;
  std::int64_t instant_ = -1;              // the instant the count below started at
  std::uint64_t instant_first_event_ = 0;  // events_ when the clock reached instant_
  EventQueue queue_;
  PerturbOptions perturb_;
  std::int64_t max_delay_ = 0;  // perturb_.max_delay in ns, 0 when off
  Rng order_rng_, delay_rng_;
  EventQueue delayed_;  // perturbed completions, by the time they become ready
  // Whether a handler's associated executor (as any_completion_handler reports it: a type-erased
  // any_completion_executor) is this world's loop. Compares type_info addresses, not target<T>()
  // alone, which compares type names with strcmp on every mismatch.
  template <bool Never>
  bool targets_loop(const asio::any_completion_executor& ex) const {
    if (&ex.target_type() != &typeid(LoopExecutor<Never>)) return false;
    return &static_cast<const LoopExecutor<Never>*>(ex.target<void>())->queue() == &sched_;
  }
  bool is_own(const asio::any_completion_executor& ex) const {
    return targets_loop<false>(ex) || targets_loop<true>(ex);
  }

  Loop sched_;
  bool ending_ = false;
  struct EndSlot {
    std::unique_ptr<TcpEnd> end;
    std::uint32_t gen = 1;
  };
  std::vector<EndSlot> ends_;
  std::vector<std::uint32_t> free_ends_;
  struct SentBytes {
    ByteRing bytes;
    std::uint64_t una = 0;
    std::int64_t until = 0;
  };
  static std::uint64_t key(EndRef r) { return (std::uint64_t{r.id} << 32) | r.gen; }
  std::map<std::uint64_t, SentBytes> sent_bytes_;
  std::multimap<std::int64_t, std::uint64_t> sent_bytes_expiry_;
  std::multimap<std::int64_t, EndRef> lingering_;
};

inline World::Impl& world_of(World& w) {
  return w.impl();
}

}  // namespace simsock::sim
