#include "actors/metrics_dashboard/rollup.hpp"

#include <algorithm>

namespace argus {

int64_t window_start(int64_t t_ns, int64_t length_ns) noexcept {
  auto r = t_ns % length_ns;
  // Floor, not truncation, for times before the epoch.
  return t_ns - (r < 0 ? r + length_ns : r);
}

series_rollups::series_rollups(metric_kind kind,
                               const std::vector<rollup_window>& windows,
                               size_t max_history)
    : kind_(kind),
      open_(windows.size()),
      history_(windows.size()),
      max_history_(std::max<size_t>(max_history, 1)) {
  for (const auto& w : windows)
    lengths_.push_back(std::max<int64_t>(w.length_ns, 1));
  // No window is open yet: the first sample opens each one.
  for (auto& w : open_)
    w.point.start_ns = std::numeric_limits<int64_t>::min();
}

void series_rollups::fold_scalar(open_window& w, double x) noexcept {
  auto& p = w.point;
  if (p.count == 0) {
    p.min = x;
    p.max = x;
  } else {
    p.min = std::min(p.min, x);
    p.max = std::max(p.max, x);
  }
  ++p.count;
  p.sum += x;
}

rollup_point series_rollups::finish(const open_window& w) const {
  if (kind_ != metric_kind::histogram)
    return w.point;
  rollup_point p;
  p.start_ns = w.point.start_ns;
  p.count = w.values.count();
  p.sum = w.values.sum();
  p.min = w.values.min();
  p.max = w.values.max();
  p.has_quantiles = true;
  for (size_t q = 0; q < rollup_quantiles.size(); ++q)
    p.quantiles[q] = w.values.quantile(rollup_quantiles[q]);
  return p;
}

bool series_rollups::current(size_t i, rollup_point& out) const {
  const auto& w = open_[i];
  if (!has_data(w))
    return false;
  out = finish(w);
  return true;
}

void series_rollups::restore_open(size_t i, const rollup_point& p,
                                  const log_histogram& values) {
  auto& w = open_[i];
  if (w.point.start_ns != p.start_ns) {
    if (has_data(w))
      return; // a window of its own is open already
    w = open_window{};
    w.point.start_ns = p.start_ns;
  }
  if (kind_ == metric_kind::histogram) {
    w.values.merge(values);
    return;
  }
  auto& o = w.point;
  if (o.count == 0) {
    o.min = p.min;
    o.max = p.max;
    o.last = p.last;
  } else {
    o.min = std::min(o.min, p.min);
    o.max = std::max(o.max, p.max);
  }
  o.count += p.count;
  o.sum += p.sum;
}

void series_rollups::keep(size_t i, rollup_point p) {
  auto& h = history_[i];
  h.push_back(std::move(p));
  while (h.size() > max_history_)
    h.pop_front();
}

} // namespace argus
