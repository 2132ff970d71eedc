// How a multi-job sweep uses memory across seeds: the built binary in a child process, its page
// faults read from the kernel's accounting of that child.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace {

// Minor page faults of `simsock sweep SCENARIO --seeds 1..LAST --jobs JOBS` (output discarded),
// or -1 when it did not exit with `status`.
long sweep_minor_faults(const std::string& scenario, int last, int jobs, int status) {
  const std::string seeds = "1.." + std::to_string(last), jobs_text = std::to_string(jobs);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(SIMSOCK_BIN, SIMSOCK_BIN, "sweep", scenario.c_str(), "--seeds", seeds.c_str(), "--jobs",
            jobs_text.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int raw = 0;
  struct rusage usage {};
  if (::wait4(pid, &raw, 0, &usage) != pid) return -1;
  if (!WIFEXITED(raw) || WEXITSTATUS(raw) != status) return -1;
  return usage.ru_minflt;
}

TEST(SweepMemory, TwoJobsReuseTheHeapOfEarlierSeedsInsteadOfFaultingItInAgain) {
  // Each seed's world frees what it allocated. A sweep that gave the freed heap back to the
  // kernel after a seed faulted it in again for the next one: about 0.4 faults per seed.
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator replaces glibc's, whose trimming this test checks "
                  "(the plain tree runs it)";
#endif
  const std::string file = SIMSOCK_SOURCE_DIR "/scenarios/tcp-fragmented.yaml";
  const long few = sweep_minor_faults(file, 400, 2, 0);
  const long many = sweep_minor_faults(file, 4400, 2, 0);
  ASSERT_GT(few, 0);
  ASSERT_GT(many, 0);
  EXPECT_LT(many - few, 400) << "4000 more seeds cost " << many - few << " more page faults ("
                             << few << " for 400 seeds, " << many << " for 4400)";
}

}  // namespace
