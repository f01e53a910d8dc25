#pragma once

#include "actors/tracer/span_buffers.hpp"

#include <exception>
#include <string>
#include <string_view>

namespace argus::runtime {

/// @returns the demangled dynamic type of `e`, e.g. `std::runtime_error`.
std::string exception_type_name(const std::exception& e);

/// One span of the bot's work, recorded when it ends (destructor or `end()`).
/// Allocation-free in the common case (up to `span_slot::max_attributes`
/// attributes with short keys and strings, no events or links); never blocks
/// and never throws: out of memory, the extras that need it are lost, and a
/// span whose thread ring cannot be made is counted and dropped. A span may
/// outlive its engine; it then records nothing. The parent is the enclosing
/// span of the same request on the same thread, or the one given explicitly (a
/// span may end on another thread: move it there).
///
/// ```
/// auto s = client.span(component_type::analyst, "feature_engineering", cid);
/// s.set("features_generated", 50);
/// ```
class scoped_span {
public:
  /// An inactive span (tracing disabled): every call is a no-op.
  scoped_span() = default;

  /// Starts a span of `corr`'s trace, child of the thread's current span of
  /// the same request, if any.
  scoped_span(span_buffers& buffers, component_type component,
              std::string_view operation, const correlation_id& corr,
              span_kind kind = span_kind::internal);

  /// Starts a span whose parent comes from elsewhere: another thread's span
  /// or a `traceparent` received with the request.
  scoped_span(span_buffers& buffers, component_type component,
              std::string_view operation, const correlation_id& corr,
              const trace_context& parent,
              span_kind kind = span_kind::internal);

  scoped_span(scoped_span&& other) noexcept;
  scoped_span& operator=(scoped_span&& other) noexcept;
  scoped_span(const scoped_span&) = delete;
  scoped_span& operator=(const scoped_span&) = delete;

  /// Ends the span if `end()` was not called. With error tracing on, an
  /// exception leaving the span's scope marks it as an error.
  ~scoped_span();

  // -- attributes (the last value of a key wins) -----------------------------

  void set(std::string_view key, int64_t value) noexcept;
  void set(std::string_view key, int value) noexcept {
    set(key, static_cast<int64_t>(value));
  }
  void set(std::string_view key, double value) noexcept;
  void set(std::string_view key, bool value) noexcept;
  void set(std::string_view key, std::string_view value) noexcept;
  void set(std::string_view key, const char* value) noexcept {
    set(key, std::string_view{value});
  }

  /// Adds a timed event (allocates).
  void event(std::string_view name) noexcept;

  /// Links another span (many fills -> one order; allocates).
  void link(const trace_id& trace, const span_id& span) noexcept;

  void set_kind(span_kind kind) noexcept;

  /// Marks the span OK.
  void ok() noexcept;

  /// Marks the span as failed with `message`.
  void error(std::string_view message) noexcept;

  /// Marks the span as failed by `e`, as OpenTelemetry records exceptions:
  /// status Error with message `e.what()`, and an event `exception` with the
  /// attributes `exception.type` (demangled) and `exception.message`.
  void record_exception(const std::exception& e) noexcept;

  /// Ends and records the span now.
  void end() noexcept;

  /// @returns whether the span records (tracing on and not yet ended).
  bool active() const noexcept {
    return owner_ != 0;
  }

  /// @returns this span as a parent for spans elsewhere (sampled flag set:
  ///          sampling is decided by the tracer from the trace id).
  trace_context context() const noexcept;

  const span_slot& slot() const noexcept {
    return slot_;
  }

private:
  /// Fills the slot. @returns false (the span stays inactive) when tracing
  /// is off.
  bool start(span_buffers& buffers, component_type component,
             std::string_view operation, const correlation_id& corr,
             span_kind kind);
  span_recorded& overflow() noexcept;
  void detach_from_thread() noexcept;

  /// The id of the buffers the span goes to, never a pointer to them: a span
  /// that outlives its engine ends as a counted no-op
  /// (`span_buffers::ended_after_close`). 0: inactive.
  uint64_t owner_ = 0;
  bool error_tracing_ = false;
  span_slot slot_;
};

} // namespace argus::runtime
