#pragma once

// Rollups of one metric series over the dashboard's aggregation windows
//. Windows are aligned to wall-clock boundaries: a 5m window
// starts at a multiple of 300 s since the Unix epoch, so the rollups of two
// processes (or of one process before and after a restart) line up.
//
// What a point holds, per kind:
//   counter    count = scrape intervals seen, sum = increase over the window,
//              min/max/mean = per-interval increase, last = the running total
//              at the window's end (what Prometheus would scrape).
//   gauge      count/sum/min/max/mean/last of the sampled values.
//   histogram  count/sum of the observations, min/max known to the bucket
//              (see `log_histogram::since`), quantiles p50 p90 p95 p99 from
//              the window's own log-linear histogram, so a 1h window's p99 is
//              exactly that of one histogram that saw the hour's values.
//              Histograms keep no order, so they have no last value (NaN).
//
// Memory per series: one open histogram per window while it is open, and at
// most `max_history` closed points (about 100 bytes each) per window.

#include "actors/common/log_histogram.hpp"
#include "messages/metrics.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

namespace argus {

/// One aggregation window (config `aggregation_windows`).
struct rollup_window {
  std::string name;
  int64_t length_ns = 0;
};

/// The quantiles every histogram point reports.
inline constexpr std::array<double, 4> rollup_quantiles
  = {0.5, 0.9, 0.95, 0.99};

/// What one series did over one window.
struct rollup_point {
  /// The window's start, aligned to a multiple of its length.
  int64_t start_ns = 0;
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  double last = std::numeric_limits<double>::quiet_NaN();
  /// At `rollup_quantiles` (histograms only).
  std::array<double, 4> quantiles{};
  bool has_quantiles = false;

  double mean() const noexcept {
    return count ? sum / static_cast<double>(count) : 0;
  }
};

/// @returns the start of the window of length `length_ns` holding `t_ns`.
int64_t window_start(int64_t t_ns, int64_t length_ns) noexcept;

class series_rollups {
public:
  series_rollups(metric_kind kind, const std::vector<rollup_window>& windows,
                 size_t max_history);

  metric_kind kind() const noexcept {
    return kind_;
  }

  /// Folds what happened up to `t_ns` in: a counter's increase and running
  /// total, a gauge's value, a histogram's new observations. Windows that
  /// ended at or before `t_ns` are closed first and passed to
  /// `closed(window_index, point)`.
  template <class F>
  void add_counter(int64_t t_ns, double increase, double total, F closed) {
    roll(t_ns, closed);
    for (auto& w : open_) {
      fold_scalar(w, increase);
      w.point.last = total;
    }
  }

  template <class F>
  void add_gauge(int64_t t_ns, double value, F closed) {
    roll(t_ns, closed);
    for (auto& w : open_) {
      fold_scalar(w, value);
      w.point.last = value;
    }
  }

  template <class F>
  void add_histogram(int64_t t_ns, const log_histogram& observations,
                     F closed) {
    roll(t_ns, closed);
    if (observations.empty())
      return;
    for (auto& w : open_)
      w.values.merge(observations);
  }

  /// Closes every window that ended at or before `t_ns`.
  template <class F>
  void roll(int64_t t_ns, F closed) {
    for (size_t i = 0; i < open_.size(); ++i) {
      auto& w = open_[i];
      auto start = window_start(t_ns, lengths_[i]);
      if (start == w.point.start_ns)
        continue;
      if (has_data(w)) {
        auto p = finish(w);
        closed(i, p);
        keep(i, std::move(p));
      }
      w = open_window{};
      w.point.start_ns = start;
    }
  }

  /// @returns the open window `i` as a point so far (for live views and
  ///          partial persistence), or nothing if it saw no data.
  bool current(size_t i, rollup_point& out) const;

  /// @returns the observations of the open window `i` (histograms).
  const log_histogram& open_values(size_t i) const {
    return open_[i].values;
  }

  /// Merges what an earlier run saw of the window `i` that is open now
  /// (`p`, and for histograms its observations), so a restart inside a
  /// window does not lose the window's first part.
  void restore_open(size_t i, const rollup_point& p,
                    const log_histogram& values);

  /// @returns the closed points of window `i`, oldest first.
  const std::deque<rollup_point>& history(size_t i) const {
    return history_[i];
  }

  /// Puts points persisted earlier back (oldest first), as if closed here.
  void restore(size_t i, rollup_point p) {
    keep(i, std::move(p));
  }

private:
  struct open_window {
    rollup_point point;
    /// Histograms: the window's observations.
    log_histogram values;
  };

  bool has_data(const open_window& w) const noexcept {
    return w.point.count > 0 || !w.values.empty();
  }

  static void fold_scalar(open_window& w, double x) noexcept;

  rollup_point finish(const open_window& w) const;

  void keep(size_t i, rollup_point p);

  metric_kind kind_;
  std::vector<int64_t> lengths_;
  std::vector<open_window> open_;
  std::vector<std::deque<rollup_point>> history_;
  size_t max_history_;
};

} // namespace argus
