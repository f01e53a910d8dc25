#pragma once

// The tracking system's views as JSON: one shape for the live
// views (`engine.tracking`, the spec's `/api/tracking/*`) and argusctl's
// offline ones (`argusctl tracking ... -o json`). NaN (not known yet) is
// written as null.

#include "actors/tracker/features.hpp"
#include "actors/tracker/stats.hpp"
#include "messages/tracking.hpp"

#include <limits>

#include <nlohmann/json.hpp>

namespace argus {

/// A number, or null for NaN and infinities.
nlohmann::json number_or_null(double x);

nlohmann::json to_json(const regime_stats& s);
nlohmann::json to_json(const ensemble_stats& s);

/// Where the trace of the request `corr` is: its correlation id, the
/// spec's `/api/tracing/correlation/{id}` and the argusctl command.
nlohmann::json trace_link(const std::string& corr);

/// A decision step with the keys of `db_reader::decision_path`.
nlohmann::json to_json(const decision_step_recorded& x);

/// The feature tracking of stored scores (`storage::feature_scores` rows,
/// oldest first) replayed through the tracker's own code, unbounded; rows
/// at or after `until_ns` are left out.
feature_tracker replay_feature_scores(
  const nlohmann::json& rows,
  int64_t until_ns = std::numeric_limits<int64_t>::max());

/// The features of every model (or of `model_id`): ranked, at most `top`
/// each (0: all), with their last `history` points and the recent rank
/// changes.
nlohmann::json features_json(const feature_tracker& features,
                             const std::string& model_id, size_t top,
                             size_t history);

} // namespace argus
