#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace argus::runtime {

/// A bounded multi-producer queue that never blocks (Dmitry Vyukov's bounded
/// MPMC array queue): one CAS on the producer side, no allocation after
/// construction. `try_push` fails at once when full, so the caller can drop
/// and count instead of waiting.
template <class T>
class bounded_queue {
public:
  /// @param capacity rounded up to a power of two, at least 2.
  explicit bounded_queue(size_t capacity) {
    size_t n = 2;
    while (n < capacity)
      n <<= 1;
    mask_ = n - 1;
    cells_ = std::make_unique<cell[]>(n);
    for (size_t i = 0; i < n; ++i)
      cells_[i].sequence.store(i, std::memory_order_relaxed);
  }

  bounded_queue(const bounded_queue&) = delete;
  bounded_queue& operator=(const bounded_queue&) = delete;

  /// Moves `x` in if there is room. @returns false (and leaves `x` alone)
  /// when the queue is full.
  bool try_push(T& x) {
    // Between claiming a cell and publishing it nothing may throw, or the
    // cell would stay claimed and the queue stop at it for good.
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "elements must move without throwing");
    auto pos = enqueue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      auto& c = cells_[pos & mask_];
      auto seq = c.sequence.load(std::memory_order_acquire);
      auto diff
        = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
      if (diff == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1,
                                               std::memory_order_relaxed)) {
          c.value = std::move(x);
          c.sequence.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = enqueue_pos_.load(std::memory_order_relaxed);
      }
    }
  }

  /// Moves the oldest element into `out`. @returns false when empty.
  bool try_pop(T& out) {
    return pop(out, [](T& from, T& to) {
      to = std::move(from);
    });
  }

  /// Copies the oldest element into `out`, leaving it in its cell: the next
  /// producer to reuse the cell destroys it. What a producer allocated is
  /// then freed by a producer, on its own thread, where the allocator
  /// recycles it at once; moving it out would have the consumer free it,
  /// and glibc's malloc makes the producer pay for memory freed by other
  /// threads (about 1 µs per event of eight small allocations, measured in
  /// docs/PERFORMANCE.md). The price: the consumer copies, and the cells
  /// hold their last values until reused. @returns false when empty.
  bool try_pop_copy(T& out) {
    return pop(out, [](const T& from, T& to) {
      to = from;
    });
  }

  size_t capacity() const noexcept {
    return mask_ + 1;
  }

  /// @returns the number of elements, exact only when no one is pushing or
  ///          popping.
  size_t size_approx() const noexcept {
    auto enq = enqueue_pos_.load(std::memory_order_relaxed);
    auto deq = dequeue_pos_.load(std::memory_order_relaxed);
    return enq >= deq ? enq - deq : 0;
  }

private:
  template <class Take>
  bool pop(T& out, Take take) {
    auto pos = dequeue_pos_.load(std::memory_order_relaxed);
    for (;;) {
      auto& c = cells_[pos & mask_];
      auto seq = c.sequence.load(std::memory_order_acquire);
      auto diff = static_cast<std::ptrdiff_t>(seq)
                  - static_cast<std::ptrdiff_t>(pos + 1);
      if (diff == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1,
                                               std::memory_order_relaxed)) {
          // The cell is claimed: hand it back to the producers even if
          // taking the value throws (a copy that cannot allocate), or they
          // would find the queue full forever. The element is then lost to
          // the caller, who sees the exception.
          struct release {
            std::atomic<size_t>& sequence;
            size_t next;
            ~release() {
              sequence.store(next, std::memory_order_release);
            }
          } guard{c.sequence, pos + mask_ + 1};
          take(c.value, out);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = dequeue_pos_.load(std::memory_order_relaxed);
      }
    }
  }
  struct cell {
    std::atomic<size_t> sequence{0};
    T value{};
  };

  std::unique_ptr<cell[]> cells_;
  size_t mask_ = 0;
  alignas(64) std::atomic<size_t> enqueue_pos_{0};
  alignas(64) std::atomic<size_t> dequeue_pos_{0};
};

} // namespace argus::runtime
