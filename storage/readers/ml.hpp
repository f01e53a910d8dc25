#pragma once

// The ML monitor's stored results, as JSON arrays (newest first).

#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <string>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// @returns every model version with its latest check (drifted features
/// and their worst severity), latest performance and retraining requests.
caf::expected<nlohmann::json> ml_models(db_reader& r);

/// @returns the alert changes (fired, escalated, resolved) of `model_id`
/// (empty: all) at `min_severity` or above (resolved ones always).
caf::expected<nlohmann::json> ml_alerts(db_reader& r,
                                        const std::string& model_id,
                                        int min_severity, size_t limit);

/// @returns the performance checks of `model_id`.
caf::expected<nlohmann::json>
ml_performance(db_reader& r, const std::string& model_id, size_t limit);

/// @returns the latest drift result of each feature of `model_id`.
caf::expected<nlohmann::json> ml_latest_drift(db_reader& r,
                                              const std::string& model_id);

} // namespace argus::storage
