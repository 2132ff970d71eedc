// The worked example's apps (docs/your-apps.md): the upper-case server and a client that checks
// its replies, declared as simsock apps so that scenario files, sweeps and `upper-sim app` can run
// them like the built-in ones.
#pragma once

#include <simsock/apps/app.hpp>

namespace upper {

// upper-server --listen IP:PORT --framing one_read|until_line: serves until stopped.
simsock::apps::AppSpec server_app();
// upper-client --connect HOST:PORT --line TEXT...: sends each line, expects it back in upper
// case; exit 0 when every reply matches, 1 otherwise (the mismatch on stderr).
simsock::apps::AppSpec client_app();

}  // namespace upper
