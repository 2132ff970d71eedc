// --color: when the human report colours its PASS and FAIL words.
#include <unistd.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

#include <simsock/tools/commands.hpp>

namespace simsock::cli {

void add_color_option(CLI::App& sub, std::string& choice) {
  sub.add_option("--color", choice,
                 "colour the PASS/FAIL words: auto (on a terminal, unless NO_COLOR is set), "
                 "always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

bool use_colour(const std::string& choice, int fd) {
  if (choice == "always") return true;
  if (choice == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return ::isatty(fd) == 1;
}

}  // namespace simsock::cli
