// The TCP proxy's per-direction buffer (tools/proxy/byte_ring.hpp), on its own: bytes addressed
// by stream offset survive wrapping and growth in order, a write in progress keeps the storage
// it points into, and the buffer never holds more than its maximum.
#include <gtest/gtest.h>

#include <string>

#include <simsock/tools/proxy/byte_ring.hpp>

namespace simsock::proxy {
namespace {

// Reads `text` into the ring (as far as it has room, without growing past what space() gives).
std::size_t put(ByteRing& ring, const std::string& text, std::size_t grow_below = 0,
                bool writing = false) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto space = ring.space(text.size() - done, grow_below, writing);
    if (space.size() == 0) break;
    std::memcpy(space.data(), text.data() + done, space.size());
    ring.commit(space.size());
    done += space.size();
  }
  return done;
}

std::string get(const ByteRing& ring, std::uint64_t seq, std::size_t len) {
  std::string out;
  for (const auto& b : ring.bytes(seq, len))
    out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(ProxyByteRing, HeldBytesWrapAndKeepTheirOrderWhenItGrows) {
  ByteRing ring(8, 64);
  EXPECT_EQ(put(ring, "abcdefgh", 8), 8u);
  EXPECT_EQ(ring.allocated(), 8u);
  ring.consume(5);                    // "fgh" held at indices 5..7
  EXPECT_EQ(put(ring, "ijklm"), 5u);  // wraps to indices 0..4
  EXPECT_EQ(get(ring, 5, 8), "fghijklm");
  EXPECT_EQ(put(ring, "nopqrstu", 8), 8u);  // grows to 16 with the held bytes wrapped
  EXPECT_EQ(ring.allocated(), 16u);
  EXPECT_EQ(get(ring, 5, 16), "fghijklmnopqrstu");
  ring.consume(10);
  EXPECT_EQ(get(ring, 15, 6), "pqrstu");
  EXPECT_EQ(ring.tail(), 21u);
}

TEST(ProxyByteRing, NeverHoldsMoreThanItsMaximum) {
  ByteRing ring(4, 32);
  EXPECT_EQ(put(ring, std::string(100, 'x'), 100), 32u);
  EXPECT_EQ(ring.size(), 32u);
  EXPECT_EQ(ring.allocated(), 32u);
  EXPECT_EQ(ring.space(10, 10, false).size(), 0u);
  ring.consume(3);
  EXPECT_EQ(ring.space(10, 10, false).size(), 3u);
}

TEST(ProxyByteRing, AWriteInProgressKeepsTheStorageItPointsInto) {
  ByteRing ring(8, 64);
  put(ring, "abcdefgh", 8);
  auto in_flight = ring.bytes(0, 8)[0];  // as a write in progress holds it
  EXPECT_EQ(put(ring, "ijkl", 8, true), 4u);
  EXPECT_EQ(ring.allocated(), 16u + 8u);
  EXPECT_EQ(std::string(static_cast<const char*>(in_flight.data()), 8), "abcdefgh");
  ring.written();
  EXPECT_EQ(ring.allocated(), 16u);
  EXPECT_EQ(get(ring, 0, 12), "abcdefghijkl");
}

TEST(ProxyByteRing, AnEmptyRingGivesItsWholeStorageToTheNextRead) {
  ByteRing ring(8, 8);
  put(ring, "abcdef", 8);
  ring.consume(6);
  EXPECT_EQ(ring.space(8, 8, false).size(), 8u);
}

}  // namespace
}  // namespace simsock::proxy
