#pragma once

// The shape of one trace: the span tree with start offsets, self time and the
// critical path. Pure functions; the tracer actor, argusctl and the REST API
// all render from this.

#include "messages/trace_context.hpp"
#include "messages/tracing.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace argus {

/// One span placed in its trace.
struct span_node {
  /// Index of the span in the input.
  size_t span = 0;
  /// Node index of the parent; empty for a root (or a span whose parent is
  /// missing from the trace).
  std::optional<size_t> parent;
  /// Node indices of the children, by start time.
  std::vector<size_t> children;
  uint32_t depth = 0;
  /// Start relative to the trace's earliest span.
  int64_t start_offset_ns = 0;
  int64_t duration_ns = 0;
  /// Time not covered by any child (children clipped to this span).
  int64_t self_ns = 0;
  /// On the critical path: the chain of spans that determined the trace's
  /// end-to-end latency.
  bool critical = false;
  /// The part of the critical path this span accounts for itself: its
  /// duration minus that of its critical children (0 when not critical).
  /// Over the critical path these add up to the root's duration.
  int64_t critical_ns = 0;
};

/// A trace as a tree, in depth-first order (the order of a waterfall).
struct trace_tree {
  std::vector<span_node> nodes;
  /// Node indices of the roots, by start time.
  std::vector<size_t> roots;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  /// Node indices on the critical path, by start time.
  std::vector<size_t> critical_path;

  int64_t duration_ns() const noexcept {
    return end_ns - start_ns;
  }
};

/// What the tree needs of a span: its id, its parent's (0: none) and when.
struct span_extent {
  uint64_t id = 0;
  uint64_t parent = 0;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

/// Builds the tree of `spans` (all of one trace). Spans whose parent is not
/// among them become roots; parent cycles are broken, never followed.
trace_tree build_trace_tree(const std::vector<span_extent>& spans);

/// The same for recorded spans (ids as hex text).
trace_tree build_trace_tree(const std::vector<span_recorded>& spans);

/// @returns the 64-bit key of a span id in hex (0 when empty; a malformed id
///          still gets a stable non-zero key).
uint64_t span_key(std::string_view hex);

/// @returns the 64-bit key of a span id (the same key as its hex form's).
uint64_t span_key(const span_id& id);

} // namespace argus
