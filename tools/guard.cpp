// The one place an exception that escaped a command becomes a message and an exit status.
#include <exception>
#include <new>

#include <simsock/tools/commands.hpp>

namespace simsock::cli {

int run_guarded(const std::function<int()>& command, std::FILE* err) {
  try {
    return command();
  } catch (const std::bad_alloc&) {
    std::fputs("simsock: out of memory\n", err);
    return k_exit_out_of_memory;
  } catch (const std::exception& e) {
    std::fprintf(err, "simsock: internal error: %s\n", e.what());
    return k_exit_internal;
  } catch (...) {
    std::fputs("simsock: internal error: unknown exception\n", err);
    return k_exit_internal;
  }
}

}  // namespace simsock::cli
