#include "runtime/span.hpp"

#include "messages/time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <typeinfo>

#include <cxxabi.h>

#if defined(__x86_64__)
#  include <x86intrin.h>
#endif

namespace argus::runtime {

namespace {

/// How the span clock turns TSC ticks into nanoseconds.
struct tsc_calibration {
  bool usable = false;
  double ns_per_tick = 0.0;
  /// Re-anchor on the wall clock after this many ticks (50 ms), so the
  /// frequency estimate's error never adds up to more than ~1 us.
  uint64_t reanchor_ticks = 0;
};

tsc_calibration calibrate() {
  tsc_calibration result;
#if defined(__x86_64__)
  // Only an invariant TSC ticks at one rate across cores and power states.
  std::ifstream cpuinfo{"/proc/cpuinfo"};
  std::string line;
  bool constant = false;
  bool nonstop = false;
  while (std::getline(cpuinfo, line) && line.rfind("flags", 0) != 0) {
    // skip to the first flags line
  }
  constant = line.find(" constant_tsc") != std::string::npos;
  nonstop = line.find(" nonstop_tsc") != std::string::npos;
  if (!constant || !nonstop)
    return result;
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  auto c0 = __rdtsc();
  while (clock::now() - t0 < std::chrono::milliseconds{2}) {
    // spin: a short, one-time calibration
  }
  auto t1 = clock::now();
  auto c1 = __rdtsc();
  auto ns
    = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  if (c1 <= c0 || ns <= 0)
    return result;
  result.ns_per_tick = static_cast<double>(ns) / static_cast<double>(c1 - c0);
  result.reanchor_ticks = static_cast<uint64_t>(50e6 / result.ns_per_tick);
  result.usable = true;
#endif
  return result;
}

/// Wall-clock nanoseconds for span timestamps at a third of the cost of
/// `clock_gettime` where the TSC is invariant: ticks since a per-thread
/// anchor that is refreshed from the wall clock every 50 ms.
int64_t span_clock_ns() noexcept {
#if defined(__x86_64__)
  static const tsc_calibration cal = calibrate();
  if (cal.usable) {
    thread_local uint64_t anchor_tsc = 0;
    thread_local int64_t anchor_ns = 0;
    auto now = __rdtsc();
    if (anchor_tsc == 0 || now - anchor_tsc > cal.reanchor_ticks) {
      anchor_ns = wall_clock_ns();
      anchor_tsc = __rdtsc();
      return anchor_ns;
    }
    return anchor_ns
           + static_cast<int64_t>(static_cast<double>(now - anchor_tsc)
                                  * cal.ns_per_tick);
  }
#endif
  return wall_clock_ns();
}

/// The spans open on this thread, innermost last, held by value: a new span
/// reads its parent from here, never through a pointer to a span object,
/// which may have ended out of order, moved, or been destroyed on another
/// thread. Trivially destructible, so it stays usable while the thread
/// exits.
struct open_spans {
  struct frame {
    const scoped_span* owner; // compared, never dereferenced
    trace_id trace;
    span_id span;
    /// The trace id the span's correlation id maps to: equal for spans of
    /// the same request, cheaper to keep and compare than the id itself.
    trace_id request;
  };
  /// Deeper spans still record; they are just nobody's parent.
  static constexpr size_t capacity = 32;
  frame frames[capacity];
  size_t depth;

  const frame* top() const noexcept {
    return depth > 0 ? &frames[depth - 1] : nullptr;
  }

  void push(const scoped_span* owner, const span_slot& slot,
            const trace_id& request) noexcept {
    if (depth < capacity)
      frames[depth++] = frame{owner, slot.trace, slot.span, request};
  }

  /// Removes `owner`'s frame wherever it is (a parent may end before its
  /// child).
  void remove(const scoped_span* owner) noexcept {
    for (size_t i = depth; i-- > 0;) {
      if (frames[i].owner == owner) {
        for (size_t k = i + 1; k < depth; ++k)
          frames[k - 1] = frames[k];
        --depth;
        return;
      }
    }
  }
};

static_assert(std::is_trivially_destructible_v<open_spans>);

// Zero-initialised: constant initialisation, no guard on each access.
thread_local open_spans this_thread_spans{};

/// Span ids: a per-thread SplitMix64 sequence from a random seed, so ids are
/// unique across threads and processes without any shared state.
uint64_t next_span_bits() noexcept {
  thread_local uint64_t state = [] {
    std::random_device rd;
    auto seed = (uint64_t{rd()} << 32) ^ rd();
    seed ^= std::hash<std::thread::id>{}(std::this_thread::get_id());
    return seed;
  }();
  auto z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return z == 0 ? 1 : z;
}

/// The last correlation id's trace id, per thread: consecutive spans of one
/// request hash the id once.
const trace_id& cached_trace_id(const correlation_id& corr) noexcept {
  thread_local correlation_id last_corr;
  thread_local trace_id last_trace;
  if (corr != last_corr || !last_trace.valid()) {
    last_corr = corr;
    last_trace = trace_id_for(corr);
  }
  return last_trace;
}

template <size_t N>
uint8_t copy_clipped(char (&dst)[N], std::string_view src) noexcept {
  auto n = std::min(src.size(), N);
  std::memcpy(dst, src.data(), n);
  return static_cast<uint8_t>(n);
}

} // namespace

scoped_span::scoped_span(span_buffers& buffers, component_type component,
                         std::string_view operation, const correlation_id& corr,
                         span_kind kind) {
  if (!start(buffers, component, operation, corr, kind))
    return;
  // The innermost open span of the same request on this thread is the
  // parent.
  const auto& request = cached_trace_id(corr);
  auto enclosing = this_thread_spans.top();
  if (enclosing && enclosing->request == request) {
    slot_.trace = enclosing->trace;
    slot_.parent = enclosing->span;
  } else {
    slot_.trace = request;
  }
  this_thread_spans.push(this, slot_, request);
}

scoped_span::scoped_span(span_buffers& buffers, component_type component,
                         std::string_view operation, const correlation_id& corr,
                         const trace_context& parent, span_kind kind) {
  if (!start(buffers, component, operation, corr, kind))
    return;
  const auto& request = cached_trace_id(corr);
  slot_.trace = parent.trace.valid() ? parent.trace : request;
  slot_.parent = parent.parent;
  this_thread_spans.push(this, slot_, request);
}

bool scoped_span::start(span_buffers& buffers, component_type component,
                        std::string_view operation, const correlation_id& corr,
                        span_kind kind) {
  if (!buffers.options().enable_tracing)
    return false;
  owner_ = buffers.id();
  error_tracing_ = buffers.options().enable_error_tracing;
  slot_.clear();
  slot_.corr = corr;
  slot_.component = component;
  slot_.kind = kind;
  slot_.parent = span_id{};
  auto bits = next_span_bits();
  for (int i = 0; i < 8; ++i)
    slot_.span.bytes[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  slot_.operation_len = copy_clipped(slot_.operation, operation);
  if (operation.size() > span_slot::name_size) {
    try {
      overflow().operation = std::string{operation};
      slot_.operation_len = 0;
    } catch (...) {
      // Out of memory: the name stays clipped.
    }
  }
  slot_.start_ns = span_clock_ns();
  return true;
}

scoped_span::scoped_span(scoped_span&& other) noexcept
    : owner_(other.owner_),
      error_tracing_(other.error_tracing_),
      slot_(other.slot_) {
  // The moved-to span may end on another thread: it is nobody's enclosing
  // span any more.
  other.detach_from_thread();
  other.owner_ = 0;
  other.slot_.overflow = nullptr;
}

scoped_span& scoped_span::operator=(scoped_span&& other) noexcept {
  if (this != &other) {
    end();
    owner_ = other.owner_;
    error_tracing_ = other.error_tracing_;
    slot_ = other.slot_;
    other.detach_from_thread();
    other.owner_ = 0;
    other.slot_.overflow = nullptr;
  }
  return *this;
}

scoped_span::~scoped_span() {
  // Asked here only, not at construction as well: it costs a TLS lookup in
  // libstdc++ per call. A span started inside a destructor that runs during
  // unwinding would be marked as failed; spans do not start there.
  if (owner_ != 0 && error_tracing_ && slot_.status != span_status::error
      && std::uncaught_exceptions() > 0)
    error("exception left the span's scope");
  end();
}

void scoped_span::detach_from_thread() noexcept {
  this_thread_spans.remove(this);
}

span_recorded& scoped_span::overflow() noexcept {
  if (!slot_.overflow)
    slot_.overflow = new (std::nothrow) span_recorded{};
  // Out of memory: lose the extras, keep the span.
  static thread_local span_recorded sink;
  return slot_.overflow ? *slot_.overflow : sink;
}

namespace {

/// @returns the slot's attribute for `key`, adding one if there is room;
///          nullptr when the key or the slot does not fit inline.
span_slot::attr* find_or_add(span_slot& slot, std::string_view key) noexcept {
  if (key.size() > span_slot::key_size)
    return nullptr;
  for (uint8_t i = 0; i < slot.attr_count; ++i) {
    auto& a = slot.attrs[i];
    if (a.key_len == key.size()
        && std::memcmp(a.key, key.data(), key.size()) == 0)
      return &a;
  }
  if (slot.attr_count == span_slot::max_attributes)
    return nullptr;
  auto& a = slot.attrs[slot.attr_count++];
  a.key_len = copy_clipped(a.key, key);
  a.text_len = 0;
  return &a;
}

} // namespace

void scoped_span::set(std::string_view key, int64_t value) noexcept {
  if (owner_ == 0)
    return;
  if (auto a = find_or_add(slot_, key)) {
    a->type = attribute_type::integer;
    a->integer = value;
  } else {
    try {
      overflow().attributes.push_back(
        {std::string{key}, attribute_type::integer, {}, value, 0.0, false});
    } catch (...) {
      // Out of memory: the attribute is lost, the span is kept.
    }
  }
}

void scoped_span::set(std::string_view key, double value) noexcept {
  if (owner_ == 0)
    return;
  if (auto a = find_or_add(slot_, key)) {
    a->type = attribute_type::real;
    a->real = value;
  } else {
    try {
      overflow().attributes.push_back(
        {std::string{key}, attribute_type::real, {}, 0, value, false});
    } catch (...) {
      // Out of memory: the attribute is lost, the span is kept.
    }
  }
}

void scoped_span::set(std::string_view key, bool value) noexcept {
  if (owner_ == 0)
    return;
  if (auto a = find_or_add(slot_, key)) {
    a->type = attribute_type::boolean;
    a->boolean = value;
  } else {
    try {
      overflow().attributes.push_back(
        {std::string{key}, attribute_type::boolean, {}, 0, 0.0, value});
    } catch (...) {
      // Out of memory: the attribute is lost, the span is kept.
    }
  }
}

void scoped_span::set(std::string_view key, std::string_view value) noexcept {
  if (owner_ == 0)
    return;
  auto a
    = value.size() <= span_slot::text_size ? find_or_add(slot_, key) : nullptr;
  if (a) {
    a->type = attribute_type::string;
    a->text_len = copy_clipped(a->text, value);
  } else {
    try {
      overflow().attributes.push_back({std::string{key}, attribute_type::string,
                                       std::string{value}, 0, 0.0, false});
    } catch (...) {
      // Out of memory: the attribute is lost, the span is kept.
    }
  }
}

void scoped_span::event(std::string_view name) noexcept {
  if (owner_ == 0)
    return;
  try {
    overflow().events.push_back({std::string{name}, span_clock_ns(), {}});
  } catch (...) {
  }
}

void scoped_span::link(const trace_id& trace, const span_id& span) noexcept {
  if (owner_ == 0)
    return;
  try {
    overflow().links.push_back({trace.hex(), span.hex()});
  } catch (...) {
  }
}

void scoped_span::set_kind(span_kind kind) noexcept {
  slot_.kind = kind;
}

void scoped_span::ok() noexcept {
  slot_.status = span_status::ok;
}

std::string exception_type_name(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> readable{
    abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free};
  return status == 0 && readable ? readable.get() : mangled;
}

void scoped_span::record_exception(const std::exception& e) noexcept {
  if (owner_ != 0) {
    // OpenTelemetry's semantic conventions: an event named "exception"
    // with the exception's type and message.
    try {
      span_event ev{std::string{exception_event_name}, span_clock_ns(), {}};
      ev.attributes.push_back({std::string{exception_type_key},
                               attribute_type::string, exception_type_name(e),
                               0, 0.0, false});
      ev.attributes.push_back({std::string{exception_message_key},
                               attribute_type::string, e.what(), 0, 0.0,
                               false});
      overflow().events.push_back(std::move(ev));
    } catch (...) {
      // Out of memory: the status message below still says what failed.
    }
  }
  error(e.what());
}

void scoped_span::error(std::string_view message) noexcept {
  slot_.status = span_status::error;
  if (message.size() <= span_slot::message_size) {
    slot_.message_len = copy_clipped(slot_.message, message);
  } else if (owner_ != 0) {
    slot_.message_len = 0;
    try {
      overflow().status_message = std::string{message};
    } catch (...) {
      slot_.message_len = copy_clipped(slot_.message, message);
    }
  }
}

void scoped_span::end() noexcept {
  if (owner_ == 0)
    return;
  slot_.end_ns = span_clock_ns();
  detach_from_thread();
  if (!span_buffers::push(owner_, slot_))
    delete slot_.overflow; // dropped, and counted
  slot_.overflow = nullptr;
  owner_ = 0;
}

trace_context scoped_span::context() const noexcept {
  trace_context ctx;
  ctx.trace = slot_.trace;
  ctx.parent = slot_.span;
  ctx.flags = 0x01;
  return ctx;
}

} // namespace argus::runtime
