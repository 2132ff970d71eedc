// BackgroundWriter (tools/background_writer.hpp): what `simsock run --trace` writes through.
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <simsock/tools/background_writer.hpp>

namespace simsock::cli {
namespace {

// Text of `n` bytes that differs at every offset (so a lost, repeated or moved piece shows).
std::string numbered_text(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; s.size() < n; ++i) s += std::to_string(i) + ",";
  s.resize(n);
  return s;
}

// A stream buffer that accepts `limit` bytes and fails every write after that, counting the
// write calls it got once it had failed.
class FailingAfter final : public std::streambuf {
 public:
  explicit FailingAfter(std::size_t limit) : limit_(limit) {}
  std::string got;
  int calls_after_failure = 0;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (failed_) {
      ++calls_after_failure;
      return 0;
    }
    const std::size_t taken = std::min(static_cast<std::size_t>(n), limit_ - got.size());
    got.append(s, taken);
    if (taken < static_cast<std::size_t>(n)) failed_ = true;
    return static_cast<std::streamsize>(taken);
  }

 private:
  std::size_t limit_;
  bool failed_ = false;
};

// A stream buffer whose writes wait until open() is called: the writer's thread is held up.
class Gate final : public std::streambuf {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  std::string got;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return open_; });
    got.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

TEST(BackgroundWriter, EveryByteReachesTheOutputInOrderAcrossManyBlocks) {
  const std::string text = numbered_text(100'000);
  std::ostringstream out;
  BackgroundWriter writer(out, 7, 3);  // blocks far smaller than most writes
  std::uint64_t x = 88172645463325252ULL;
  for (std::size_t at = 0; at < text.size();) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::size_t n = std::min<std::size_t>(x % 40, text.size() - at);
    if (n == 1) {
      writer.stream().put(text[at]);
    } else {
      writer.stream().write(text.data() + at, static_cast<std::streamsize>(n));
    }
    at += n;
  }
  EXPECT_TRUE(writer.stream());
  writer.finish();
  EXPECT_EQ(out.str(), text);
}

TEST(BackgroundWriter, BytesWaitInTheirBlockUntilItIsFullOrFlushedOrFinished) {
  std::ostringstream out;
  BackgroundWriter writer(out, 16, 2);
  writer.stream() << "0123456789";
  // Not yet handed over, so nothing can have reached `out` (its thread never touched it).
  writer.finish();
  EXPECT_EQ(out.str(), "0123456789");
}

TEST(BackgroundWriter, DestroyingItWritesWhatItHeld) {
  std::ostringstream out;
  {
    BackgroundWriter writer(out, 1000, 2);
    writer.stream() << "held, never flushed";
  }
  EXPECT_EQ(out.str(), "held, never flushed");
}

TEST(BackgroundWriter, AFailedOutputIsLeftFailedAndGetsNoFurtherWrites) {
  FailingAfter sink(50);
  std::ostream out(&sink);
  BackgroundWriter writer(out, 8, 2);
  const std::string text = numbered_text(1000);
  writer.stream() << text;
  writer.finish();
  EXPECT_TRUE(out.bad());
  EXPECT_EQ(sink.got, text.substr(0, 50));
  EXPECT_EQ(sink.calls_after_failure, 0);
}

TEST(BackgroundWriter, WritingAfterFinishFailsTheStreamInsteadOfLosingBytesSilently) {
  std::ostringstream out;
  BackgroundWriter writer(out, 8, 2);
  writer.stream() << "before";
  writer.finish();
  writer.finish();  // again: nothing
  writer.stream() << "after";
  EXPECT_TRUE(writer.stream().bad());
  EXPECT_EQ(out.str(), "before");
}

TEST(BackgroundWriter, AWriterHeldUpByTheOutputLosesNothingOnceItMovesAgain) {
  Gate gate;
  std::ostream out(&gate);
  const std::string text = numbered_text(10'000);
  BackgroundWriter writer(out, 64, 2);  // two blocks: the caller waits for the held-up thread
  std::thread producer([&] {
    writer.stream() << text;
    writer.finish();
  });
  gate.open();
  producer.join();
  EXPECT_EQ(gate.got, text);
}

TEST(BackgroundWriter, ZeroSizesAreRefused) {
  std::ostringstream out;
  EXPECT_THROW(BackgroundWriter(out, 0, 2), std::invalid_argument);
  EXPECT_THROW(BackgroundWriter(out, 8, 0), std::invalid_argument);
}

}  // namespace
}  // namespace simsock::cli
