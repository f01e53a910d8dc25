#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace argus {

/// Identifies one version of one model.
struct model_ref {
  std::string model_id;
  std::string version;

  ARGUS_FIELDS(model_ref, model_id, version)
};

/// The inputs a model saw for one prediction.
struct features_observed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  std::map<std::string, double> numeric;
  std::map<std::string, std::string> categorical;
  int64_t time_ns = 0;

  ARGUS_FIELDS(features_observed, hdr, model, numeric, categorical, time_ns)
};

/// A model's output; joined later to its label by correlation id.
struct prediction_made {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  double value = 0.0; // regression output or class score
  std::string label;  // predicted class, empty for regression
  double confidence = 0.0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(prediction_made, hdr, model, value, label, confidence, time_ns)
};

/// The ground truth for an earlier prediction with the same correlation id.
struct label_observed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  double value = 0.0;
  std::string label;
  int64_t time_ns = 0;

  ARGUS_FIELDS(label_observed, hdr, model, value, label, time_ns)
};

/// A model's feature importances at one point in time.
struct feature_importance_reported {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  std::map<std::string, double> importance;
  int64_t time_ns = 0;

  ARGUS_FIELDS(feature_importance_reported, hdr, model, importance, time_ns)
};

/// An explicit reference for one feature of a model version (instead of
/// the first observations after its deployment): numeric values, or
/// category labels (one per observation).
struct baseline_uploaded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  std::string feature;
  std::vector<double> values;
  std::vector<std::string> categories;
  int64_t time_ns = 0;

  ARGUS_FIELDS(baseline_uploaded, hdr, model, feature, values, categories,
               time_ns)
};

/// Lifecycle stages of a model version.
enum class model_stage : uint8_t { trained, deployed, retrained, retired };

/// A model version changed stage.
struct model_lifecycle_changed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  model_stage stage = model_stage::deployed;
  int64_t time_ns = 0;

  ARGUS_FIELDS(model_lifecycle_changed, hdr, model, stage, time_ns)
};

/// How bad a finding is (see actors/ml_monitor/drift.hpp for the cut
/// points between them).
enum class severity : uint8_t { none, low, medium, high, critical };

/// @returns "none", "low", "medium", "high" or "critical".
const char* to_string(severity x);
bool parse_severity(std::string_view name, severity& out);

/// The ML monitor found drift.
struct drift_alert {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  std::string feature; // empty for model-level drift
  std::string method;  // e.g. "ks", "psi", "adwin"
  double score = 0.0;
  double p_value = 1.0;
  severity level = severity::none;
  std::string message;
  int64_t time_ns = 0;

  ARGUS_FIELDS(drift_alert, hdr, model, feature, method, score, p_value, level,
               message, time_ns)
};

/// The ML monitor asks for a model to be retrained.
struct retrain_requested {
  static constexpr uint16_t version = 1;
  message_header hdr;
  model_ref model;
  std::string trigger; // e.g. "critical_drift", "performance_degradation"
  std::string reason;
  int64_t time_ns = 0;

  ARGUS_FIELDS(retrain_requested, hdr, model, trigger, reason, time_ns)
};

/// ML events that arrived at the engine, from the dispatcher to the ML
/// monitor.
struct ml_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<features_observed> features;
  std::vector<prediction_made> predictions;
  std::vector<label_observed> labels;
  std::vector<feature_importance_reported> importances;
  std::vector<model_lifecycle_changed> lifecycle;
  std::vector<baseline_uploaded> baselines;

  size_t size() const noexcept {
    return features.size() + predictions.size() + labels.size()
           + importances.size() + lifecycle.size() + baselines.size();
  }

  bool empty() const noexcept {
    return size() == 0;
  }

  ARGUS_FIELDS(ml_batch, hdr, features, predictions, labels, importances,
               lifecycle, baselines)
};

/// What an ML monitor view request asks for.
enum class ml_view_kind : uint8_t {
  /// Spec: `get_drift_alerts(severity)`: alerts at or above `min_level`.
  alerts,
  /// Spec: `get_model_performance_history(model, limit)`.
  performance,
  /// Every model with its latest check.
  models,
};

struct ml_query {
  static constexpr uint16_t version = 1;
  message_header hdr;
  ml_view_kind kind = ml_view_kind::alerts;
  std::string model_id;
  severity min_level = severity::low;
  uint64_t limit = 100;

  ARGUS_FIELDS(ml_query, hdr, kind, model_id, min_level, limit)
};

/// The answer: JSON in `body`; alerts typed as well.
struct ml_view {
  static constexpr uint16_t version = 1;
  message_header hdr;
  ml_view_kind kind = ml_view_kind::alerts;
  std::string body;
  std::vector<drift_alert> alerts;

  ARGUS_FIELDS(ml_view, hdr, kind, body, alerts)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::ml_view_kind, argus::ml_view_kind::models)
ARGUS_MSGPACK_ENUM(argus::model_stage, argus::model_stage::retired)
ARGUS_MSGPACK_ENUM(argus::severity, argus::severity::critical)
