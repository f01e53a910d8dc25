#pragma once

// The one CAF type-ID block of the project and its atoms. Registered once in
// `runtime/system.cpp`.

#include "messages/directory.hpp"
#include "messages/error.hpp"
#include "messages/events.hpp"
#include "messages/reports.hpp"
#include "messages/status.hpp"
#include "messages/storage.hpp"

#include <caf/type_id.hpp>

#include <string>
#include <vector>

CAF_BEGIN_TYPE_ID_BLOCK(argus, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(argus, (argus::message_header))
  CAF_ADD_TYPE_ID(argus, (argus::correlation_id))
  CAF_ADD_TYPE_ID(argus, (argus::span_batch))
  CAF_ADD_TYPE_ID(argus, (argus::request_batch))
  CAF_ADD_TYPE_ID(argus, (argus::component_touches))
  CAF_ADD_TYPE_ID(argus, (argus::correlation_statistics))
  CAF_ADD_TYPE_ID(argus, (argus::operation_latencies))
  CAF_ADD_TYPE_ID(argus, (argus::span_recorded))
  CAF_ADD_TYPE_ID(argus, (argus::trace_exported))
  CAF_ADD_TYPE_ID(argus, (argus::request_started))
  CAF_ADD_TYPE_ID(argus, (argus::request_finished))
  CAF_ADD_TYPE_ID(argus, (argus::metric_sampled))
  CAF_ADD_TYPE_ID(argus, (argus::trade_executed))
  CAF_ADD_TYPE_ID(argus, (argus::features_observed))
  CAF_ADD_TYPE_ID(argus, (argus::prediction_made))
  CAF_ADD_TYPE_ID(argus, (argus::label_observed))
  CAF_ADD_TYPE_ID(argus, (argus::feature_importance_reported))
  CAF_ADD_TYPE_ID(argus, (argus::model_lifecycle_changed))
  CAF_ADD_TYPE_ID(argus, (argus::drift_alert))
  CAF_ADD_TYPE_ID(argus, (argus::retrain_requested))
  CAF_ADD_TYPE_ID(argus, (argus::ensemble_recorded))
  CAF_ADD_TYPE_ID(argus, (argus::regime_recorded))
  CAF_ADD_TYPE_ID(argus, (argus::decision_step_recorded))
  CAF_ADD_TYPE_ID(argus, (argus::model_behavior_recorded))
  CAF_ADD_TYPE_ID(argus, (argus::tracking_batch))
  CAF_ADD_TYPE_ID(argus, (argus::flush_requested))
  CAF_ADD_TYPE_ID(argus, (argus::baseline_uploaded))
  CAF_ADD_TYPE_ID(argus, (argus::report_requested))
  CAF_ADD_TYPE_ID(argus, (argus::report_generated))
  CAF_ADD_TYPE_ID(argus, (argus::component_status))
  CAF_ADD_TYPE_ID(argus, (argus::integration_status))
  CAF_ADD_TYPE_ID(argus, (argus::persist_rows))
  CAF_ADD_TYPE_ID(argus, (argus::flush_ack))
  CAF_ADD_TYPE_ID(argus, (argus::metrics_batch))
  CAF_ADD_TYPE_ID(argus, (argus::metric_point))
  CAF_ADD_TYPE_ID(argus, (argus::metrics_query))
  CAF_ADD_TYPE_ID(argus, (argus::metrics_view))
  CAF_ADD_TYPE_ID(argus, (argus::ml_batch))
  CAF_ADD_TYPE_ID(argus, (argus::ml_query))
  CAF_ADD_TYPE_ID(argus, (argus::ml_view))
  CAF_ADD_TYPE_ID(argus, (argus::ensemble_outcome))
  CAF_ADD_TYPE_ID(argus, (argus::regime_changed))
  CAF_ADD_TYPE_ID(argus, (argus::feature_rank_changed))
  CAF_ADD_TYPE_ID(argus, (argus::feature_scores))
  CAF_ADD_TYPE_ID(argus, (argus::tracking_query))
  CAF_ADD_TYPE_ID(argus, (argus::tracking_view))
  CAF_ADD_TYPE_ID(argus, (argus::component_directory))
  CAF_ADD_TYPE_ID(argus, (argus::request_summary))

CAF_END_TYPE_ID_BLOCK(argus)

// Payload-free commands (verbs, at most 10 characters).
CAF_ADD_ATOM(argus, argus::atom, drain, "drain")
CAF_ADD_ATOM(argus, argus::atom, flush, "flush")
CAF_ADD_ATOM(argus, argus::atom, restart, "restart")
CAF_ADD_ATOM(argus, argus::atom, retain, "retain")
CAF_ADD_ATOM(argus, argus::atom, route, "route")
CAF_ADD_ATOM(argus, argus::atom, status, "status")
CAF_ADD_ATOM(argus, argus::atom, stop, "stop")
CAF_ADD_ATOM(argus, argus::atom, tick, "tick")
CAF_ADD_ATOM(argus, argus::atom, lookup, "lookup")
CAF_ADD_ATOM(argus, argus::atom, stats, "stats")
CAF_ADD_ATOM(argus, argus::atom, subscribe, "subscribe")
CAF_ADD_ATOM(argus, argus::atom, put, "put")
