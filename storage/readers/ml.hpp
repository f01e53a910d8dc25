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

/// The ML monitor's rows in a period [from_ns, to_ns), oldest first, for
/// reports.
/// @returns the alert changes (fired, escalated, resolved) of every model.
caf::expected<nlohmann::json> ml_alerts_between(db_reader& r, int64_t from_ns,
                                                int64_t to_ns);

/// @returns the alerts open at `at_ns`: per model, version, feature and
///          method, the latest change before it when that is not a
///          resolution.
caf::expected<nlohmann::json> ml_open_alerts(db_reader& r, int64_t at_ns);

/// @returns every model's performance checks in the period.
caf::expected<nlohmann::json>
ml_performance_between(db_reader& r, int64_t from_ns, int64_t to_ns);

/// @returns the retraining requests in the period.
caf::expected<nlohmann::json> retrain_requests_between(db_reader& r,
                                                       int64_t from_ns,
                                                       int64_t to_ns);

/// @returns per model, version and feature in the period: checks, checks
///          that found drift, the mean, highest and latest score.
caf::expected<nlohmann::json> drift_scores_between(db_reader& r,
                                                   int64_t from_ns,
                                                   int64_t to_ns);

} // namespace argus::storage
