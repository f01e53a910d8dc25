#include "actors/metrics_dashboard/cells.hpp"

#include <algorithm>
#include <cmath>
#include <new>

namespace argus {

namespace {

std::atomic<size_t> next_thread_slot{0};

/// Replaces the value by `f(old)`; stores nothing when that is the old
/// value (most samples leave min and max as they are).
template <class F>
void update(std::atomic<double>& x, bool shared, F f) noexcept {
  auto cur = x.load(std::memory_order_relaxed);
  auto next = f(cur);
  if (next == cur)
    return;
  if (!shared) {
    x.store(next, std::memory_order_relaxed);
    return;
  }
  while (!x.compare_exchange_weak(cur, next, std::memory_order_relaxed)) {
    next = f(cur);
    if (next == cur)
      return;
  }
}

} // namespace

size_t thread_slot() noexcept {
  thread_local size_t slot
    = std::min(next_thread_slot.fetch_add(1, std::memory_order_relaxed),
               max_thread_slots - 1);
  return slot;
}

uint64_t counter_cell::value() const noexcept {
  uint64_t total = 0;
  for (const auto& s : shards_)
    total += s.value.load(std::memory_order_relaxed);
  return total;
}

histogram_cell::histogram_cell() = default;

histogram_cell::~histogram_cell() {
  for (auto& s : shards_)
    delete s.load(std::memory_order_acquire);
}

histogram_cell::shard::~shard() {
  for (auto& c : positive)
    delete c.load(std::memory_order_acquire);
  for (auto& c : negative)
    delete c.load(std::memory_order_acquire);
}

histogram_cell::shard* histogram_cell::make_shard(size_t slot) noexcept {
  auto* fresh = new (std::nothrow) shard;
  if (fresh == nullptr)
    return nullptr;
  shard* expected = nullptr;
  // Only the shared last slot can race here.
  if (!shards_[slot].compare_exchange_strong(expected, fresh,
                                             std::memory_order_acq_rel)) {
    delete fresh;
    return expected;
  }
  return fresh;
}

void histogram_cell::shard::record(double x, bool shared) noexcept {
  if (!std::isfinite(x)) {
    add_relaxed(rejected, 1, shared);
    return;
  }
  auto first = count.load(std::memory_order_relaxed) == 0;
  update(min, shared, [&](double m) {
    return first ? x : std::min(m, x);
  });
  update(max, shared, [&](double m) {
    return first ? x : std::max(m, x);
  });
  update(sum, shared, [&](double s) {
    return s + x;
  });
  if (x == 0) {
    add_relaxed(zeros, 1, shared);
  } else {
    auto bucket = log_histogram::bucket_of(x);
    auto oct = (bucket >> log_histogram::sub_bits) - first_octave;
    if (oct < 0)
      bucket = first_octave << log_histogram::sub_bits;
    else if (oct >= static_cast<int32_t>(octaves))
      bucket = ((first_octave + static_cast<int32_t>(octaves))
                << log_histogram::sub_bits)
               - 1;
    oct = std::clamp<int32_t>(oct, 0, static_cast<int32_t>(octaves) - 1);
    auto& slot = (x < 0 ? negative : positive)[static_cast<size_t>(oct)];
    auto* c = slot.load(std::memory_order_acquire);
    if (c == nullptr) {
      auto* fresh = new (std::nothrow) chunk;
      if (fresh == nullptr) {
        add_relaxed(rejected, 1, shared);
        return;
      }
      chunk* expected = nullptr;
      if (slot.compare_exchange_strong(expected, fresh,
                                       std::memory_order_acq_rel)) {
        c = fresh;
      } else {
        delete fresh;
        c = expected;
      }
    }
    add_relaxed(c->counts[static_cast<size_t>(bucket) & (octave - 1)], 1,
                shared);
  }
  // Last, so a reader that sees the count sees the sample's bucket too
  // (count is only a hint for "first"; the snapshot counts buckets).
  add_relaxed(count, 1, shared);
}

log_histogram histogram_cell::snapshot() const {
  log_histogram result;
  for (const auto& sp : shards_) {
    const auto* s = sp.load(std::memory_order_acquire);
    if (s == nullptr)
      continue;
    log_histogram part;
    for (size_t o = 0; o < octaves; ++o)
      for (int neg = 0; neg < 2; ++neg) {
        const auto* c = (neg ? s->negative : s->positive)[o].load(
          std::memory_order_acquire);
        if (c == nullptr)
          continue;
        for (size_t i = 0; i < octave; ++i)
          part.add_to_bucket(
            static_cast<int32_t>(((first_octave + static_cast<int32_t>(o))
                                  << log_histogram::sub_bits)
                                 + static_cast<int32_t>(i)),
            neg != 0, c->counts[i].load(std::memory_order_relaxed));
      }
    part.add_to_bucket(-1, false, s->zeros.load(std::memory_order_relaxed));
    part.add_totals(s->sum.load(std::memory_order_relaxed),
                    s->min.load(std::memory_order_relaxed),
                    s->max.load(std::memory_order_relaxed),
                    s->rejected.load(std::memory_order_relaxed));
    result.merge(part);
  }
  return result;
}

} // namespace argus
