// simsock: run scenarios, sweep seeds, and run the apps on real sockets (tools/cli.hpp).
#include <simsock/tools/cli.hpp>

int main(int argc, char** argv) {
  return simsock::cli::main(argc, argv);
}
