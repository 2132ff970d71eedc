// upper-sim: simsock's command with the example's apps added (docs/your-apps.md).
#include <simsock/tools/cli.hpp>
#include "upper_apps.hpp"

int main(int argc, char** argv) {
  return simsock::cli::main(
      argc, argv, {.name = "upper-sim", .apps = {upper::server_app(), upper::client_app()}});
}
