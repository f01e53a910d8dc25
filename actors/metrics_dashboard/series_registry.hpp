#pragma once

// The metric series the bot records into: one cell per (name,
// labels), looked up once when the bot resolves a handle, never on the
// recording path. Each name may have at most `max_series_per_name` label
// sets; further ones are folded into one overflow series of that name
// (label `argus_overflow="true"`) and counted, so a bot that puts order ids
// in labels cannot grow memory without bound. Thread-safe; cells live as
// long as the registry.

#include "actors/metrics_dashboard/cells.hpp"
#include "messages/metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace argus {

/// The label set the series beyond the cardinality limit share.
inline const metric_labels overflow_labels = {{"argus_overflow", "true"}};

class metrics_registry {
public:
  explicit metrics_registry(size_t max_series_per_name = 1000);

  /// @returns the cell of (`name`, `labels`), created on first use; or
  ///          nullptr when `name` is already registered as another kind
  ///          (counted in `kind_conflicts()`).
  counter_cell* counter(const std::string& name, metric_labels labels);
  gauge_cell* gauge(const std::string& name, metric_labels labels);
  histogram_cell* histogram(const std::string& name, metric_labels labels);

  /// Records one sample without a handle (the one-shot `client.record` and
  /// samples that arrive over the wire): adds `value` to a counter, sets a
  /// gauge, observes a histogram. @returns false, recording nothing, for a
  /// kind conflict, a non-finite value, or a counter given a negative or
  /// fractional increment.
  bool record(const std::string& name, metric_kind kind, double value,
              metric_labels labels = {});

  /// One series, as the dashboard reads it.
  struct series_view {
    const std::string& name;
    metric_kind kind;
    const metric_labels& labels;
    const counter_cell* counter;
    const gauge_cell* gauge;
    const histogram_cell* histogram;
  };

  /// Calls `f(series_view)` for every series, by name then labels.
  template <class F>
  void for_each(F f) const {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& [name, family] : families_)
      for (const auto& [labels, s] : family.series)
        f(series_view{name, family.kind, labels, s.counter.get(), s.gauge.get(),
                      s.histogram.get()});
  }

  /// Label sets folded into an overflow series, over all names.
  uint64_t overflowed() const;

  /// Lookups refused because the name has another kind.
  uint64_t kind_conflicts() const;

  size_t series() const;

private:
  struct series_cells {
    std::unique_ptr<counter_cell> counter;
    std::unique_ptr<gauge_cell> gauge;
    std::unique_ptr<histogram_cell> histogram;
  };
  struct family {
    metric_kind kind;
    std::map<metric_labels, series_cells> series;
  };

  /// @returns the series of (`name`, `labels`) of `kind`, or nullptr.
  series_cells* find_or_add(const std::string& name, metric_kind kind,
                            metric_labels labels);

  size_t max_series_per_name_;
  mutable std::mutex mtx_;
  std::map<std::string, family> families_;
  uint64_t overflowed_ = 0;
  uint64_t kind_conflicts_ = 0;
  size_t series_ = 0;
};

} // namespace argus
