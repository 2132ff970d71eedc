// A growable ring of bytes: TCP send and receive buffers. Memory grows in powers of two up to the
// socket's bound and is released when the ring empties, so idle connections cost no buffer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

namespace simsock::sim {

class ByteRing {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void append(const std::uint8_t* p, std::size_t n) {
    reserve(size_ + n);
    std::size_t tail = (head_ + size_) & (cap_ - 1);
    std::size_t first = std::min(n, cap_ - tail);
    std::memcpy(buf_.get() + tail, p, first);
    std::memcpy(buf_.get(), p + first, n - first);
    size_ += n;
  }
  // Appends `n` bytes of `other` starting `offset` bytes after its front.
  void append_from(const ByteRing& other, std::size_t offset, std::size_t n) {
    reserve(size_ + n);
    while (n > 0) {
      std::size_t src = (other.head_ + offset) & (other.cap_ - 1);
      std::size_t chunk = std::min(n, other.cap_ - src);
      std::size_t tail = (head_ + size_) & (cap_ - 1);
      chunk = std::min(chunk, cap_ - tail);
      std::memcpy(buf_.get() + tail, other.buf_.get() + src, chunk);
      size_ += chunk;
      offset += chunk;
      n -= chunk;
    }
  }
  // Copies `n` bytes starting `offset` bytes after the front into `out`.
  void copy_out(std::size_t offset, std::uint8_t* out, std::size_t n) const {
    std::size_t start = (head_ + offset) & (cap_ - 1);
    std::size_t first = std::min(n, cap_ - start);
    std::memcpy(out, buf_.get() + start, first);
    std::memcpy(out + first, buf_.get(), n - first);
  }
  void consume(std::size_t n) {
    head_ = (head_ + n) & (cap_ ? cap_ - 1 : 0);
    size_ -= n;
    if (size_ == 0) clear();
  }
  void clear() {
    buf_.reset();
    cap_ = head_ = size_ = 0;
  }

 private:
  void reserve(std::size_t need) {
    if (need <= cap_) return;
    std::size_t cap = cap_ ? cap_ : 512;
    while (cap < need) cap *= 2;
    auto fresh = std::make_unique<std::uint8_t[]>(cap);
    if (size_) copy_out(0, fresh.get(), size_);
    buf_ = std::move(fresh);
    cap_ = cap;
    head_ = 0;
  }

  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t cap_ = 0, head_ = 0, size_ = 0;
};

}  // namespace simsock::sim
