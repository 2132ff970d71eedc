// Runs an app (apps/) as a simulated process (sim/): the bridge between the app declarations and
// the world. Used by the scenario runner and the testing kit.
#pragma once

#include <simsock/apps/app.hpp>
#include <simsock/sim/world.hpp>

namespace simsock::cli {

// A process body that runs `app` with `options` on the process's host network, with standard
// input and output captured in the process's ProcessIo. `app` must outlive the world.
sim::ProcessBody make_app_process(const apps::AppSpec& app, apps::Options options);

}  // namespace simsock::cli
