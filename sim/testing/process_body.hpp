// The kit's process bodies for Sim::spawn, private to sim/testing (its .cpp files include it):
// callback code and coroutines with captured standard streams, as the world's sim::ProcessBody.
#pragma once

#include <simsock/sim/testing/process.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::test::detail {

// Runs `callback` once per start of the process; the process ends with 0 when no operation the
// callback started is pending, or with the status given to Process::exit.
sim::ProcessBody callback_body(ProcessCallback callback);

// Runs `body` with the process's captured streams; its result is the exit status.
sim::ProcessBody stdio_body(StdioCoroutine body);

}  // namespace simsock::test::detail
