#pragma once

// Where the bot's threads record metric samples:
// the cells behind pre-resolved handles. Each recording thread gets a slot
// (a small integer, once per thread) and writes only its own shard of a
// cell, with relaxed loads and stores and no locked instruction, so
// recording costs a few ns and threads recording into one series never
// share a cache line. The dashboard reads every shard (relaxed loads) and
// adds them up; a sample is visible once its store is, and none is lost or
// counted twice. Threads beyond `max_thread_slots` alive at once share one
// last shard updated with atomic read-modify-writes: still correct, only
// slower. An exited thread's slot (and what its shards hold) passes to the
// next new thread.

#include "actors/common/log_histogram.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace argus {

/// Recording threads with a shard of their own; the rest share the last.
inline constexpr size_t max_thread_slots = 64;

/// @returns the calling thread's slot in [0, max_thread_slots); the last
///          slot is shared by the threads beyond 63 alive at once. A
///          thread's exclusive slot goes back to a pool when it exits.
size_t thread_slot() noexcept;

/// @returns whether `slot` is the one shared by the threads beyond the
///          first 63 (its shards need atomic read-modify-writes).
constexpr bool shared_slot(size_t slot) noexcept {
  return slot + 1 == max_thread_slots;
}

/// Adds `n` to `x`: a plain relaxed load and store when the calling thread
/// is the only writer, an atomic add when `shared`.
inline void add_relaxed(std::atomic<uint64_t>& x, uint64_t n,
                        bool shared) noexcept {
  if (shared)
    x.fetch_add(n, std::memory_order_relaxed);
  else
    x.store(x.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

/// A monotonically increasing count (Prometheus counter).
class counter_cell {
public:
  counter_cell() = default;
  counter_cell(const counter_cell&) = delete;
  counter_cell& operator=(const counter_cell&) = delete;

  void add(uint64_t n = 1) noexcept {
    auto slot = thread_slot();
    add_relaxed(shards_[slot].value, n, shared_slot(slot));
  }

  /// @returns the sum over all threads.
  uint64_t value() const noexcept;

private:
  struct alignas(64) shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<shard, max_thread_slots> shards_;
};

/// A value that goes up and down (Prometheus gauge): last write wins.
class gauge_cell {
public:
  void set(double x) noexcept {
    value_.store(x, std::memory_order_relaxed);
  }

  void add(double x) noexcept {
    auto cur = value_.load(std::memory_order_relaxed);
    while (
      !value_.compare_exchange_weak(cur, cur + x, std::memory_order_relaxed))
      ;
  }

  double value() const noexcept {
    return value_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<double> value_{0.0};
};

/// A distribution of observed values, recorded into the buckets of
/// `log_histogram` (relative error <= 1 %, mergeable), so a snapshot is a
/// `log_histogram` and windows merge exactly. Each thread's shard holds
/// its bucket counts in chunks of one octave (64 buckets), allocated the
/// first time the thread observes a value in that octave.
class histogram_cell {
public:
  histogram_cell();
  ~histogram_cell();
  histogram_cell(const histogram_cell&) = delete;
  histogram_cell& operator=(const histogram_cell&) = delete;

  /// Records `x`. NaN and infinities are counted as rejected.
  void observe(double x) noexcept {
    auto slot = thread_slot();
    auto* s = shards_[slot].load(std::memory_order_acquire);
    if (s == nullptr && (s = make_shard(slot)) == nullptr)
      return; // out of memory: the sample is lost, the bot is not
    s->record(x, shared_slot(slot));
  }

  /// @returns every thread's samples so far as one histogram.
  log_histogram snapshot() const;

private:
  static constexpr size_t octave = size_t{1} << log_histogram::sub_bits;
  /// Octaves kept: |x| in [2^-64, 2^64); values beyond are counted in the
  /// edge octaves (min and max stay exact).
  static constexpr int32_t first_octave = 1023 - 64;
  static constexpr size_t octaves = 128;

  struct chunk {
    std::array<std::atomic<uint64_t>, octave> counts{};
  };

  struct shard {
    /// Bucket counts of positive values and of negative ones (by |x|).
    std::array<std::atomic<chunk*>, octaves> positive{};
    std::array<std::atomic<chunk*>, octaves> negative{};
    std::atomic<uint64_t> zeros{0};
    std::atomic<uint64_t> rejected{0};
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0.0};
    std::atomic<double> min{0.0};
    std::atomic<double> max{0.0};

    /// `shared`: other threads write this shard too (atomic RMW).
    void record(double x, bool shared) noexcept;
    ~shard();
  };

  shard* make_shard(size_t slot) noexcept;

  std::array<std::atomic<shard*>, max_thread_slots> shards_{};
};

} // namespace argus
