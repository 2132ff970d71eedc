#include <simsock/tools/proxy/proxy_trace.hpp>

namespace simsock::proxy {

Trace::Trace(sim::TraceSink* sink) : sink_(sink), start_(std::chrono::steady_clock::now()) {}

std::int64_t Trace::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start_)
      .count();
}

void Trace::emit(std::string_view kind, const std::string& src, const std::string& dst,
                 std::int64_t len, std::int64_t seq, std::string_view reason, std::string detail) {
  if (!sink_) return;
  sim::TraceEvent e;
  e.t = now();
  e.kind = kind;
  e.src = src;
  e.dst = dst;
  e.len = len;
  e.seq = seq;
  e.reason = reason;
  e.detail = std::move(detail);
  sink_->on_event(e);
}

}  // namespace simsock::proxy
