#pragma once

// Two traces side by side (what Jaeger's trace comparison shows): spans
// matched by component, operation and their occurrence, the ones only one
// trace has, and the durations that differ most.

#include "messages/tracing.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace argus {

struct span_pair {
  std::string component;
  std::string operation;
  /// Which occurrence of (component, operation) in start order, from 0.
  size_t occurrence = 0;
  /// Durations in ns; -1 where the trace has no such span.
  int64_t a_ns = -1;
  int64_t b_ns = -1;
};

struct trace_comparison {
  int64_t a_total_ns = 0;
  int64_t b_total_ns = 0;
  /// In both, largest |b - a| first.
  std::vector<span_pair> both;
  std::vector<span_pair> only_in_a;
  std::vector<span_pair> only_in_b;
};

/// Compares the spans of two traces (each in any order).
trace_comparison compare_traces(const std::vector<span_recorded>& a,
                                const std::vector<span_recorded>& b);

} // namespace argus
