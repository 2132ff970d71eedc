// A stream whose bytes reach a file on a thread of their own: how `simsock run --trace` keeps
// the kernel's cost of writing hundreds of MB off the simulation's thread. The bytes reach the
// file unchanged and in order; only when the write calls happen differs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <thread>
#include <vector>

namespace simsock::cli {

class BackgroundWriter {
 public:
  // Bytes written to stream() are gathered into blocks of `block_bytes`; a full block is written
  // to `out` by a thread while the caller goes on. At most `blocks` blocks exist (memory is
  // bounded): when each is full or being written, the caller waits for one. `out` must outlive
  // the writer, and nothing else may use it until finish(). When no thread can be started, every
  // block is written by the caller instead. Both sizes must be at least 1.
  explicit BackgroundWriter(std::ostream& out, std::size_t block_bytes = std::size_t{1} << 20,
                            std::size_t blocks = 4);
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;
  // finish().
  ~BackgroundWriter();

  // The stream to write to. flush() on it hands the gathered bytes over without waiting.
  std::ostream& stream() { return stream_; }

  // Hands over the bytes gathered, waits until every block has been written to `out` and stops
  // the thread: afterwards `out` holds all that stream() was given (or has failed: once a write
  // to it fails no more are made) and may be checked and used. Writing to stream() afterwards
  // sets its badbit. Calling it again does nothing.
  void finish();

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t used = 0;
  };
  class Buffer final : public std::streambuf {
   public:
    explicit Buffer(BackgroundWriter& owner) : owner_(owner) {}
    // Points the put area at `b` (null: no put area, so every write fails).
    void use(Block* b);

   protected:
    int_type overflow(int_type c) override;
    int sync() override;

   private:
    BackgroundWriter& owner_;
    Block* block_ = nullptr;
  };

  // Queues the current block (if it holds anything) and takes a free one, waiting for one;
  // returns null once finished.
  Block* hand_over(Block* full);
  // The thread: writes queued blocks to out_ in order until stopped and drained.
  void drain();
  void write_out(Block& b);

  std::ostream& out_;
  std::size_t block_bytes_;
  std::vector<Block> blocks_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Block*> queued_;  // full blocks in the order they are to be written
  std::vector<Block*> free_;
  bool stopping_ = false;
  bool finished_ = false;
  std::thread thread_;  // not joinable: no thread, blocks are written by hand_over()
  Buffer buffer_;
  std::ostream stream_;
};

}  // namespace simsock::cli
