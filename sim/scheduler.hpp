// The world's handler queue: net::Loop (net/loop.hpp) under the simulator's names.
#pragma once

#include "net/loop.hpp"

namespace simsock::sim {
using Scheduler = net::Loop;
template <bool Never>
using Executor = net::LoopExecutor<Never>;
}  // namespace simsock::sim
