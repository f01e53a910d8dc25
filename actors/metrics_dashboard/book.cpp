#include "actors/metrics_dashboard/book.hpp"

#include <algorithm>

namespace argus {

bool has_labels(const metric_labels& series, const metric_labels& wanted) {
  for (const auto& w : wanted)
    if (std::find(series.begin(), series.end(), w) == series.end())
      return false;
  return true;
}

metrics_book::metrics_book(std::vector<rollup_window> windows,
                           size_t max_history)
    : windows_(std::move(windows)), max_history_(max_history) {
}

metrics_book::series_state&
metrics_book::state_of(const std::string& name, metric_kind kind,
                       const metric_labels& labels) {
  key k{name, labels};
  auto it = series_.find(k);
  if (it != series_.end() && it->second.kind != kind) {
    // Restored from an earlier run under another kind: this run's wins.
    series_.erase(it);
    it = series_.end();
  }
  if (it == series_.end())
    it = series_
           .emplace(std::move(k),
                    series_state{kind, labels, windows_, max_history_})
           .first;
  return it->second;
}

metric_point metrics_book::to_point(const key& k, const series_state& s,
                                    size_t window, const rollup_point& p,
                                    bool with_totals, bool open) const {
  metric_point result;
  result.name = k.first;
  result.kind = s.kind;
  result.labels = k.second;
  result.window = windows_[window].name;
  result.start_ns = p.start_ns;
  result.count = p.count;
  result.sum = p.sum;
  result.min = p.min;
  result.max = p.max;
  result.last = p.last;
  if (p.has_quantiles)
    result.quantiles.assign(p.quantiles.begin(), p.quantiles.end());
  if (with_totals && s.kind == metric_kind::histogram)
    result.totals = histogram_totals_json(
      s.histogram, open ? &s.rollups.open_values(window) : nullptr);
  return result;
}

void metrics_book::scrape(const metrics_registry& registry, int64_t at_ns,
                          std::vector<metric_point>& closed) {
  registry.for_each([&](const metrics_registry::series_view& v) {
    auto& s = state_of(v.name, v.kind, v.labels);
    const key* k = nullptr;
    auto on_closed = [&](size_t w, const rollup_point& p) {
      if (!k)
        k = &series_.find(key{v.name, v.labels})->first;
      closed.push_back(to_point(*k, s, w, p, true));
    };
    switch (v.kind) {
      case metric_kind::counter: {
        auto total = v.counter->value();
        auto increase = total >= s.counter_total ? total - s.counter_total : 0;
        s.counter_total = total;
        s.rollups.add_counter(at_ns, static_cast<double>(increase),
                              static_cast<double>(total), on_closed);
        break;
      }
      case metric_kind::gauge:
        s.gauge_value = v.gauge->value();
        s.rollups.add_gauge(at_ns, s.gauge_value, on_closed);
        break;
      case metric_kind::histogram: {
        auto now = v.histogram->snapshot();
        auto interval = now.since(s.histogram);
        // Close windows before the running totals move on, so a closed
        // point's totals are those at its end.
        s.rollups.roll(at_ns, on_closed);
        s.histogram = std::move(now);
        s.rollups.add_histogram(at_ns, interval, on_closed);
        break;
      }
    }
  });
}

void metrics_book::baseline(const metrics_registry& registry) {
  registry.for_each([&](const metrics_registry::series_view& v) {
    auto& s = state_of(v.name, v.kind, v.labels);
    switch (v.kind) {
      case metric_kind::counter:
        s.counter_total = v.counter->value();
        break;
      case metric_kind::gauge:
        s.gauge_value = v.gauge->value();
        break;
      case metric_kind::histogram:
        s.histogram = v.histogram->snapshot();
        break;
    }
  });
}

void metrics_book::roll(int64_t now_ns, std::vector<metric_point>& closed) {
  for (auto& [k, s] : series_) {
    const auto& kk = k;
    auto& ss = s;
    s.rollups.roll(now_ns, [&](size_t w, const rollup_point& p) {
      closed.push_back(to_point(kk, ss, w, p, true));
    });
  }
}

std::vector<metric_point> metrics_book::open_points() const {
  std::vector<metric_point> result;
  rollup_point p;
  for (const auto& [k, s] : series_)
    for (size_t w = 0; w < windows_.size(); ++w)
      if (s.rollups.current(w, p))
        result.push_back(to_point(k, s, w, p, true, true));
  return result;
}

std::vector<metric_point> metrics_book::history(const std::string& name,
                                                const std::string& window,
                                                const metric_labels& labels,
                                                int64_t from_ns,
                                                int64_t to_ns) const {
  std::vector<metric_point> result;
  size_t w = 0;
  while (w < windows_.size() && windows_[w].name != window)
    ++w;
  if (w == windows_.size())
    return result;
  auto in_range = [&](int64_t t) {
    return t >= from_ns && (to_ns == 0 || t <= to_ns);
  };
  for (auto it = series_.lower_bound(key{name, {}});
       it != series_.end() && it->first.first == name; ++it) {
    const auto& [k, s] = *it;
    if (!has_labels(k.second, labels))
      continue;
    for (const auto& p : s.rollups.history(w))
      if (in_range(p.start_ns))
        result.push_back(to_point(k, s, w, p, false));
    rollup_point p;
    if (s.rollups.current(w, p) && in_range(p.start_ns))
      result.push_back(to_point(k, s, w, p, false));
  }
  return result;
}

int64_t metrics_book::oldest_in_memory(const std::string& name,
                                       const std::string& window) const {
  size_t w = 0;
  while (w < windows_.size() && windows_[w].name != window)
    ++w;
  if (w == windows_.size())
    return 0;
  int64_t oldest = 0;
  for (auto it = series_.lower_bound(key{name, {}});
       it != series_.end() && it->first.first == name; ++it) {
    const auto& h = it->second.rollups.history(w);
    if (!h.empty() && (oldest == 0 || h.front().start_ns < oldest))
      oldest = h.front().start_ns;
  }
  return oldest;
}

void metrics_book::restore(const metric_point& p, bool open) {
  size_t w = 0;
  while (w < windows_.size() && windows_[w].name != p.window)
    ++w;
  if (w == windows_.size())
    return;
  auto& s = state_of(p.name, p.kind, p.labels);
  rollup_point r;
  r.start_ns = p.start_ns;
  r.count = p.count;
  r.sum = p.sum;
  r.min = p.min;
  r.max = p.max;
  r.last = p.last;
  if (open) {
    log_histogram values;
    if (p.kind == metric_kind::histogram
        && !window_histogram_from_json(p.totals, p, values))
      return; // a histogram without its observations cannot be merged
    s.rollups.restore_open(w, r, values);
    return;
  }
  if (p.quantiles.size() == r.quantiles.size()) {
    std::copy(p.quantiles.begin(), p.quantiles.end(), r.quantiles.begin());
    r.has_quantiles = true;
  }
  s.rollups.restore(w, r);
}

std::vector<metrics_book::series_summary> metrics_book::summaries() const {
  std::vector<series_summary> result;
  result.reserve(series_.size());
  for (const auto& [k, s] : series_) {
    series_summary x{k.first, s.kind, k.second, 0, {}};
    switch (s.kind) {
      case metric_kind::counter:
        x.value = static_cast<double>(s.counter_total);
        break;
      case metric_kind::gauge:
        x.value = s.gauge_value;
        break;
      case metric_kind::histogram:
        x.value = static_cast<double>(s.histogram.count());
        break;
    }
    rollup_point p;
    for (size_t w = 0; w < windows_.size(); ++w)
      if (s.rollups.current(w, p))
        x.current.emplace_back(windows_[w].name, to_point(k, s, w, p, false));
    result.push_back(std::move(x));
  }
  return result;
}

} // namespace argus
