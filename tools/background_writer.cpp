#include <simsock/tools/background_writer.hpp>

#include <stdexcept>
#include <system_error>

namespace simsock::cli {

BackgroundWriter::BackgroundWriter(std::ostream& out, std::size_t block_bytes, std::size_t blocks)
    : out_(out), block_bytes_(block_bytes), buffer_(*this), stream_(&buffer_) {
  if (block_bytes == 0 || blocks == 0) {
    throw std::invalid_argument("BackgroundWriter: block size and block count must be positive");
  }
  blocks_.resize(blocks);
  for (Block& b : blocks_) {
    b.data = std::make_unique<char[]>(block_bytes);
    free_.push_back(&b);
  }
  try {
    thread_ = std::thread([this] { drain(); });
  } catch (const std::system_error&) {  // no thread: hand_over() writes each block itself
  }
  buffer_.use(free_.back());
  free_.pop_back();
}

BackgroundWriter::~BackgroundWriter() {
  finish();
}

void BackgroundWriter::finish() {
  if (finished_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;  // hand_over() queues the last block without taking another
  }
  buffer_.pubsync();
  buffer_.use(nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

BackgroundWriter::Block* BackgroundWriter::hand_over(Block* full) {
  if (!thread_.joinable()) {
    if (full) write_out(*full);
    return finished_ ? nullptr : full;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  if (full) {
    queued_.push_back(full);
    changed_.notify_all();
  }
  if (finished_) return nullptr;
  changed_.wait(lock, [this] { return !free_.empty(); });
  Block* b = free_.back();
  free_.pop_back();
  return b;
}

void BackgroundWriter::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping, and nothing is left
    Block* b = queued_.front();
    queued_.pop_front();
    lock.unlock();
    write_out(*b);
    lock.lock();
    free_.push_back(b);
    changed_.notify_all();
  }
}

void BackgroundWriter::write_out(Block& b) {
  try {
    if (out_) out_.write(b.data.get(), static_cast<std::streamsize>(b.used));
  } catch (...) {  // NOLINT(bugprone-empty-catch): a stream that throws has set its badbit
  }
  b.used = 0;
}

void BackgroundWriter::Buffer::use(Block* b) {
  block_ = b;
  if (b) {
    setp(b->data.get(), b->data.get() + owner_.block_bytes_);
  } else {
    setp(nullptr, nullptr);
  }
}

BackgroundWriter::Buffer::int_type BackgroundWriter::Buffer::overflow(int_type c) {
  if (sync() != 0 || !block_) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

int BackgroundWriter::Buffer::sync() {
  if (!block_) return -1;
  block_->used = static_cast<std::size_t>(pptr() - pbase());
  if (block_->used == 0) return 0;
  use(owner_.hand_over(block_));
  return 0;
}

}  // namespace simsock::cli
