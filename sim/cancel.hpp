// Per-operation cancellation (asio cancellation slots) for the simulator's pending operations:
// awaitable operators (`a || b`), asio::cancel_after and bind_cancellation_slot all work through
// it. A stored handler is watched while it waits and unwatched before it is taken out.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <optional>
#include <utility>

namespace simsock::sim {

// Calls `on_cancel()` when the handler's slot is emitted (any cancellation type).
template <typename Handler, typename F>
void watch_cancel(Handler& h, F on_cancel) {
  auto slot = boost::asio::get_associated_cancellation_slot(h);
  if (!slot.is_connected()) return;
  slot.assign([f = std::move(on_cancel)](boost::asio::cancellation_type t) mutable {
    if (t != boost::asio::cancellation_type::none) f();
  });
}

// Removes what watch_cancel installed (call before completing or destroying the handler).
template <typename Handler>
void unwatch_cancel(Handler& h) {
  auto slot = boost::asio::get_associated_cancellation_slot(h);
  if (slot.is_connected()) slot.clear();
}

// Takes a stored handler out of `slot` (which must hold one), unwatched.
template <typename Handler>
Handler take(std::optional<Handler>& slot) {
  unwatch_cancel(*slot);
  Handler h = std::move(*slot);
  slot.reset();
  return h;
}

}  // namespace simsock::sim
