#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace argus {

/// Label pairs, sorted by key (so `{a,b}` and `{b,a}` name one series).
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// The kinds of metric the dashboard keeps.
enum class metric_kind : uint8_t { counter, gauge, histogram };

/// @returns "counter", "gauge" or "histogram" (the Prometheus TYPE).
const char* to_string(metric_kind x);
bool parse_metric_kind(std::string_view name, metric_kind& out);

/// One observation of a metric series.
struct metric_sampled {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string name;
  metric_kind kind = metric_kind::gauge;
  double value = 0.0;
  std::map<std::string, std::string> labels;
  int64_t time_ns = 0;

  ARGUS_FIELDS(metric_sampled, hdr, name, kind, value, labels, time_ns)
};

/// Buy or sell.
enum class trade_side : uint8_t { buy, sell };

/// A fill (or a whole trade) reported by the exchange layer.
struct trade_executed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string trade_id;
  std::string order_id;
  std::string symbol;
  trade_side side = trade_side::buy;
  double quantity = 0.0;
  double price = 0.0;
  double fee = 0.0;
  /// Realised PnL booked by this fill (0 for an opening fill).
  double realized_pnl = 0.0;
  std::string strategy_tag;
  std::string exit_reason;
  int64_t time_ns = 0;

  ARGUS_FIELDS(trade_executed, hdr, trade_id, order_id, symbol, side, quantity,
               price, fee, realized_pnl, strategy_tag, exit_reason, time_ns)
};

/// Samples and fills that arrived as events (over the wire or through
/// `client.record(event)`), from the dispatcher to the metrics dashboard.
struct metrics_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<metric_sampled> samples;
  std::vector<trade_executed> trades;

  size_t size() const noexcept {
    return samples.size() + trades.size();
  }

  bool empty() const noexcept {
    return size() == 0;
  }

  ARGUS_FIELDS(metrics_batch, hdr, samples, trades)
};

/// One series over one aggregation window (see
/// actors/metrics_dashboard/rollup.hpp for what each figure means per kind).
/// Also the row of `metric_points`.
struct metric_point {
  static constexpr uint16_t version = 1;
  std::string name;
  metric_kind kind = metric_kind::gauge;
  metric_labels labels;
  std::string window;
  int64_t start_ns = 0;
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;
  /// NaN for histograms.
  double last = 0;
  /// p50, p90, p95, p99 (histograms; empty otherwise).
  std::vector<double> quantiles;
  /// Histograms: running totals at the window's end as JSON
  /// (`{"count":..,"sum":..,"le":[[bound,cumulative count],...]}`), what a
  /// Prometheus scrape of the series would show; empty otherwise.
  std::string totals;

  ARGUS_FIELDS(metric_point, name, kind, labels, window, start_ns, count, sum,
               min, max, last, quantiles, totals)
};

/// What a dashboard view request asks for.
enum class metrics_view_kind : uint8_t {
  /// The spec's unified view: series with their current windows, health,
  /// trading performance.
  dashboard,
  /// Trading performance, overall and by symbol and strategy tag.
  performance,
  /// System and engine health.
  health,
  /// Prometheus text exposition of every series and the trading figures.
  prometheus,
  /// The points of one metric (`metric`, `window`, `labels`, range).
  history,
};

struct metrics_query {
  static constexpr uint16_t version = 1;
  message_header hdr;
  metrics_view_kind kind = metrics_view_kind::dashboard;
  std::string metric;
  std::string window;
  /// Only series carrying all of these labels.
  metric_labels labels;
  int64_t from_ns = 0;
  int64_t to_ns = 0;

  ARGUS_FIELDS(metrics_query, hdr, kind, metric, window, labels, from_ns, to_ns)
};

/// A view: a JSON document (or the Prometheus text), plus the points of a
/// history query.
struct metrics_view {
  static constexpr uint16_t version = 1;
  message_header hdr;
  metrics_view_kind kind = metrics_view_kind::dashboard;
  int64_t time_ns = 0;
  std::string body;
  std::vector<metric_point> points;

  ARGUS_FIELDS(metrics_view, hdr, kind, time_ns, body, points)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::metrics_view_kind, argus::metrics_view_kind::history)
ARGUS_MSGPACK_ENUM(argus::metric_kind, argus::metric_kind::histogram)
ARGUS_MSGPACK_ENUM(argus::trade_side, argus::trade_side::sell)
