#pragma once

#include "messages/header.hpp"
#include "messages/tracing.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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

/// What came of the decision taken under `hdr.corr`: the ground truth sent
/// as a label for the ensemble's id, or the realised PnL of a fill. The
/// dispatcher derives it from `label_observed` and `trade_executed`, which
/// go to their own components as well.
struct ensemble_outcome {
  static constexpr uint16_t version = 1;
  message_header hdr;
  /// The label's model id; empty for a fill (it applies to whichever
  /// ensemble decided under the same correlation id).
  std::string ensemble_id;
  bool from_label = false;
  /// A class label ("buy", "sell", "hold"), or empty for a numeric label
  /// in `value` (a score, thresholded like the members' scores).
  std::string label;
  double value = 0.0;
  double realized_pnl = 0.0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(ensemble_outcome, hdr, ensemble_id, from_label, label, value,
               realized_pnl, time_ns)
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
  std::vector<ensemble_outcome> outcomes;

  ARGUS_FIELDS(tracking_batch, hdr, ensembles, regimes, decisions, behaviors,
               outcomes)

  /// The events this batch owns. Outcomes are not counted: they are
  /// derived from events that other components take and count.
  size_t size() const noexcept {
    return ensembles.size() + regimes.size() + decisions.size()
           + behaviors.size();
  }

  bool empty() const noexcept {
    return size() == 0 && outcomes.empty();
  }
};

/// The tracker saw the market regime change (sent to its subscribers).
struct regime_changed {
  static constexpr uint16_t version = 1;
  /// The correlation id of the observation that showed the new regime.
  message_header hdr;
  std::string from;
  std::string to;
  /// How long `from` lasted, in seconds.
  double previous_duration_s = 0.0;
  /// The classifier's confidence in `to`.
  double confidence = 0.0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(regime_changed, hdr, from, to, previous_duration_s, confidence,
               time_ns)
};

/// A feature moved in its model's importance ranking (sent to the
/// tracker's subscribers). Rank 1 is the most important; 0 is unranked.
struct feature_rank_changed {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string model_id;
  std::string feature;
  uint32_t from_rank = 0;
  uint32_t to_rank = 0;
  double importance = 0.0;
  int64_t time_ns = 0;

  ARGUS_FIELDS(feature_rank_changed, hdr, model_id, feature, from_rank, to_rank,
               importance, time_ns)
};

/// A model's feature importances and drift scores at one time: what the ML
/// monitor computed in a check, handed to the tracker's feature tracking.
/// Either map may be empty (importance and drift are checked on their own
/// intervals).
struct feature_scores {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string model_id;
  std::map<std::string, double> importance;
  std::map<std::string, double> drift_scores;
  int64_t time_ns = 0;

  ARGUS_FIELDS(feature_scores, hdr, model_id, importance, drift_scores, time_ns)
};

/// What a tracking view request asks for (the spec's
/// `/api/tracking/{ensembles,regimes,features,decisions}`).
enum class tracking_view_kind : uint8_t {
  ensembles,
  regimes,
  features,
  decisions
};

/// @returns "ensembles", "regimes", "features" or "decisions".
const char* to_string(tracking_view_kind x);
bool parse_tracking_view_kind(std::string_view name, tracking_view_kind& out);

struct tracking_query {
  static constexpr uint16_t version = 1;
  message_header hdr;
  tracking_view_kind kind = tracking_view_kind::regimes;
  /// An ensemble id, a model id (features) or a correlation id (one
  /// decision path); empty for all.
  std::string id;
  /// The history's time range; 0: unbounded (until: now).
  int64_t since_ns = 0;
  int64_t until_ns = 0;
  /// At most this many history entries (the newest), per ensemble.
  uint64_t limit = 100;
  /// Features: the top `top` by rank (0: all).
  uint64_t top = 0;

  ARGUS_FIELDS(tracking_query, hdr, kind, id, since_ns, until_ns, limit, top)
};

/// The answer: latest state, history over the range and derived
/// statistics, as JSON in `body`.
struct tracking_view {
  static constexpr uint16_t version = 1;
  message_header hdr;
  tracking_view_kind kind = tracking_view_kind::regimes;
  std::string body;

  ARGUS_FIELDS(tracking_view, hdr, kind, body)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::tracking_view_kind,
                   argus::tracking_view_kind::decisions)
