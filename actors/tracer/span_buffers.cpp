#include "actors/tracer/span_buffers.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace argus {

static_assert(std::is_trivially_copyable_v<span_slot>,
              "span slots move through the ring with memcpy");

namespace {

std::atomic<uint64_t> next_buffers_id{1};
std::atomic<uint64_t> spans_ended_after_close{0};
std::atomic<uint64_t> spans_lost_to_memory{0};

/// The buffers that take spans, by id. Threads find an engine here only to
/// make their ring, so a span that outlives its engine finds nothing instead
/// of a dangling pointer. Never destroyed: an engine kept in a static may
/// close after other statics are gone.
struct live_buffers {
  std::mutex mtx;
  std::vector<std::pair<uint64_t, span_buffers*>> entries;

  static live_buffers& get() {
    static auto* instance = new live_buffers;
    return *instance;
  }
};

/// The calling thread's rings, one per engine it has recorded into. Marks
/// them orphaned when the thread exits, so the tracer can drop them once
/// drained.
struct thread_rings {
  struct entry {
    uint64_t owner;
    std::shared_ptr<span_ring> ring;
  };
  std::vector<entry> entries;

  /// Drops the rings of closed buffers (the last reference frees the ring).
  void prune_closed() noexcept {
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [](const entry& e) {
                                   return e.ring->closed.load(
                                     std::memory_order_acquire);
                                 }),
                  entries.end());
  }

  ~thread_rings() {
    for (auto& e : entries)
      e.ring->orphaned.store(true, std::memory_order_release);
  }
};

thread_local thread_rings this_thread_rings;

} // namespace

namespace {

/// A slot's header and two attributes: what most spans use.
constexpr size_t prefetched_bytes
  = offsetof(span_slot, attrs) + 2 * sizeof(span_slot::attr);

} // namespace

size_t span_slot::used_size() const noexcept {
  return offsetof(span_slot, attrs) + attr_count * sizeof(attr);
}

span_recorded to_span_recorded(const span_slot& x) {
  span_recorded result;
  if (x.overflow)
    result = *x.overflow; // events, links, extra attributes, long strings
  result.hdr = make_header<span_recorded>(x.corr);
  result.trace_id = x.trace.hex();
  result.span_id = x.span.hex();
  result.parent_span_id = x.parent.valid() ? x.parent.hex() : std::string{};
  result.component = x.component;
  result.kind = x.kind;
  result.status = x.status;
  result.start_ns = x.start_ns;
  result.end_ns = x.end_ns;
  if (x.operation_len > 0 || result.operation.empty())
    result.operation.assign(x.operation, x.operation_len);
  if (x.message_len > 0)
    result.status_message.assign(x.message, x.message_len);
  std::vector<attribute> attrs;
  attrs.reserve(x.attr_count + result.attributes.size());
  for (uint8_t i = 0; i < x.attr_count; ++i) {
    const auto& a = x.attrs[i];
    attribute out;
    out.key.assign(a.key, a.key_len);
    out.type = a.type;
    switch (a.type) {
      case attribute_type::string:
        out.text.assign(a.text, a.text_len);
        break;
      case attribute_type::integer:
        out.integer = a.integer;
        break;
      case attribute_type::real:
        out.real = a.real;
        break;
      case attribute_type::boolean:
        out.boolean = a.boolean;
        break;
    }
    attrs.push_back(std::move(out));
  }
  // Inline attributes were set first; overflow ones came after them.
  attrs.insert(attrs.end(), std::make_move_iterator(result.attributes.begin()),
               std::make_move_iterator(result.attributes.end()));
  result.attributes = std::move(attrs);
  return result;
}

span_ring::span_ring(size_t capacity) {
  size_t n = 2;
  while (n < capacity)
    n <<= 1;
  mask_ = n - 1;
  // Default-initialized (not zeroed), so a ring's pages become resident
  // only as the thread records into them.
  slots_.reset(new span_slot[n]);
}

span_ring::~span_ring() {
  // Spans never drained still own their overflow.
  span_slot slot;
  while (try_pop(slot))
    delete slot.overflow;
}

bool span_ring::try_push(const span_slot& x) noexcept {
  auto tail = tail_.load(std::memory_order_relaxed);
  if (tail - cached_head_ > mask_) {
    cached_head_ = head_.load(std::memory_order_acquire);
    if (tail - cached_head_ > mask_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  }
  std::memcpy(static_cast<void*>(&slots_[tail & mask_]), &x, x.used_size());
  tail_.store(tail + 1, std::memory_order_release);
  // The next slot's lines were last read by the tracer on the other core:
  // ask for them writable now, so the miss overlaps the bot's work until
  // its next span instead of stalling that span's copy.
  const auto* next = reinterpret_cast<const char*>(&slots_[(tail + 1) & mask_]);
  for (size_t offset = 0; offset < prefetched_bytes; offset += 64)
    __builtin_prefetch(next + offset, 1, 3);
  return true;
}

bool span_ring::try_pop(span_slot& out) noexcept {
  auto head = head_.load(std::memory_order_relaxed);
  if (head == cached_tail_) {
    cached_tail_ = tail_.load(std::memory_order_acquire);
    if (head == cached_tail_)
      return false;
  }
  const auto& slot = slots_[head & mask_];
  std::memcpy(static_cast<void*>(&out), &slot, slot.used_size());
  head_.store(head + 1, std::memory_order_release);
  return true;
}

span_buffers::span_buffers(size_t ring_capacity, recording_options opts)
    : id_(next_buffers_id.fetch_add(1)), capacity_(ring_capacity), opts_(opts) {
  auto& live = live_buffers::get();
  std::lock_guard<std::mutex> guard{live.mtx};
  live.entries.emplace_back(id_, this);
}

span_buffers::~span_buffers() {
  close();
}

void span_buffers::close() noexcept {
  {
    auto& live = live_buffers::get();
    std::lock_guard<std::mutex> guard{live.mtx};
    auto& xs = live.entries;
    xs.erase(std::remove_if(xs.begin(), xs.end(),
                            [this](const auto& x) {
                              return x.first == id_;
                            }),
             xs.end());
  }
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto& r : rings_) {
    if (r->closed.exchange(true, std::memory_order_acq_rel))
      continue;
    spans_ended_after_close.fetch_add(r->waiting(), std::memory_order_relaxed);
  }
}

uint64_t span_buffers::ended_after_close() noexcept {
  return spans_ended_after_close.load(std::memory_order_relaxed);
}

size_t span_buffers::rings_of_this_thread() noexcept {
  return this_thread_rings.entries.size();
}

uint64_t span_buffers::lost_to_memory() noexcept {
  return spans_lost_to_memory.load(std::memory_order_relaxed);
}

bool span_buffers::push(uint64_t owner, const span_slot& x) noexcept {
  auto& mine = this_thread_rings.entries;
  for (auto& e : mine) {
    if (e.owner != owner)
      continue;
    if (!e.ring->closed.load(std::memory_order_acquire))
      return e.ring->try_push(x);
    this_thread_rings.prune_closed();
    spans_ended_after_close.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  auto ring = add_local(owner, true);
  return ring && ring->try_push(x);
}

span_ring* span_buffers::local() noexcept {
  for (auto& e : this_thread_rings.entries)
    if (e.owner == id_)
      return e.ring->closed.load(std::memory_order_acquire) ? nullptr
                                                            : e.ring.get();
  return add_local(id_, false);
}

span_ring* span_buffers::add_local(uint64_t owner, bool for_a_span) noexcept {
  auto& mine = this_thread_rings;
  // A thread that starts recording into a new engine lets go of the rings of
  // the ones that are gone first.
  mine.prune_closed();
  try {
    mine.entries.reserve(mine.entries.size() + 1);
    auto& live = live_buffers::get();
    std::lock_guard<std::mutex> live_guard{live.mtx};
    auto i = std::find_if(live.entries.begin(), live.entries.end(),
                          [owner](const auto& x) {
                            return x.first == owner;
                          });
    if (i == live.entries.end()) {
      if (for_a_span)
        spans_ended_after_close.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    auto& buffers = *i->second;
    auto ring = std::make_shared<span_ring>(buffers.capacity_);
    {
      std::lock_guard<std::mutex> guard{buffers.mtx_};
      buffers.rings_.push_back(ring);
    }
    mine.entries.push_back({owner, ring}); // reserved: cannot throw
    return ring.get();
  } catch (...) {
    // Out of memory for a ring: this span is lost, the next one tries again.
    spans_lost_to_memory.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
}

void span_buffers::prune() {
  std::lock_guard<std::mutex> guard{mtx_};
  // An orphaned ring gets no more pushes; it goes once the tracer has
  // taken everything in it.
  auto gone = [this](const std::shared_ptr<span_ring>& r) {
    if (!r->orphaned.load(std::memory_order_acquire) || !r->empty())
      return false;
    retired_dropped_ += r->dropped();
    retired_pushed_ += r->pushed();
    return true;
  };
  rings_.erase(std::remove_if(rings_.begin(), rings_.end(), gone),
               rings_.end());
}

uint64_t span_buffers::dropped() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto total = retired_dropped_;
  for (const auto& r : rings_)
    total += r->dropped();
  return total;
}

uint64_t span_buffers::pushed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto total = retired_pushed_;
  for (const auto& r : rings_)
    total += r->pushed();
  return total;
}

size_t span_buffers::rings() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return rings_.size();
}

} // namespace argus
