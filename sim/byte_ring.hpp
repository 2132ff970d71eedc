// A growable ring of bytes: TCP send and receive buffers. Memory grows in powers of two up to the
// socket's bound and is released when the ring empties, so idle connections cost no buffer.
// Released buffers go to a small per-thread cache (a few per size) that the next ring to grow
// takes from first: a bulk transfer empties its receive ring on every read, and without the cache
// each refill would allocate (and the allocator would hand back fresh pages) again.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace simsock::sim {

namespace detail {
// Buffers of 512 << k bytes, up to `per_size` of each size, for k < `sizes` (512 B .. 32 MiB).
class RingBufferCache {
 public:
  static constexpr std::size_t sizes = 17, per_size = 4;
  std::unique_ptr<std::uint8_t[]> take(std::size_t cap) {
    std::size_t k = index(cap);
    if (k < sizes && !free_[k].empty()) {
      auto b = std::move(free_[k].back());
      free_[k].pop_back();
      return b;
    }
    return std::make_unique_for_overwrite<std::uint8_t[]>(cap);
  }
  void give(std::unique_ptr<std::uint8_t[]> b, std::size_t cap) {
    std::size_t k = index(cap);
    if (k < sizes && free_[k].size() < per_size) free_[k].push_back(std::move(b));
  }
  static RingBufferCache& here() {
    thread_local RingBufferCache cache;
    return cache;
  }

 private:
  static std::size_t index(std::size_t cap) {
    std::size_t k = 0;
    while ((std::size_t{512} << k) < cap) ++k;
    return (std::size_t{512} << k) == cap ? k : sizes;
  }
  std::vector<std::unique_ptr<std::uint8_t[]>> free_[sizes];
};
}  // namespace detail

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
    if (buf_) detail::RingBufferCache::here().give(std::move(buf_), cap_);
    buf_.reset();
    cap_ = head_ = size_ = 0;
  }
  ByteRing() = default;
  ByteRing(const ByteRing&) = delete;
  ByteRing& operator=(const ByteRing&) = delete;
  ByteRing(ByteRing&& o) noexcept
      : buf_(std::move(o.buf_)), cap_(o.cap_), head_(o.head_), size_(o.size_) {
    o.cap_ = o.head_ = o.size_ = 0;
  }
  ByteRing& operator=(ByteRing&& o) noexcept {
    if (this != &o) {
      buf_ = std::move(o.buf_);
      cap_ = o.cap_;
      head_ = o.head_;
      size_ = o.size_;
      o.cap_ = o.head_ = o.size_ = 0;
    }
    return *this;
  }
  ~ByteRing() = default;  // frees the buffer outright (the cache may already be gone at exit)

 private:
  void reserve(std::size_t need) {
    if (need <= cap_) return;
    std::size_t cap = cap_ ? cap_ : 512;
    while (cap < need) cap *= 2;
    auto fresh = detail::RingBufferCache::here().take(cap);
    if (size_) copy_out(0, fresh.get(), size_);
    if (buf_) detail::RingBufferCache::here().give(std::move(buf_), cap_);
    buf_ = std::move(fresh);
    cap_ = cap;
    head_ = 0;
  }

  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t cap_ = 0, head_ = 0, size_ = 0;
};

}  // namespace simsock::sim
