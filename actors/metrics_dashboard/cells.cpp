#include "actors/metrics_dashboard/cells.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <new>
#include <vector>

namespace argus {

namespace {

/// Slots never handed out, and those of threads that have exited, for the
/// next new thread. Never destroyed: threads exit in any order relative to
/// static destruction.
struct slot_pool {
  slot_pool() {
    // Returning a slot never allocates (it runs in a thread's exit).
    free.reserve(max_thread_slots);
  }
  std::mutex mtx;
  std::vector<size_t> free;
  size_t next = 0;
};

slot_pool& pool() {
  static auto* p = new slot_pool;
  return *p;
}

constexpr size_t no_slot = static_cast<size_t>(-1);

/// The calling thread's slot, once it has one (constant-initialised: the
/// recording path reads it without a guard).
thread_local size_t this_thread_slot = no_slot;

/// Owns the calling thread's slot and gives it back when the thread exits,
/// so that threads that come and go do not use up the exclusive slots.
struct slot_owner {
  size_t slot;
  slot_owner() noexcept {
    auto& p = pool();
    std::lock_guard<std::mutex> guard{p.mtx};
    if (!p.free.empty()) {
      slot = p.free.back();
      p.free.pop_back();
    } else {
      slot = std::min(p.next++, max_thread_slots - 1);
    }
  }
  ~slot_owner() {
    // Whatever this thread still records while it exits goes to the shared
    // slot: the exclusive one may belong to another thread from now on.
    this_thread_slot = max_thread_slots - 1;
    if (shared_slot(slot))
      return;
    auto& p = pool();
    std::lock_guard<std::mutex> guard{p.mtx};
    p.free.push_back(slot);
  }
};

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

/// A thread's first sample: takes a slot from the pool. Out of line, so the
/// recording path stays a load and a compare.
[[gnu::noinline, gnu::cold]] size_t claim_thread_slot() noexcept {
  thread_local slot_owner owner;
  this_thread_slot = owner.slot;
  return owner.slot;
}

size_t thread_slot() noexcept {
  auto slot = this_thread_slot;
  return slot != no_slot ? slot : claim_thread_slot();
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
