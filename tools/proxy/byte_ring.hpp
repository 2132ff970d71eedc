// The bytes of one TCP direction between the proxy's reader and its writer, addressed by stream
// offset: the reader reads straight into the free space, segments name their bytes by offset,
// and the writer's completed segments free theirs. It grows (doubling) up to a maximum and never
// holds more, whatever the sizes of the reads: a 1-byte read costs one byte, not a read buffer.
// A write in progress while it grows keeps the old storage until the write is done.
// Internal to the proxy.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include <boost/asio/buffer.hpp>

namespace simsock::proxy {

class ByteRing {
 public:
  // Holds at most `max` bytes; `initial` is its first allocation (made on the first read).
  ByteRing(std::size_t initial, std::size_t max) : initial_(initial), max_(max) {}

  // Bytes held: read and not yet consumed.
  std::size_t size() const { return static_cast<std::size_t>(tail_ - head_); }
  // Bytes allocated, the storage kept for a write included: what the data costs in memory.
  std::size_t allocated() const { return buf_.size() + kept_.size(); }
  std::size_t max() const { return max_; }
  // The stream offset of the next byte committed.
  std::uint64_t tail() const { return tail_; }

  // Where the next read goes: contiguous, at most `want` bytes. Grows first when fewer than
  // min(want, `grow_below`) bytes are free; `writing`: a write in progress points into the
  // storage, which is then kept until written(). Empty when nothing is free.
  boost::asio::mutable_buffer space(std::size_t want, std::size_t grow_below, bool writing) {
    // Empty (so nothing points into it): the read gets the whole buffer in one piece. Not done
    // in consume(), which runs while a read into the last space() may be in progress.
    if (size() == 0) start_ = 0;
    const std::size_t need = std::min(want, grow_below);
    if (buf_.size() - size() < need && buf_.size() < max_) {
      std::size_t cap = std::max(buf_.size(), initial_);
      while (cap - size() < need && cap < max_) cap = std::min(cap * 2, max_);
      regrow(cap, writing);
    }
    const std::size_t cap = buf_.size();
    if (size() == cap) return {};
    const std::size_t at = index(tail_), first = index(head_);
    const std::size_t span = (at >= first) ? cap - at : first - at;
    return {buf_.data() + at, std::min(span, want)};
  }
  // `n` bytes were read into the last space(). Between space() and commit() the space must stay
  // where it is: consume() may run, space() may not.
  void commit(std::size_t n) { tail_ += n; }
  // The `len` bytes from stream offset `seq` (held), as one or two buffers.
  std::array<boost::asio::const_buffer, 2> bytes(std::uint64_t seq, std::size_t len) const {
    const std::size_t at = index(seq), first = std::min(len, capacity() - at);
    return {boost::asio::const_buffer(buf_.data() + at, first),
            boost::asio::const_buffer(buf_.data(), len - first)};
  }
  // The write in progress at the last space() is done: storage kept for it is freed.
  void written() { std::vector<char>().swap(kept_); }
  // The oldest `n` bytes were written: their space is free.
  void consume(std::size_t n) {
    start_ = index(head_ + n);
    head_ += n;
  }

 private:
  // The buffer index of stream offset `off` (head_ <= off <= tail_).
  std::size_t capacity() const { return buf_.size(); }
  std::size_t index(std::uint64_t off) const {
    if (buf_.empty()) return 0;
    return static_cast<std::size_t>((start_ + (off - head_)) % buf_.size());
  }
  // Moves the bytes held to the front of a buffer of `cap` bytes. The old one is kept when a
  // write points into it (only the first: a write in progress started before later ones).
  void regrow(std::size_t cap, bool writing) {
    std::vector<char> next(cap);
    const std::size_t n = size();
    if (n > 0) {
      const std::size_t at = index(head_), first = std::min(n, buf_.size() - at);
      std::memcpy(next.data(), buf_.data() + at, first);
      std::memcpy(next.data() + first, buf_.data(), n - first);
    }
    buf_.swap(next);
    if (writing && kept_.empty()) kept_.swap(next);
    start_ = 0;
  }

  std::size_t initial_, max_;
  std::vector<char> buf_, kept_;
  std::size_t start_ = 0;  // the buffer index of head_
  std::uint64_t head_ = 0, tail_ = 0;
};

}  // namespace simsock::proxy
