#pragma once

// The tracking tables (spec columns), in time order.

#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// @returns the regime observations (time, regime type) since `since_ns`.
caf::expected<std::vector<std::pair<int64_t, std::string>>>
regimes(db_reader& r, int64_t since_ns);

/// @returns the ensemble decisions of `ensemble_id` (empty: all) since
/// `since_ns` as JSON objects (time_ns, ensemble_id, predictions, weights,
/// final, meta, correlation_id, and the realized_pnl of the trades under
/// it).
caf::expected<nlohmann::json>
ensembles(db_reader& r, const std::string& ensemble_id, int64_t since_ns);

/// @returns the feature importances and drift scores from
/// model_behavior_tracking of `model_id` (empty: all) since `since_ns`, as
/// JSON objects (time_ns, model_id, importance, drift_scores).
caf::expected<nlohmann::json>
feature_scores(db_reader& r, const std::string& model_id, int64_t since_ns);

/// @returns the decision path of one request, by step.
caf::expected<nlohmann::json> decision_path(db_reader& r,
                                            const std::string& corr);

} // namespace argus::storage
