#pragma once

// Live latency statistics per component and operation, from every span the
// tracer takes (sampled or not). Each operation keeps a ring of one-minute
// log histograms; a window's percentiles come from merging the minutes it
// covers, exactly as if one histogram had seen its spans (see
// log_histogram.hpp: relative error <= 1 %).

#include "actors/common/log_histogram.hpp"
#include "messages/tracing.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace argus {

/// Nearest-rank p50, p95, p99 and max of `h`, rounded to whole ns.
latency_summary summarize(const log_histogram& h);

class latency_book {
public:
  /// @param slot_ns width of one slot (a minute by default).
  /// @param slots slots kept per operation: the longest window answered.
  /// @param max_operations distinct (component, operation) pairs kept;
  ///        spans of further pairs are counted in `untracked()`, so a bot
  ///        that puts ids in operation names cannot grow memory unbounded.
  explicit latency_book(int64_t slot_ns = 60'000'000'000, size_t slots = 60,
                        size_t max_operations = 1024);

  /// Adds one span that ended at `end_ns` and lasted `duration_ns`.
  void record(component_type component, std::string_view operation,
              int64_t end_ns, int64_t duration_ns, bool error);

  /// @returns the statistics of every operation with spans ending in
  ///          (now_ns - window_ns, now_ns], slowest p99 first.
  std::vector<operation_latency> summarize(int64_t now_ns,
                                           int64_t window_ns) const;

  /// Spans not counted because `max_operations` was reached.
  uint64_t untracked() const noexcept {
    return untracked_;
  }

  size_t operations() const noexcept {
    return book_.size();
  }

private:
  struct slot {
    /// Start of the slot's interval; identifies which minute it holds.
    int64_t start_ns = -1;
    log_histogram durations;
    uint64_t errors = 0;
  };
  struct entry {
    component_type component;
    std::string operation;
    std::vector<slot> ring;
  };

  int64_t slot_ns_;
  size_t slots_;
  size_t max_operations_;
  uint64_t untracked_ = 0;
  /// Key: component byte + operation name.
  std::unordered_map<std::string, entry> book_;
  /// Reused to build keys without allocating per span.
  std::string key_;
};

} // namespace argus
