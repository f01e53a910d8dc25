#pragma once

#include "messages/header.hpp"
#include "messages/tracing.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace argus {

/// One ensemble decision (spec: `record_ensemble_tracking`, table
/// `ensemble_tracking`).
struct ensemble_recorded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string ensemble_id;
  std::string ensemble_type;
  std::map<std::string, double> individual_predictions;
  std::map<std::string, double> ensemble_weights;
  std::string final_prediction;
  double confidence = 0.0;
  std::string meta_learner_prediction; // empty: no meta-learner
  double meta_learner_confidence = 0.0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(ensemble_recorded, hdr, ensemble_id, ensemble_type,
               individual_predictions, ensemble_weights, final_prediction,
               confidence, meta_learner_prediction, meta_learner_confidence,
               time_ns)
};

/// The regime classifier's view of the market (spec:
/// `record_regime_tracking`, table `regime_tracking`).
struct regime_recorded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string regime_type;
  double regime_confidence = 0.0;
  std::map<std::string, double> regime_probabilities;
  std::vector<std::string> regime_features;
  std::map<std::string, double> regime_indicators;
  double regime_transition_probability = 0.0;
  /// Seconds the regime has lasted, as the bot sees it (0: let the tracker
  /// derive it from the sequence of events).
  int64_t regime_duration = 0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(regime_recorded, hdr, regime_type, regime_confidence,
               regime_probabilities, regime_features, regime_indicators,
               regime_transition_probability, regime_duration, time_ns)
};

/// One step of a decision path (analyst -> ... -> exchange).
struct decision_step_recorded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  uint32_t step = 0;
  component_type component = component_type::analyst;
  std::string name;
  /// The rule or model that decided.
  std::string decided_by;
  std::map<std::string, std::string> inputs;
  std::map<std::string, std::string> outputs;
  int64_t start_ns = 0;
  int64_t end_ns = 0;

  ARGUS_FIELDS(decision_step_recorded, hdr, step, component, name, decided_by,
               inputs, outputs, start_ns, end_ns)
};

/// A model's behaviour summary (spec: `record_model_behavior_tracking`,
/// table `model_behavior_tracking`).
struct model_behavior_recorded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string model_id;
  double prediction_consistency = 0.0;
  std::vector<double> confidence_trend;
  double feature_importance_stability = 0.0;
  double prediction_drift = 0.0;
  std::map<std::string, double> performance_metrics;
  std::map<std::string, double> feature_importance;
  std::map<std::string, double> drift_scores;
  std::map<std::string, double> ensemble_weights;
  int64_t time_ns = 0;

  ARGUS_FIELDS(model_behavior_recorded, hdr, model_id, prediction_consistency,
               confidence_trend, feature_importance_stability, prediction_drift,
               performance_metrics, feature_importance, drift_scores,
               ensemble_weights, time_ns)
};

/// Tracking events handed to the tracker together; the reply (how many
/// were taken) is what lets the next batch go, so no mailbox grows without
/// bound.
struct tracking_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<ensemble_recorded> ensembles;
  std::vector<regime_recorded> regimes;
  std::vector<decision_step_recorded> decisions;
  std::vector<model_behavior_recorded> behaviors;

  ARGUS_FIELDS(tracking_batch, hdr, ensembles, regimes, decisions, behaviors)

  size_t size() const noexcept {
    return ensembles.size() + regimes.size() + decisions.size()
           + behaviors.size();
  }

  bool empty() const noexcept {
    return size() == 0;
  }
};

} // namespace argus
