// Exploring in the GoogleTest kit: random fault plans, schedule perturbation and shrinking, as
// `chaos:`, `perturb:` and `simsock shrink` do for scenario files (docs/exploring.md).
//
//   TEST(Echo, SurvivesRandomPartitions) {
//     simsock::test::for_each_seed([](std::uint64_t seed) {
//       simsock::test::Sim sim(seed);
//       sim.world().set_perturb({.order = true});   // before anything is scheduled
//       sim.add_host("server");
//       sim.add_host("client");
//       sim.start_app(...);
//       auto plan = simsock::test::add_chaos(
//           sim, "{partition: {rate: 1/s, duration: {min: 10ms, max: 1s}}, quiet: 2s}", 10s);
//       sim.run_for(10s);
//       EXPECT_EQ(sim.process("cli").exit_code, 0) << simsock::test::describe(plan);
//     }, 100);
//   }
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simsock/apps/app.hpp>
#include <simsock/sim/testing/simsock_test.hpp>
#include <simsock/tools/scenario/chaos.hpp>
#include <simsock/tools/scenario/shrink.hpp>

namespace simsock::test {

// Draws a chaos plan for `sim`'s seed from `yaml` (a scenario's `chaos:` section, checked by the
// scenario loader with its messages) over a run of `duration` from t = 0, over the hosts and
// processes `sim` has now, and schedules its faults. Link changes are undone to the links as
// they are set now. Returns the plan. std::invalid_argument for a bad section.
scenario::ChaosPlan add_chaos(Sim& sim, std::string_view yaml, sim::Duration duration);

// The plan, one fault per line, for failure messages.
std::string describe(const scenario::ChaosPlan& plan);

// Shrinks the failing run of the scenario file `path` (with its own seed, or `seed`) and writes
// the result to `out`, which then replays the failure with `simsock run OUT` (or, for a file
// naming the user's apps, with the user's own command: `COMMAND run OUT`). `catalog` is the set
// of apps the file may name, as for run_scenario_file (for a user's apps:
// apps::with_builtin_apps(own)); the written file names the same apps. Returns the search's
// result (result.failed is false, and nothing is written, when the run passes). Throws
// scenario::ScenarioError for an invalid file, std::runtime_error when `out` cannot be written.
scenario::ShrinkResult shrink_file(const std::string& path, const std::string& out,
                                   std::optional<std::uint64_t> seed = std::nullopt,
                                   std::chrono::milliseconds budget = std::chrono::seconds(60),
                                   const std::vector<apps::AppSpec>& catalog = apps::all_apps());

}  // namespace simsock::test
