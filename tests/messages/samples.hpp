#pragma once

// One fully populated instance of every message type (every field off its
// default), for round trips and the golden files.

#include "messages/events.hpp"
#include "messages/ml.hpp"
#include "messages/reports.hpp"
#include "messages/status.hpp"
#include "messages/storage.hpp"

namespace argus::test {

inline message_header sample_header() {
  return message_header{*correlation_id::parse("req_123"), 1};
}

inline std::vector<attribute> sample_attributes() {
  return {{"features_generated", attribute_type::integer, "", 50, 0.0, false},
          {"strategy_applied", attribute_type::string, "momentum_based", 0, 0.0,
           false},
          {"edge", attribute_type::real, "", 0, 0.25, false},
          {"live", attribute_type::boolean, "", 0, 0.0, true}};
}

inline model_ref sample_model() {
  return {"ensemble_1", "v3"};
}

inline span_recorded sample_span_recorded() {
  span_recorded x;
  x.hdr = sample_header();
  x.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  x.span_id = "00f067aa0ba902b7";
  x.parent_span_id = "a3ce929d0e0e4736";
  x.component = component_type::strategist;
  x.operation = "strategy_execution";
  x.kind = span_kind::client;
  x.status = span_status::error;
  x.status_message = "exchange rejected";
  x.start_ns = 1'700'000'000'000'000'000;
  x.end_ns = 1'700'000'000'002'500'000;
  x.attributes = sample_attributes();
  x.events = {{"retry", 1'700'000'000'001'000'000, sample_attributes()}};
  x.links = {{"4bf92f3577b34da6a3ce929d0e0e4737", "00f067aa0ba902b8"}};
  return x;
}

inline request_started sample_request_started() {
  return {sample_header(), "place_order", 1'700'000'000'000'000'000,
          sample_attributes()};
}

inline request_finished sample_request_finished() {
  return {sample_header(), 1'700'000'000'100'000'000, false, "timeout",
          "exchange did not answer"};
}

inline metric_sampled sample_metric_sampled() {
  return {sample_header(),
          "order_latency_us",
          metric_kind::histogram,
          42.5,
          {{"venue", "binance"}, {"symbol", "BTCUSDT"}},
          1'700'000'000'000'000'000};
}

inline trade_executed sample_trade_executed() {
  return {sample_header(),
          "t-1",
          "o-9",
          "BTCUSDT",
          trade_side::sell,
          0.25,
          64000.5,
          1.75,
          -12.5,
          "momentum",
          "stop_loss",
          1'700'000'000'000'000'000};
}

inline features_observed sample_features_observed() {
  return {sample_header(),
          sample_model(),
          {{"rsi", 61.5}, {"volatility", 0.031}},
          {{"session", "asia"}},
          1'700'000'000'000'000'000};
}

inline prediction_made sample_prediction_made() {
  return {sample_header(), sample_model(), 0.73,
          "buy",           0.81,           1'700'000'000'000'000'000};
}

inline label_observed sample_label_observed() {
  return {sample_header(), sample_model(), 1.0, "buy",
          1'700'000'000'900'000'000};
}

inline feature_importance_reported sample_feature_importance_reported() {
  return {sample_header(),
          sample_model(),
          {{"rsi", 0.4}, {"volatility", 0.35}, {"volume", 0.25}},
          1'700'000'000'000'000'000};
}

inline model_lifecycle_changed sample_model_lifecycle_changed() {
  return {sample_header(), sample_model(), model_stage::retrained,
          1'700'000'000'000'000'000};
}

inline drift_alert sample_drift_alert() {
  return {sample_header(),
          sample_model(),
          "volatility",
          "ks",
          0.42,
          0.0001,
          severity::critical,
          "distribution shifted",
          1'700'000'000'000'000'000};
}

inline retrain_requested sample_retrain_requested() {
  return {sample_header(), sample_model(), "critical_drift",
          "ks 0.42 > 0.3 on volatility", 1'700'000'000'000'000'000};
}

inline ensemble_recorded sample_ensemble_recorded() {
  return {sample_header(),
          "ensemble_1",
          "regime_ensemble",
          {{"model_1", 0.8}, {"model_2", 0.75}},
          {{"model_1", 0.6}, {"model_2", 0.4}},
          "buy",
          0.78,
          "hold",
          0.66,
          1'700'000'000'000'000'000};
}

inline regime_recorded sample_regime_recorded() {
  return {sample_header(),
          "BULL_TREND",
          0.85,
          {{"BULL_TREND", 0.6}, {"BEAR_TREND", 0.2}, {"SIDEWAYS", 0.2}},
          {"price_momentum", "volatility"},
          {{"momentum_score", 0.7}, {"volatility_score", 0.3}},
          0.1,
          3600,
          1'700'000'000'000'000'000};
}

inline decision_step_recorded sample_decision_step_recorded() {
  return {sample_header(),           2,
          component_type::tactician, "order_sizing",
          "kelly_fraction",          {{"signal", "buy"}},
          {{"quantity", "0.25"}},    1'700'000'000'000'000'000,
          1'700'000'000'000'400'000};
}

inline model_behavior_recorded sample_model_behavior_recorded() {
  return {sample_header(),
          "ensemble_1",
          0.85,
          {0.8, 0.82, 0.79},
          0.9,
          0.05,
          {{"accuracy", 0.61}},
          {{"rsi", 0.4}},
          {{"rsi", 0.02}},
          {{"model_1", 0.6}},
          1'700'000'000'000'000'000};
}

inline flush_requested sample_flush_requested() {
  return {sample_header()};
}

inline baseline_uploaded sample_baseline_uploaded() {
  return {sample_header(),
          sample_model(),
          "volatility",
          {0.1, 0.25, 0.3, 0.45},
          {"asia", "europe", "asia"},
          1'700'000'000'000'000'000};
}

inline report_requested sample_report_requested() {
  return {sample_header(),
          "performance_summary",
          "pdf",
          {"admin@example.com"},
          1'699'900'000'000'000'000,
          1'700'000'000'000'000'000,
          true,
          "Europe/Berlin"};
}

inline report_generated sample_report_generated() {
  return {sample_header(),
          "performance_summary",
          "daily",
          "pdf",
          {"admin@example.com"},
          "/var/lib/argus/reports/p.pdf",
          "sent",
          "",
          1'700'000'000'000'000'000,
          1'699'900'000'000'000'000,
          1'700'000'000'000'000'000,
          48213,
          2,
          "performance_summary"};
}

inline component_status sample_component_status() {
  return {sample_header(),
          "storage_writer",
          component_state::degraded,
          1'700'000'000'000'000'000,
          2,
          "disk full",
          17,
          {{"committed_rows", 1000}, {"dropped_rows", 3}}};
}

inline integration_status sample_integration_status() {
  return {sample_header(),
          1'700'000'000'000'000'000,
          {sample_component_status()},
          {{"client_offered", 12}}};
}

inline persist_rows sample_persist_rows() {
  return {sample_header(),
          {{table_id::regime_tracking,
            *correlation_id::parse("req_123"),
            {db_value::of(std::string{"BULL"}), db_value::of(int64_t{7}),
             db_value::of(0.5), db_value::null()}}}};
}

inline flush_ack sample_flush_ack() {
  return {sample_header(), 4242};
}

/// Every `inbound_event` alternative, in variant order.
inline std::vector<inbound_event> sample_events() {
  return {sample_span_recorded(),
          sample_request_started(),
          sample_request_finished(),
          sample_metric_sampled(),
          sample_trade_executed(),
          sample_features_observed(),
          sample_prediction_made(),
          sample_label_observed(),
          sample_feature_importance_reported(),
          sample_model_lifecycle_changed(),
          sample_ensemble_recorded(),
          sample_regime_recorded(),
          sample_decision_step_recorded(),
          sample_model_behavior_recorded(),
          sample_flush_requested(),
          sample_baseline_uploaded()};
}

} // namespace argus::test
