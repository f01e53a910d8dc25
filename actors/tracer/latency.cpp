#include "actors/tracer/latency.hpp"

#include <algorithm>
#include <cmath>

namespace argus {

latency_summary summarize(const log_histogram& h) {
  auto ns = [&](double q) {
    return static_cast<int64_t>(std::llround(h.quantile(q)));
  };
  latency_summary result;
  result.count = h.count();
  if (h.empty())
    return result;
  result.p50_ns = ns(0.50);
  result.p95_ns = ns(0.95);
  result.p99_ns = ns(0.99);
  result.max_ns = static_cast<int64_t>(std::llround(h.max()));
  return result;
}

latency_book::latency_book(int64_t slot_ns, size_t slots, size_t max_operations)
    : slot_ns_(std::max<int64_t>(slot_ns, 1)),
      slots_(std::max<size_t>(slots, 1)),
      max_operations_(max_operations) {
}

void latency_book::record(component_type component, std::string_view operation,
                          int64_t end_ns, int64_t duration_ns, bool error) {
  key_.assign(1, static_cast<char>(component));
  key_.append(operation);
  auto it = book_.find(key_);
  if (it == book_.end()) {
    if (book_.size() >= max_operations_) {
      ++untracked_;
      return;
    }
    it = book_
           .emplace(key_, entry{component, std::string{operation},
                                std::vector<slot>(slots_)})
           .first;
  }
  auto start = end_ns - (end_ns % slot_ns_ + slot_ns_) % slot_ns_;
  auto index
    = static_cast<size_t>((start / slot_ns_) % static_cast<int64_t>(slots_)
                          + static_cast<int64_t>(slots_))
      % slots_;
  auto& s = it->second.ring[index];
  if (s.start_ns != start) {
    // A span older than the minute in the slot is too old to matter.
    if (s.start_ns > start)
      return;
    s.start_ns = start;
    s.durations.clear();
    s.errors = 0;
  }
  s.durations.record(static_cast<double>(std::max<int64_t>(duration_ns, 0)));
  s.errors += error;
}

std::vector<operation_latency>
latency_book::summarize(int64_t now_ns, int64_t window_ns) const {
  std::vector<operation_latency> result;
  auto since = now_ns - window_ns;
  for (const auto& [key, e] : book_) {
    log_histogram merged;
    uint64_t errors = 0;
    for (const auto& s : e.ring) {
      // A slot counts when its minute overlaps the window.
      if (s.start_ns < 0 || s.start_ns + slot_ns_ <= since
          || s.start_ns > now_ns)
        continue;
      merged.merge(s.durations);
      errors += s.errors;
    }
    if (merged.empty())
      continue;
    result.push_back(
      {e.component, e.operation, argus::summarize(merged), errors});
  }
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return a.latency.p99_ns > b.latency.p99_ns;
  });
  return result;
}

} // namespace argus
