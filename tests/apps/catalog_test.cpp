// Users' apps beside the built-in ones: the catalog's checks, the kit's start_app and
// run_scenario_file with a catalog, and cli::main refusing a bad declaration.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <simsock/apps/app.hpp>
#include <simsock/sim/testing/simsock_test.hpp>
#include <simsock/tools/cli.hpp>
#include <simsock/tools/scenario/loader.hpp>
#include <simsock/tools/scenario/report.hpp>

namespace {

namespace apps = simsock::apps;
namespace asio = boost::asio;

asio::awaitable<int> say_hi(apps::AppContext& ctx) {
  ctx.io.out("hi " + ctx.options.text("who") + "\n");
  co_return 0;
}

apps::AppSpec hi_app() {
  return {.name = "say-hi",
          .summary = "prints a greeting",
          .options = {{.name = "who", .help = "whom to greet", .default_value = "you"}},
          .main = say_hi};
}

std::string refusal(apps::AppSpec a) {
  try {
    apps::with_builtin_apps({std::move(a)});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(AppCatalog, HoldsTheBuiltInAppsAndTheUsersSortedByName) {
  auto catalog = apps::with_builtin_apps({hi_app()});
  EXPECT_EQ(catalog.size(), apps::all_apps().size() + 1);
  EXPECT_NE(apps::find_app(catalog, "say-hi"), nullptr);
  EXPECT_NE(apps::find_app(catalog, "tcp-ts-server"), nullptr);
  EXPECT_EQ(apps::find_app(apps::all_apps(), "say-hi"), nullptr);
  EXPECT_TRUE(std::is_sorted(catalog.begin(), catalog.end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST(AppCatalog, RefusesTakenNamesMissingBodiesAndMalformedOptions) {
  auto taken = hi_app();
  taken.name = "tcp-ts-server";
  EXPECT_EQ(refusal(taken), "app 'tcp-ts-server': the name is already taken");
  auto no_main = hi_app();
  no_main.main = nullptr;
  EXPECT_EQ(refusal(no_main), "app 'say-hi' has no main");
  auto bad_name = hi_app();
  bad_name.name = "say hi";
  EXPECT_NE(refusal(bad_name).find("names use letters"), std::string::npos);
  auto twice = hi_app();
  twice.options.push_back(twice.options.front());
  EXPECT_EQ(refusal(twice), "app 'say-hi': option --who is declared twice");
  auto bad_default = hi_app();
  bad_default.options.push_back(
      {.name = "wait", .type = apps::OptionType::duration, .default_value = "soon"});
  EXPECT_NE(refusal(bad_default).find("default of --wait"), std::string::npos);
  EXPECT_THROW(apps::with_builtin_apps({hi_app(), hi_app()}), std::invalid_argument);
}

TEST(AppCatalog, KitStartsAUsersAppByNameOnceGivenAndDirectly) {
  simsock::test::Sim sim(3);
  sim.add_host("a");
  EXPECT_THROW(sim.start_app("p0", "a", "say-hi"), std::invalid_argument);
  sim.use_apps({hi_app()});
  sim.start_app("p1", "a", "say-hi", {{"who", "there"}});
  sim.start_app("p2", "a", hi_app());
  EXPECT_THROW(sim.start_app("p3", "a", "say-hi", {{"whom", "x"}}), std::invalid_argument);
  sim.run_for("10ms");
  EXPECT_EQ(sim.process("p1").out, "hi there\n");
  EXPECT_EQ(sim.process("p2").out, "hi you\n");
}

TEST(AppCatalog, ScenarioFilesNameAUsersAppOnlyWithItsCatalog) {
  const std::string path = ::testing::TempDir() + "catalog_test_hi.yaml";
  std::ofstream(path) << "name: hi\nduration: 1s\nhosts: [{name: a, address: 10.0.0.1}]\n"
                         "processes: [{name: p, host: a, app: say-hi, args: {who: file}}]\n"
                         "expect: [{process: p, stdout: \"hi file\\n\"}]\n";
  EXPECT_THROW(simsock::test::run_scenario_file(path), simsock::scenario::ScenarioError);
  auto catalog = apps::with_builtin_apps({hi_app()});
  auto result = simsock::test::run_scenario_file(path, std::nullopt, catalog);
  EXPECT_TRUE(result.passed);
  std::remove(path.c_str());
}

TEST(AppCatalog, OwnCommandWithAnInvalidAppExitsAsAnInternalError) {
  auto bad = hi_app();
  bad.main = nullptr;
  char name[] = "mine", apps_word[] = "apps";
  char* argv[] = {name, apps_word, nullptr};
  ::testing::internal::CaptureStderr();
  const int rc = simsock::cli::main(2, argv, {.name = "mine", .apps = {bad}});
  const std::string err = ::testing::internal::GetCapturedStderr();
  simsock::scenario::set_command_name("simsock");  // main named replay lines after "mine"
  EXPECT_EQ(rc, 4);
  EXPECT_NE(err.find("app 'say-hi' has no main"), std::string::npos) << err;
}

}  // namespace
