// The real-socket backend's per-socket storage (net/detail/op_storage.hpp): operation memory reused
// from one operation to the next, and state shared with completions that may outlive the socket.
#include <simsock/net/detail/op_storage.hpp>

#include <gtest/gtest.h>

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstddef>

namespace simsock::net::detail {
namespace {

namespace asio = boost::asio;

struct Block {
  unsigned char bytes[200];
};

TEST(AsioOpStorage, AnOperationReusesTheMemoryTheLastOneGaveBack) {
  OpSlot slot;
  SlotAllocator<Block> alloc(slot);
  Block* first = alloc.allocate(1);
  EXPECT_EQ(slot.take(8, 8), nullptr) << "the operation's memory is the slot's";
  alloc.deallocate(first, 1);
  Block* second = alloc.allocate(1);
  EXPECT_EQ(second, first);
  EXPECT_EQ(slot.take(8, 8), nullptr);
  alloc.deallocate(second, 1);
  EXPECT_NE(slot.take(8, 8), nullptr) << "given back";
}

TEST(AsioOpStorage, ASecondOutstandingOperationGetsMemoryOfItsOwn) {
  OpSlot slot;
  SlotAllocator<Block> alloc(slot);
  Block* first = alloc.allocate(1);
  Block* second = alloc.allocate(1);
  EXPECT_NE(second, first);
  second->bytes[199] = 1;  // usable memory, not the slot's
  alloc.deallocate(second, 1);
  alloc.deallocate(first, 1);
  // Giving back the other memory did not mark the slot free twice: it is free exactly once.
  Block* again = alloc.allocate(1);
  EXPECT_EQ(again, first);
  Block* other = alloc.allocate(1);
  EXPECT_NE(other, first);
  alloc.deallocate(other, 1);
  alloc.deallocate(again, 1);
}

TEST(AsioOpStorage, AnOperationLargerThanTheSlotGetsMemoryOfItsOwn) {
  OpSlot slot;
  SlotAllocator<unsigned char> alloc(slot);
  unsigned char* big = alloc.allocate(OpSlot::capacity + 1);
  big[OpSlot::capacity] = 1;
  // The slot is still free for an operation that fits.
  unsigned char* small = alloc.allocate(OpSlot::capacity);
  EXPECT_NE(small, big);
  alloc.deallocate(small, OpSlot::capacity);
  EXPECT_EQ(alloc.allocate(8), small);
  alloc.deallocate(small, 8);
  alloc.deallocate(big, OpSlot::capacity + 1);
}

// The backend relies on Asio giving an operation's memory back before it runs the handler: the
// handler then starts the next operation in the same slot.
TEST(AsioOpStorage, AsioGivesTheSlotBackBeforeTheHandlerRunsSoTheNextOperationReusesIt) {
  asio::io_context io;
  asio::ip::udp::socket a(io, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::udp::socket b(io, {asio::ip::make_address("127.0.0.1"), 0});
  OpSlot slot;
  char in[16];
  char out[4] = {'p', 'i', 'n', 'g'};
  asio::ip::udp::endpoint from;
  bool received = false;
  bool free_in_handler = false;
  b.async_receive_from(asio::buffer(in), from,
                       asio::bind_allocator(SlotAllocator<void>(slot),
                                            [&](boost::system::error_code ec, std::size_t) {
                                              received = !ec;
                                              void* p = slot.take(8, 8);
                                              free_in_handler = p != nullptr;
                                              if (p) slot.give_back(p);
                                            }));
  // The pending receive holds the slot.
  EXPECT_EQ(slot.take(8, 8), nullptr);
  a.send_to(asio::buffer(out), b.local_endpoint());
  io.run();
  EXPECT_TRUE(received);
  EXPECT_TRUE(free_in_handler);
}

struct Counted {
  int refs = 1;
  bool* destroyed;
  explicit Counted(bool* d) : destroyed(d) {}
  ~Counted() { *destroyed = true; }
};

TEST(AsioOpStorage, SharedStateLivesUntilItsLastReferenceIsGone) {
  bool destroyed = false;
  auto owner = SharedRef<Counted>::adopt(new Counted(&destroyed));
  {
    SharedRef<Counted> completion = owner;  // a pending completion's copy
    { SharedRef<Counted> dropped = std::move(owner); }
    EXPECT_FALSE(destroyed) << "the completion still refers to it";
    EXPECT_EQ(completion->refs, 1);
  }
  EXPECT_TRUE(destroyed);
}

TEST(AsioOpStorage, AssigningASharedReferenceReleasesTheOneItHeld) {
  bool first_destroyed = false, second_destroyed = false;
  auto ref = SharedRef<Counted>::adopt(new Counted(&first_destroyed));
  ref = SharedRef<Counted>::adopt(new Counted(&second_destroyed));
  EXPECT_TRUE(first_destroyed);
  EXPECT_FALSE(second_destroyed);
  EXPECT_TRUE(static_cast<bool>(ref));
}

}  // namespace
}  // namespace simsock::net::detail
