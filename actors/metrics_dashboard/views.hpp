#pragma once

// The metrics dashboard's views as JSON (the bodies behind the spec's
// `/api/metrics/*` endpoints, `argusctl -o json` and the snapshots sent to
// subscribers). NaN figures (undefined ratios) are written as null.

#include "actors/metrics_dashboard/system_health.hpp"
#include "actors/metrics_dashboard/trading_performance.hpp"
#include "messages/metrics.hpp"

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace argus {

/// `{"window","start_ns","count","sum","min","max","mean","last",
/// "p50","p90","p95","p99"}` (quantiles for histograms only).
nlohmann::json to_json(const metric_point& p);

/// Labels as a JSON object.
nlohmann::json labels_json(const metric_labels& labels);

/// Every figure; the equity curve thinned to at most `curve_points` points
/// (evenly, always keeping the last).
nlohmann::json to_json(const trading_figures& f, size_t curve_points = 200);

/// `{"overall", "by_symbol", "by_strategy"}`.
nlohmann::json
performance_json(const trading_figures& overall,
                 const std::map<std::string, trading_figures>& by_symbol,
                 const std::map<std::string, trading_figures>& by_tag);

nlohmann::json to_json(const health_sample& s);

} // namespace argus
