#pragma once

// The tracking tables (spec columns), in time order.

#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// @returns the regime observations (time, regime type) since `since_ns`.
caf::expected<std::vector<std::pair<int64_t, std::string>>>
regimes(db_reader& r, int64_t since_ns);

/// @returns the regime in force at `at_ns` (the latest recorded before it),
///          or an empty text.
caf::expected<std::string> regime_at(db_reader& r, int64_t at_ns);

/// @returns per correlation id of a fill in [from_ns, to_ns), the models
///          whose predictions the ensemble decision under that id combined.
caf::expected<std::map<std::string, std::vector<std::string>>>
models_behind_fills(db_reader& r, int64_t from_ns, int64_t to_ns);

/// One stored ensemble decision, with the realised PnL of the fills under
/// its correlation id.
struct stored_ensemble_decision {
  int64_t time_ns = 0;
  std::string ensemble_id;
  /// Members' numeric predictions and weights (other values are left out).
  std::map<std::string, double> predictions;
  std::map<std::string, double> weights;
  std::string final_prediction;
  double confidence = 0;
  std::string meta_learner_prediction;
  std::string correlation_id;
  double realized_pnl = 0;
};

/// @returns the ensemble decisions of `ensemble_id` (empty: all) since
///          `since_ns`, in time order.
caf::expected<std::vector<stored_ensemble_decision>>
ensembles(db_reader& r, const std::string& ensemble_id, int64_t since_ns);

/// The decision as JSON (time_ns, ensemble_id, predictions, weights, final,
/// confidence, meta, correlation_id, realized_pnl).
nlohmann::json to_json(const stored_ensemble_decision& x);

/// @returns the feature importances and drift scores from
/// model_behavior_tracking of `model_id` (empty: all) since `since_ns`, as
/// JSON objects (time_ns, model_id, importance, drift_scores).
caf::expected<nlohmann::json>
feature_scores(db_reader& r, const std::string& model_id, int64_t since_ns);

/// @returns the decision path of one request, by step.
caf::expected<nlohmann::json> decision_path(db_reader& r,
                                            const std::string& corr);

} // namespace argus::storage
