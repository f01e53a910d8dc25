#pragma once

// The events the benchmarks record: the spec's examples, as a bot builds
// them (a fresh object each time; the client stamps the time).

#include "messages/tracking.hpp"

namespace argus::bench {

/// The spec's `record_regime_tracking` example: 11 fields.
inline regime_recorded sample_regime() {
  regime_recorded x;
  x.hdr.corr = *correlation_id::parse("req_123");
  x.regime_type = "BULL_TREND";
  x.regime_confidence = 0.85;
  x.regime_probabilities
    = {{"BULL_TREND", 0.6}, {"BEAR_TREND", 0.2}, {"SIDEWAYS", 0.2}};
  x.regime_features = {"price_momentum", "volatility"};
  x.regime_indicators = {{"momentum_score", 0.7}, {"volatility_score", 0.3}};
  x.regime_transition_probability = 0.1;
  x.regime_duration = 3600;
  return x;
}

/// A three-member ensemble decision with a meta-learner: 12 fields.
inline ensemble_recorded sample_ensemble() {
  ensemble_recorded x;
  x.hdr.corr = *correlation_id::parse("req_123");
  x.ensemble_id = "ensemble_1";
  x.ensemble_type = "regime_ensemble";
  x.individual_predictions
    = {{"gradient_boost", 0.71}, {"lstm", 0.64}, {"random_forest", 0.58}};
  x.ensemble_weights
    = {{"gradient_boost", 0.4}, {"lstm", 0.35}, {"random_forest", 0.25}};
  x.final_prediction = "buy";
  x.confidence = 0.78;
  x.meta_learner_prediction = "hold";
  x.meta_learner_confidence = 0.66;
  return x;
}

} // namespace argus::bench
