// net::detail::InlineHandler: the call-once handler storage that QueueCompletion and IoCompletion
// share.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <simsock/net/detail/inline_handler.hpp>

namespace simsock::net::detail {
namespace {

using Handler = InlineHandler<void(int, std::string)>;

// A callable whose every copy, move and destruction is counted, padded to `Pad` bytes.
template <std::size_t Pad>
struct Counted {
  std::shared_ptr<int> calls;
  unsigned char pad[Pad] = {};
  void operator()(int n, std::string s) { *calls += n + static_cast<int>(s.size()); }
};

// What is stored inside: a callable of a few pointers; not one too large or one whose move may
// throw (moving it inside could fail half way). The build fails if this changes.
struct ThrowingMove {
  ThrowingMove() = default;
  ThrowingMove(ThrowingMove&&) noexcept(false) {}
  void operator()(int, std::string) {}
};
static_assert(Handler::fits_inline<Counted<8>>);
static_assert(!Handler::fits_inline<Counted<200>>);
static_assert(!Handler::fits_inline<ThrowingMove>);

// Both storage forms: the handler travels with every move, runs once with its results, and the
// object is empty while it runs (so a completion may reuse or destroy it).
template <std::size_t Pad>
void check_moves_and_calls_once() {
  auto calls = std::make_shared<int>(0);
  Handler* self = nullptr;
  bool empty_during_call = false;
  Handler a([&, c = Counted<Pad>{calls}](int n, std::string s) mutable {
    empty_during_call = !*self;
    c(n, std::move(s));
  });
  Handler b(std::move(a));
  EXPECT_FALSE(a);
  Handler c;
  c = std::move(b);
  EXPECT_FALSE(b);
  ASSERT_TRUE(c);
  self = &c;
  std::move(c)(5, "abc");
  EXPECT_EQ(*calls, 8);
  EXPECT_TRUE(empty_during_call);
  EXPECT_FALSE(c);
  EXPECT_EQ(calls.use_count(), 1) << "the called handler (and its captures) was destroyed";
}

TEST(InlineHandler, AnInlineHandlerMovesRunsOnceAndIsGoneWhileItRuns) {
  check_moves_and_calls_once<8>();
}

TEST(InlineHandler, AnOutsideHandlerMovesRunsOnceAndIsGoneWhileItRuns) {
  check_moves_and_calls_once<200>();
}

// Assigning over a held handler, resetting and destroying all destroy the handler uncalled.
TEST(InlineHandler, AHandlerReplacedResetOrDestroyedIsNeverCalled) {
  auto calls = std::make_shared<int>(0);
  {
    Handler small(Counted<8>{calls});
    Handler big(Counted<200>{calls});
    EXPECT_EQ(calls.use_count(), 3);
    small = std::move(big);  // the small one dies uncalled, the big one moves in
    EXPECT_EQ(calls.use_count(), 2);
    small.reset();
    EXPECT_FALSE(small);
    EXPECT_EQ(calls.use_count(), 1);
    Handler last(Counted<8>{calls});
    EXPECT_EQ(calls.use_count(), 2);
  }
  EXPECT_EQ(calls.use_count(), 1);
  EXPECT_EQ(*calls, 0);
}

}  // namespace
}  // namespace simsock::net::detail
