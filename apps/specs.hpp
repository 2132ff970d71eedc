// Declarations of every app's spec function (one per app file). Internal to apps/.
#pragma once

#include <simsock/apps/app.hpp>

namespace simsock::apps {
#define SIMSOCK_APP(fn) AppSpec fn();
#include <simsock/apps/app_list.inc>
#undef SIMSOCK_APP
}  // namespace simsock::apps
