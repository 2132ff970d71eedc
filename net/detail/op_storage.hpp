// Per-object storage for the real-socket backend (asio_network.cpp): memory an object keeps for its
// outstanding Asio operations, and state the object shares with their completions, which may run
// after the object is gone. Private to the backend; not installed.
#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <cstddef>
#include <new>
#include <utility>

namespace simsock::net::detail {

// Memory for one outstanding Asio operation. An object has at most one read-side and one
// write-side operation outstanding (network.hpp), and Asio frees an operation's memory before it
// runs the completion handler, so one slot per direction serves every operation of a stream and
// starting an operation does not allocate. A request the slot cannot serve (in use, too large)
// goes to Asio's per-thread recycling allocator, where it would have gone without the slot.
class OpSlot {
 public:
  static constexpr std::size_t capacity = 320;

  OpSlot() = default;
  OpSlot(const OpSlot&) = delete;
  OpSlot& operator=(const OpSlot&) = delete;

  // The slot's memory if it is free and fits `size` bytes aligned to `align`; nullptr otherwise.
  void* take(std::size_t size, std::size_t align) noexcept {
    if (used_ || size > capacity || align > alignof(std::max_align_t)) return nullptr;
    used_ = true;
    return buf_;
  }
  // Returns `p` to the slot if it came from it (true); false for memory from elsewhere.
  bool give_back(void* p) noexcept {
    if (p != static_cast<void*>(buf_)) return false;
    used_ = false;
    return true;
  }

 private:
  alignas(std::max_align_t) unsigned char buf_[capacity];
  bool used_ = false;
};

// An Asio handler allocator over an OpSlot (bind it with asio::bind_allocator). The slot must
// outlive every allocation made through it: keep it in state the handler co-owns (SharedRef).
template <typename T>
class SlotAllocator {
 public:
  using value_type = T;

  explicit SlotAllocator(OpSlot& slot) noexcept : slot_(&slot) {}
  template <typename U>
  SlotAllocator(const SlotAllocator<U>& other) noexcept  // NOLINT: allocators convert implicitly
      : slot_(other.slot()) {}

  T* allocate(std::size_t n) {
    if (void* p = slot_->take(n * sizeof(T), alignof(T))) return static_cast<T*>(p);
    return boost::asio::recycling_allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) {
    if (!slot_->give_back(p)) boost::asio::recycling_allocator<T>().deallocate(p, n);
  }

  OpSlot* slot() const noexcept { return slot_; }
  template <typename U>
  bool operator==(const SlotAllocator<U>& other) const noexcept {
    return slot_ == other.slot();
  }

 private:
  OpSlot* slot_;
};

// The handler an operation of a socket hands Asio: `fn`, carrying the cancellation slot of the
// any_completion_handler it continues (the operation honours that handler's cancellation) and
// drawing the operation's memory from the socket's `op` slot. One object, not fn wrapped in
// bind_cancellation_slot and bind_allocator: Asio moves and destroys its handler several times per
// operation, and each wrapper adds a move and a destructor.
template <typename Fn>
class SlotCompletion {
 public:
  using cancellation_slot_type = boost::asio::cancellation_slot;
  using allocator_type = SlotAllocator<void>;

  SlotCompletion(boost::asio::cancellation_slot slot, OpSlot& op, Fn fn)
      : slot_(slot), op_(&op), fn_(std::move(fn)) {}

  cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }
  allocator_type get_allocator() const noexcept { return allocator_type(*op_); }

  template <typename... Args>
  void operator()(Args&&... args) {
    fn_(std::forward<Args>(args)...);
  }

 private:
  boost::asio::cancellation_slot slot_;
  OpSlot* op_;
  Fn fn_;
};

// Shared ownership of a heap-allocated `State` with a plain (non-atomic) count: an object of the
// backend and its completions all run on the network's single-threaded executor (network.hpp), so
// copying a reference costs an increment, not a locked instruction as std::shared_ptr's does.
// State needs a `int refs` member, 1 for the reference adopt() takes over.
template <typename State>
class SharedRef {
 public:
  // Takes over the one reference a freshly made `new State` carries.
  static SharedRef adopt(State* s) noexcept { return SharedRef(s); }

  SharedRef(const SharedRef& o) noexcept : s_(o.s_) {
    if (s_) ++s_->refs;
  }
  SharedRef(SharedRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  SharedRef& operator=(SharedRef o) noexcept {
    State* old = s_;
    s_ = o.s_;
    o.s_ = old;
    return *this;
  }
  // Inline: Asio moves and destroys its handler several times per operation, and a moved-from
  // reference's destructor is then a null check; the rare last release is a call.
  ~SharedRef() {
    if (s_ && --s_->refs == 0) release(s_);
  }

  // False for a reference moved from.
  explicit operator bool() const noexcept { return s_ != nullptr; }
  State* operator->() const noexcept { return s_; }
  State& operator*() const noexcept { return *s_; }

 private:
  explicit SharedRef(State* s) noexcept : s_(s) {}
  [[gnu::noinline]] static void release(State* s) noexcept { delete s; }
  State* s_;
};

// What an operation hands Asio when the object's State keeps the operation's handler itself (the
// io path, where the executor and cancellation slot were read when the operation started): only a
// reference to the state, which Asio moves several times per operation for next to nothing.
// `Finish(state, results...)` completes the operation, calling the handler kept in
// `state.*Kept` (an InlineHandler). Destroyed uncalled (the io_context shutting down with the
// operation outstanding), it destroys the kept handler, as Asio destroys a handler it holds:
// otherwise a coroutine owning the object would own itself through the state.
template <typename State, auto Kept, auto Finish>
class KeptCompletion {
 public:
  explicit KeptCompletion(const SharedRef<State>& s) noexcept : state_(s) {}
  KeptCompletion(KeptCompletion&&) noexcept = default;
  KeptCompletion& operator=(KeptCompletion&&) = delete;
  ~KeptCompletion() {
    if (state_) ((*state_).*Kept).reset();
  }

  template <typename... Args>
  void operator()(Args&&... args) {
    // Let go of the state first: the handler may start the next operation, whose kept handler
    // this object's destructor must leave alone.
    const SharedRef<State> s = std::move(state_);
    Finish(*s, std::forward<Args>(args)...);
  }

 private:
  SharedRef<State> state_;
};

}  // namespace simsock::net::detail
