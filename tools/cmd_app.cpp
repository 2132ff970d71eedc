// simsock app / simsock apps. (Owned by the apps work; replaced when the apps land.)
#include <iostream>

#include "tools/commands.hpp"

namespace simsock::cli {
int cmd_app(const Args&) {
  std::cerr << "simsock app: no apps are built into this version yet\n";
  return 2;
}
int cmd_apps(const Args&) { return 0; }
}  // namespace simsock::cli
