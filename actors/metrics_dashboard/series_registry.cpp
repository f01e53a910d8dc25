#include "actors/metrics_dashboard/series_registry.hpp"

#include <algorithm>
#include <cmath>

namespace argus {

metrics_registry::metrics_registry(size_t max_series_per_name)
    : max_series_per_name_(std::max<size_t>(max_series_per_name, 1)) {
}

metrics_registry::series_cells*
metrics_registry::find_or_add(const std::string& name, metric_kind kind,
                              metric_labels labels) {
  std::sort(labels.begin(), labels.end());
  std::lock_guard<std::mutex> guard{mtx_};
  auto [fit, fresh] = families_.try_emplace(name);
  auto& fam = fit->second;
  if (fresh)
    fam.kind = kind;
  else if (fam.kind != kind) {
    ++kind_conflicts_;
    return nullptr;
  }
  auto it = fam.series.find(labels);
  if (it != fam.series.end())
    return &it->second;
  // The overflow series is allowed beyond the limit (it is the one extra).
  if (fam.series.size() >= max_series_per_name_ && labels != overflow_labels) {
    ++overflowed_;
    labels = overflow_labels;
    it = fam.series.find(labels);
    if (it != fam.series.end())
      return &it->second;
  }
  series_cells cells;
  switch (kind) {
    case metric_kind::counter:
      cells.counter = std::make_unique<counter_cell>();
      break;
    case metric_kind::gauge:
      cells.gauge = std::make_unique<gauge_cell>();
      break;
    case metric_kind::histogram:
      cells.histogram = std::make_unique<histogram_cell>();
      break;
  }
  ++series_;
  return &fam.series.emplace(std::move(labels), std::move(cells)).first->second;
}

counter_cell* metrics_registry::counter(const std::string& name,
                                        metric_labels labels) {
  auto* s = find_or_add(name, metric_kind::counter, std::move(labels));
  return s ? s->counter.get() : nullptr;
}

gauge_cell* metrics_registry::gauge(const std::string& name,
                                    metric_labels labels) {
  auto* s = find_or_add(name, metric_kind::gauge, std::move(labels));
  return s ? s->gauge.get() : nullptr;
}

histogram_cell* metrics_registry::histogram(const std::string& name,
                                            metric_labels labels) {
  auto* s = find_or_add(name, metric_kind::histogram, std::move(labels));
  return s ? s->histogram.get() : nullptr;
}

bool metrics_registry::record(const std::string& name, metric_kind kind,
                              double value, metric_labels labels) {
  if (!std::isfinite(value))
    return false;
  if (kind == metric_kind::counter
      && (value < 0 || value != std::floor(value) || value > 0x1p63))
    return false;
  auto* s = find_or_add(name, kind, std::move(labels));
  if (s == nullptr)
    return false;
  switch (kind) {
    case metric_kind::counter:
      s->counter->add(static_cast<uint64_t>(value));
      break;
    case metric_kind::gauge:
      s->gauge->set(value);
      break;
    case metric_kind::histogram:
      s->histogram->observe(value);
      break;
  }
  return true;
}

uint64_t metrics_registry::overflowed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return overflowed_;
}

uint64_t metrics_registry::kind_conflicts() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return kind_conflicts_;
}

size_t metrics_registry::series() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return series_;
}

} // namespace argus
