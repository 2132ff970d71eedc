// The one place an exception that escaped a command becomes a message and an exit status.
#include <exception>
#include <new>

#include <simsock/tools/commands.hpp>

namespace simsock::cli {

int run_guarded(const std::function<int()>& command, std::FILE* err, const std::string& name) {
  try {
    return command();
  } catch (const std::bad_alloc&) {
    std::fprintf(err, "%s: out of memory\n", name.c_str());
    return k_exit_out_of_memory;
  } catch (const std::exception& e) {
    std::fprintf(err, "%s: internal error: %s\n", name.c_str(), e.what());
    return k_exit_internal;
  } catch (...) {
    std::fprintf(err, "%s: internal error: unknown exception\n", name.c_str());
    return k_exit_internal;
  }
}

}  // namespace simsock::cli
