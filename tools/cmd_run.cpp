// simsock run / simsock sweep. (Owned by the scenario work; replaced when the loader lands.)
#include <iostream>

#include "tools/commands.hpp"

namespace simsock::cli {
int cmd_run(const Args&) {
  std::cerr << "simsock run: scenarios are not supported by this version yet\n";
  return 2;
}
int cmd_sweep(const Args&) {
  std::cerr << "simsock sweep: scenarios are not supported by this version yet\n";
  return 2;
}
}  // namespace simsock::cli
