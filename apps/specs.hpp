// Declarations of every app's spec function (one per app file). Internal to apps/.
#pragma once

#include "apps/app.hpp"

namespace simsock::apps {
#define SIMSOCK_APP(fn) AppSpec fn();
#include "apps/app_list.inc"
#undef SIMSOCK_APP
}  // namespace simsock::apps
