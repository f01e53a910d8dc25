#pragma once

#include "messages/metrics.hpp"
#include "messages/ml.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"

#include <variant>

namespace argus {

/// Asks the engine to make everything received before it durable and to
/// acknowledge with the same correlation id (ingest streams use it as the
/// acknowledgement point: what came before an acked flush is never lost).
struct flush_requested {
  static constexpr uint16_t version = 1;
  message_header hdr;

  ARGUS_FIELDS(flush_requested, hdr)
};

/// Everything a bot may send to the engine, in-process or over the wire.
/// Append only: the index is not on the wire (names are), but tests and
/// the golden files enumerate the alternatives in this order.
using inbound_event
  = std::variant<span_recorded, request_started, request_finished,
                 metric_sampled, trade_executed, features_observed,
                 prediction_made, label_observed, feature_importance_reported,
                 model_lifecycle_changed, ensemble_recorded, regime_recorded,
                 decision_step_recorded, model_behavior_recorded,
                 flush_requested, baseline_uploaded>;

} // namespace argus
