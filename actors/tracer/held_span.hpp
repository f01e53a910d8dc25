#pragma once

#include "actors/common/packed.hpp"
#include "actors/tracer/span_buffers.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace argus {

/// A finished span the tracer holds in memory, in as few bytes as it
/// takes: a span from a thread's ring keeps only the part of its slot in
/// use (the header and the attributes set, not the whole fixed slot), a
/// span from the wire is kept msgpack-encoded. The tracer holds up to
/// `max_trace_history` traces of these, so their size is most of its
/// memory; either is converted back only when someone asks for the trace.
class held_span {
public:
  /// Takes the slot's used bytes and ownership of its overflow.
  explicit held_span(const span_slot& x);

  /// Encodes `x`.
  explicit held_span(const span_recorded& x);

  /// @returns the protocol's span.
  span_recorded get() const;

  int64_t start_ns() const noexcept {
    return start_ns_;
  }

  /// @returns the bytes this span holds on the heap (for the tracer's
  ///          memory figure).
  size_t heap_bytes() const noexcept;

private:
  /// A span from a thread's ring: its slot up to the last attribute in
  /// use, and the slot's overflow (events, links, more attributes, long
  /// strings).
  struct slot_copy {
    std::string bytes;
    std::unique_ptr<span_recorded> extra;
  };
  std::variant<slot_copy, packed<span_recorded>> held_;
  int64_t start_ns_ = 0;
};

} // namespace argus
