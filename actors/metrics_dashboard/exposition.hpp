#pragma once

// Prometheus text exposition, format 0.0.4: HELP and TYPE lines,
// counters as `<name>_total`, histograms as cumulative `_bucket{le=..}`
// series with `_sum` and `_count`, label values escaped. Rendered from plain
// families so the live dashboard and `argusctl metrics --prom` (reading the
// database) share it.
//
// Histogram buckets: the log-linear histograms are exposed at power-of-two
// bounds (every 64th internal bucket edge), where the cumulative counts are
// exact. An edge belongs to the bucket above it, so `le="8"` counts the
// values below 8, and a value of exactly 8 first counts in `le="16"`.

#include "actors/common/log_histogram.hpp"
#include "actors/metrics_dashboard/series_registry.hpp"
#include "actors/metrics_dashboard/trading_performance.hpp"
#include "messages/metrics.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argus {

/// One series of a family.
struct exposition_series {
  metric_labels labels;
  /// Counter total or gauge value.
  double value = 0;
  /// Histograms: observations, their sum, and (upper bound, cumulative
  /// count) pairs in ascending order, without +Inf.
  uint64_t count = 0;
  double sum = 0;
  std::vector<std::pair<double, uint64_t>> buckets;
};

/// The series of one metric name.
struct exposition_family {
  std::string name;
  metric_kind kind = metric_kind::gauge;
  std::string help;
  std::vector<exposition_series> series;
};

/// @returns `name` as a valid metric name: characters outside
///          [a-zA-Z0-9_:] become '_', a leading digit gets a '_' prefix.
std::string sanitize_metric_name(std::string_view name);

/// @returns the histogram's cumulative counts at power-of-two bounds over
///          its range (see above).
std::vector<std::pair<double, uint64_t>> octave_buckets(const log_histogram& h);

/// Sets the histogram fields of `s` from `h`.
void set_histogram(exposition_series& s, const log_histogram& h);

/// Histogram running totals as stored in `metric_point::totals` and back;
/// with `window`, also that window's own observations (exactly, bucket by
/// bucket), so a restart inside the window can merge them back.
std::string histogram_totals_json(const log_histogram& running,
                                  const log_histogram* window = nullptr);
bool histogram_totals_from_json(const std::string& text, exposition_series& s);
/// @returns the window's observations stored by `histogram_totals_json`,
///          with the point's sum, min and max; false if there are none.
bool window_histogram_from_json(const std::string& text, const metric_point& p,
                                log_histogram& out);

/// @returns the family `name` at the end of `families` (appended, with a
///          generic help text, when the last one is another name): series
///          come grouped by name.
exposition_family& family_for(std::vector<exposition_family>& families,
                              const std::string& name, metric_kind kind);

/// @returns every series of `registry` with its current value.
std::vector<exposition_family> families_of(const metrics_registry& registry);

/// Appends the trading figures as gauge families (`argus_trading_*`),
/// overall without labels and per `symbol` and `strategy`.
void add_trading_families(
  std::vector<exposition_family>& out, const trading_figures& overall,
  const std::map<std::string, trading_figures>& by_symbol,
  const std::map<std::string, trading_figures>& by_tag);

/// @returns the exposition text of `families` (sorted by name as given).
std::string render_prometheus(const std::vector<exposition_family>& families);

} // namespace argus
