// The simulator's unit of work: net::detail::Task (a move-only `void()` callable with inline
// storage), used by the agenda and the loop.
#pragma once

#include <simsock/net/detail/task.hpp>

namespace simsock::sim {
using Task = net::detail::Task;
}  // namespace simsock::sim
