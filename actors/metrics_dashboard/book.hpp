#pragma once

// What the metrics dashboard knows about every series: it scrapes
// the registry the bot records into, turns the running totals into
// per-interval increases, and keeps the rollups of each series over every
// aggregation window. Pure logic: the actor calls `scrape` every
// `update_interval` and persists what it returns.
//
// A scrape covers the interval since the previous one and is attributed to
// one instant in it (the actor passes the midpoint): with scrapes aligned
// to multiples of `update_interval`, every window boundary falls between two
// intervals, never inside one.

#include "actors/metrics_dashboard/exposition.hpp"
#include "actors/metrics_dashboard/rollup.hpp"
#include "actors/metrics_dashboard/series_registry.hpp"
#include "messages/metrics.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace argus {

/// @returns whether `series` carries every label pair of `wanted`.
bool has_labels(const metric_labels& series, const metric_labels& wanted);

class metrics_book {
public:
  metrics_book() = default;
  metrics_book(std::vector<rollup_window> windows, size_t max_history);

  /// Reads every series of `registry` and folds what happened since the
  /// previous scrape in at `at_ns`. Closed windows are appended to `closed`.
  void scrape(const metrics_registry& registry, int64_t at_ns,
              std::vector<metric_point>& closed);

  /// Takes the registry's running totals as already counted: the next
  /// scrape counts only what comes after (see
  /// `metrics_dashboard_sources::resume`).
  void baseline(const metrics_registry& registry);

  /// Closes the windows that ended at or before `now_ns` (a quiet book
  /// still closes its windows on time).
  void roll(int64_t now_ns, std::vector<metric_point>& closed);

  /// @returns every open window that saw data, as partial points.
  std::vector<metric_point> open_points() const;

  /// @returns the points of `name` in `window` (closed, then the open one)
  ///          of the series carrying all `labels`, starting in
  ///          [from_ns, to_ns] (to_ns = 0: no upper bound).
  std::vector<metric_point> history(const std::string& name,
                                    const std::string& window,
                                    const metric_labels& labels,
                                    int64_t from_ns, int64_t to_ns) const;

  /// Puts a point persisted by an earlier run back into its history, or
  /// (`open`: its window is still open) merges it into the open window.
  void restore(const metric_point& p, bool open = false);

  /// One series as the views show it.
  struct series_summary {
    std::string name;
    metric_kind kind;
    metric_labels labels;
    /// Counter total, gauge value, histogram observation count.
    double value = 0;
    /// The open window of each aggregation window, if it saw data.
    std::vector<std::pair<std::string, metric_point>> current;
  };
  std::vector<series_summary> summaries() const;

  const std::vector<rollup_window>& windows() const noexcept {
    return windows_;
  }

  size_t series() const noexcept {
    return series_.size();
  }

  /// Oldest point start held in memory for (`name`, `window`), or 0.
  int64_t oldest_in_memory(const std::string& name,
                           const std::string& window) const;

private:
  struct series_state {
    series_state(metric_kind k, metric_labels l,
                 const std::vector<rollup_window>& windows, size_t history)
        : kind(k), labels(std::move(l)), rollups(k, windows, history) {
    }
    metric_kind kind;
    metric_labels labels;
    series_rollups rollups;
    /// The running totals as last scraped.
    uint64_t counter_total = 0;
    double gauge_value = 0;
    log_histogram histogram;
  };

  using key = std::pair<std::string, metric_labels>;

  series_state& state_of(const std::string& name, metric_kind kind,
                         const metric_labels& labels);

  /// `with_totals`: add the histogram's running totals (for points about
  /// to be persisted, whose window ends now).
  /// `open`: the point is the open window's (its observations go along).
  metric_point to_point(const key& k, const series_state& s, size_t window,
                        const rollup_point& p, bool with_totals,
                        bool open = false) const;

  std::vector<rollup_window> windows_;
  size_t max_history_ = 1;
  std::map<key, series_state> series_;
};

} // namespace argus
