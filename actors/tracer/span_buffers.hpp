#pragma once

// Where the bot's threads put finished spans: one single-producer ring per
// thread, fixed-size slots, no allocation and no lock on the recording path.
// The tracer drains every ring in batches. A full ring drops the span and
// counts it.

#include "messages/trace_context.hpp"
#include "messages/tracing.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace argus {

/// One finished span in fixed-size storage. Trivially copyable: it moves
/// through the ring with a memcpy. What does not fit (events, links, more
/// than `max_attributes` attributes, long strings) goes to `overflow`, the
/// rare path that allocates.
struct span_slot {
  static constexpr size_t max_attributes = 6;
  static constexpr size_t key_size = 24;
  static constexpr size_t text_size = 40;
  static constexpr size_t name_size = 48;
  static constexpr size_t message_size = 64;

  struct attr {
    attribute_type type;
    uint8_t key_len;
    uint8_t text_len;
    char key[key_size];
    char text[text_size];
    union {
      int64_t integer;
      double real;
      bool boolean;
    };
  };

  trace_id trace;
  span_id span;
  span_id parent;
  correlation_id corr;
  component_type component;
  span_kind kind;
  span_status status;
  uint8_t attr_count;
  uint8_t operation_len;
  uint8_t message_len;
  int64_t start_ns;
  int64_t end_ns;
  char operation[name_size];
  char message[message_size];
  /// Owned; null in the common case. Holds what did not fit.
  span_recorded* overflow;
  /// Last, so that a push copies only the attributes in use.
  attr attrs[max_attributes];

  /// @returns the bytes of this slot that carry data.
  size_t used_size() const noexcept;

  /// Resets the fields the recorder relies on (cheaper than value-init of
  /// the whole slot).
  void clear() noexcept {
    attr_count = 0;
    operation_len = 0;
    message_len = 0;
    status = span_status::unset;
    kind = span_kind::internal;
    overflow = nullptr;
  }
};

/// @returns the slot as the protocol's span (allocates; off the hot path).
span_recorded to_span_recorded(const span_slot& x);

/// The ring of one producer thread.
class span_ring {
public:
  explicit span_ring(size_t capacity);
  ~span_ring();

  span_ring(const span_ring&) = delete;
  span_ring& operator=(const span_ring&) = delete;

  /// Producer side. Copies `x` in. @returns false (and counts a drop) when
  /// full; then the caller still owns `x.overflow`.
  bool try_push(const span_slot& x) noexcept;

  /// Consumer side. @returns false when empty.
  bool try_pop(span_slot& out) noexcept;

  /// Spans dropped because the ring was full.
  uint64_t dropped() const noexcept {
    return dropped_.load(std::memory_order_relaxed);
  }

  /// @returns whether nothing waits (exact for the consumer).
  bool empty() const noexcept {
    return head_.load(std::memory_order_acquire)
           == tail_.load(std::memory_order_acquire);
  }

  /// Spans waiting to be drained (exact when no push is in flight).
  size_t waiting() const noexcept {
    return tail_.load(std::memory_order_acquire)
           - head_.load(std::memory_order_acquire);
  }

  /// Spans pushed.
  uint64_t pushed() const noexcept {
    return tail_.load(std::memory_order_relaxed);
  }

  /// Set by the owning thread when it exits; the ring is removed once empty.
  std::atomic<bool> orphaned{false};

  /// Set when the engine's buffers close or die: the owning thread takes no
  /// more pushes into it and drops its reference at its next span.
  std::atomic<bool> closed{false};

private:
  std::unique_ptr<span_slot[]> slots_;
  size_t mask_;
  // Consumer's line: its index and its last view of the producer's.
  alignas(64) std::atomic<size_t> head_{0};
  size_t cached_tail_ = 0;
  // Producer's line: its index, its last view of the consumer's, and the
  // drop counter. The cached views keep the two cores from trading cache
  // lines on every push and pop.
  alignas(64) std::atomic<size_t> tail_{0};
  size_t cached_head_ = 0;
  std::atomic<uint64_t> dropped_{0};
};

/// What the recording side needs from the tracer's config.
struct recording_options {
  bool enable_tracing = true;
  bool enable_error_tracing = true;
};

/// Every thread's ring for one engine.
class span_buffers {
public:
  /// @param ring_capacity slots per thread (rounded up to a power of two).
  explicit span_buffers(size_t ring_capacity, recording_options opts = {});

  /// Closes every ring: threads release them at their next span.
  ~span_buffers();

  span_buffers(const span_buffers&) = delete;
  span_buffers& operator=(const span_buffers&) = delete;

  const recording_options& options() const noexcept {
    return opts_;
  }

  /// Unique per instance, never reused (unlike an address): what a span
  /// keeps instead of a pointer, so that a span outliving its engine never
  /// touches freed memory.
  uint64_t id() const noexcept {
    return id_;
  }

  /// Pushes `x` into the calling thread's ring of the buffers with id
  /// `owner`, creating the ring on the thread's first span (the only time
  /// this locks). Never touches buffers that are gone.
  /// @returns false when the ring is full (counted by the ring), the
  ///          buffers are closed or gone, or no ring could be allocated
  ///          (both counted process-wide, see below); the caller then still
  ///          owns `x.overflow`.
  static bool push(uint64_t owner, const span_slot& x) noexcept;

  /// Spans ended after their engine stopped or was destroyed, process-wide.
  static uint64_t ended_after_close() noexcept;

  /// Rings the calling thread holds, of open and of closed buffers it has
  /// not let go of yet.
  static size_t rings_of_this_thread() noexcept;

  /// Spans lost because their thread's ring could not be allocated,
  /// process-wide.
  static uint64_t lost_to_memory() noexcept;

  /// Stops taking spans: spans still in a ring count as ended after close,
  /// and each thread drops its ring of these buffers at its next span, so a
  /// thread that lives on does not keep the rings (about 12 MB each at the
  /// default size) of engines that are gone. Idempotent.
  void close() noexcept;

  /// @returns the calling thread's ring, creating it on first use; nullptr
  ///          when closed or out of memory.
  span_ring* local() noexcept;

  /// Pops at most `max` spans from all rings and calls `f(span_slot&)` for
  /// each. Rings of exited threads are removed once empty.
  /// @returns the number popped.
  template <class F>
  size_t drain(size_t max, F f) {
    std::vector<std::shared_ptr<span_ring>> rings;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      rings = rings_;
    }
    size_t n = 0;
    span_slot slot;
    for (auto& r : rings) {
      while (n < max && r->try_pop(slot)) {
        ++n;
        if (before_drain_)
          before_drain_(slot);
        f(slot);
      }
    }
    prune();
    return n;
  }

  /// Runs `f` on every span as it is drained, before anyone else sees it
  /// (anonymisation). Set before the first drain.
  void on_drain(std::function<void(span_slot&)> f) {
    before_drain_ = std::move(f);
  }

  /// Spans dropped because a ring was full, over all threads ever.
  uint64_t dropped() const;

  /// Spans pushed, over all threads ever.
  uint64_t pushed() const;

  /// Rings currently registered.
  size_t rings() const;

private:
  void prune();

  /// Registers a new ring of the calling thread (cold path); counts a span
  /// that finds its buffers gone when `for_a_span`.
  static span_ring* add_local(uint64_t owner, bool for_a_span) noexcept;

  const uint64_t id_;
  size_t capacity_;
  recording_options opts_;
  mutable std::mutex mtx_;
  std::vector<std::shared_ptr<span_ring>> rings_;
  /// Totals of removed rings, so the counters never go backwards.
  uint64_t retired_dropped_ = 0;
  uint64_t retired_pushed_ = 0;
  std::function<void(span_slot&)> before_drain_;
};

} // namespace argus
