#pragma once

// One field table per config struct: each key once, with its member and
// the rules its value obeys. The YAML reader (config/load.cpp), the JSON
// dump (`to_json`) and `validate` all walk these tables, so a key cannot be
// read but not dumped or validated, and a config built in C++ is held to the
// same rules as one loaded from a file.
//
// A visitor is called as
//   v(key, member, rules...)   for a value,
//   v.section(key, member)     for a nested mapping with a table of its own.

#include "config/components.hpp"
#include "messages/storage.hpp"

#include <initializer_list>
#include <type_traits>

namespace argus::config {

// -- rules a value obeys ------------------------------------------------------

/// A duration, count or number above zero.
struct positive {};

/// A number in [lo, hi].
struct within {
  double lo;
  double hi;
};

/// At most `max`.
struct at_most {
  size_t max;
};

/// Text or a list that is not empty.
struct non_empty {};

/// A valid HTTP header name.
struct header_name {};

/// An e-mail address (each one, for a list); `optional`: may be empty.
struct email_address {
  bool optional = false;
};

/// An spdlog level name.
struct log_level_name {};

/// Text (or each value of a map) is one of `names`.
struct one_of {
  std::initializer_list<const char*> names;
};

/// Each key of a map names a table of the schema.
struct table_names {};

/// Not a member of its own: the file whose first line is the secret
/// (read only; the secret is dumped under its own key).
struct read_from_file {};

/// A map whose entries are mappings: each entry starts from `first`.
template <class T>
struct entries_from {
  T first;
};

/// A weekly report's day.
inline constexpr std::initializer_list<const char*> weekday_names
  = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
     "saturday"};

/// The drift tests a feature may be pinned to (`feature_methods`).
inline constexpr std::initializer_list<const char*> drift_test_names
  = {"ks", "cvm", "ad", "chi2", "psi", "wasserstein", "js", "hellinger"};

// -- the tables ---------------------------------------------------------------

/// Enables the overload for `C`, const or not.
template <class C, class T>
using if_config = std::enable_if_t<std::is_same_v<std::remove_const_t<C>, T>>;

template <class V, class C>
if_config<C, metrics_dashboard_config> fields(V& v, C& c) {
  v("update_interval", c.update_interval, positive{});
  v("max_metric_history", c.max_metric_history, positive{});
  v("enable_real_time_updates", c.enable_real_time_updates);
  v("enable_websocket_broadcast", c.enable_websocket_broadcast);
  v("max_series_per_metric", c.max_series_per_metric, positive{});
  v("trading_starting_capital", c.trading_starting_capital, positive{});
  v("trading_periods_per_year", c.trading_periods_per_year, positive{});
  v("max_trades", c.max_trades, positive{});
  v("aggregation_windows", c.aggregation_windows);
}

template <class V, class C>
if_config<C, tracer_config> fields(V& v, C& c) {
  v("enable_tracing", c.enable_tracing);
  v("correlation_id_header", c.correlation_id_header, header_name{});
  v("trace_sampling_rate", c.trace_sampling_rate, within{0.0, 1.0});
  v("max_trace_history", c.max_trace_history, positive{});
  v("enable_performance_tracing", c.enable_performance_tracing);
  v("enable_error_tracing", c.enable_error_tracing);
  v("component_types", c.component_types);
  v("slow_span_threshold", c.slow_span_threshold, positive{});
  v("thread_buffer_spans", c.thread_buffer_spans, positive{});
  v("drain_interval", c.drain_interval, positive{});
  v("max_spans_per_trace", c.max_spans_per_trace, positive{});
}

template <class V, class C>
if_config<C, correlation_manager_config> fields(V& v, C& c) {
  v("enable_correlation_tracking", c.enable_correlation_tracking);
  v("correlation_timeout", c.correlation_timeout, positive{});
  v("max_correlation_history", c.max_correlation_history, positive{});
  v("enable_performance_analysis", c.enable_performance_analysis);
  v("enable_debug_aggregation", c.enable_debug_aggregation);
}

template <class V, class C>
if_config<C, retraining_triggers_config> fields(V& v, C& c) {
  v("critical_drift_threshold", c.critical_drift_threshold, within{0.0, 1.0});
  v("performance_degradation_threshold", c.performance_degradation_threshold,
    within{0.0, 1.0});
  v("consecutive_failures", c.consecutive_failures, positive{});
}

template <class V, class C>
if_config<C, ml_monitor_config> fields(V& v, C& c) {
  v("enable_online_learning", c.enable_online_learning);
  v("drift_detection_enabled", c.drift_detection_enabled);
  v("feature_importance_tracking", c.feature_importance_tracking);
  v("auto_retraining_enabled", c.auto_retraining_enabled);
  v("drift_threshold", c.drift_threshold, within{0.0, 1.0});
  v("drift_check_interval", c.drift_check_interval, positive{});
  v("performance_check_interval", c.performance_check_interval, positive{});
  v("feature_analysis_interval", c.feature_analysis_interval, positive{});
  v("drift_detection_methods", c.drift_detection_methods);
  v.section("auto_retraining_triggers", c.auto_retraining_triggers);
  v("reference_window", c.reference_window, positive{});
  v("current_window", c.current_window, positive{});
  v("current_max_age", c.current_max_age);
  v("min_samples", c.min_samples, positive{});
  v("significance", c.significance, within{0.0, 1.0});
  v("alert_pending", c.alert_pending);
  v("alert_keep", c.alert_keep);
  v("retrain_cooldown", c.retrain_cooldown);
  v("max_pending_labels", c.max_pending_labels, positive{});
  v("performance_window", c.performance_window, positive{});
  v("max_alert_history", c.max_alert_history, positive{});
  v("feature_methods", c.feature_methods, one_of{drift_test_names});
  v("adwin_delta", c.adwin_delta, within{0.0, 1.0});
  v("page_hinkley_delta", c.page_hinkley_delta, within{0.0, 1e300});
  v("page_hinkley_lambda", c.page_hinkley_lambda, positive{},
    within{0.0, 1e300});
  v("page_hinkley_alpha", c.page_hinkley_alpha, within{0.0, 1.0});
  v("page_hinkley_min_instances", c.page_hinkley_min_instances,
    within{1.0, 1e9});
  v("ddm_warm_start", c.ddm_warm_start, within{1.0, 1e9});
  v("ddm_warning", c.ddm_warning);
  v("ddm_drift", c.ddm_drift);
}

template <class V, class C>
if_config<C, report_definition> fields(V& v, C& c) {
  v("type", c.type);
  v("schedule", c.schedule, non_empty{});
  v("at", c.at);
  v("weekday", c.weekday, one_of{weekday_names});
  v("day_of_month", c.day_of_month, within{1, 31});
  v("time_zone", c.time_zone);
  v("format", c.format);
  v("recipients", c.recipients, email_address{});
  v("enabled", c.enabled);
}

template <class V, class C>
if_config<C, email_config> fields(V& v, C& c) {
  v("smtp_server", c.smtp_server, non_empty{});
  v("smtp_port", c.smtp_port, within{1, 65535});
  v("username", c.username);
  v("password", c.password);
  v("password_file", c.password, read_from_file{});
  v("use_tls", c.use_tls);
  v("from_address", c.from_address, email_address{});
  v("reply_to", c.reply_to, email_address{true});
  v("ca_file", c.ca_file);
  v("timeout", c.timeout, positive{});
}

template <class V, class C>
if_config<C, report_scheduler_config> fields(V& v, C& c) {
  v("enable_automated_reports", c.enable_automated_reports);
  v("default_schedule", c.default_schedule);
  v("email_distribution", c.email_distribution);
  v("report_formats", c.report_formats, non_empty{});
  v("default_recipients", c.default_recipients, email_address{});
  v("time_zone", c.time_zone, non_empty{});
  v("output_directory", c.output_directory, non_empty{});
  v("max_files", c.max_files, positive{});
  v("file_retention", c.file_retention, positive{});
  v("catch_up_grace", c.catch_up_grace);
  v("retry_initial", c.retry_initial, positive{});
  v("retry_max_age", c.retry_max_age);
  // A report names what differs from the section's defaults (its zone
  // stays empty: the section's, wherever the section names it).
  report_definition first;
  first.schedule = c.default_schedule;
  first.recipients = c.default_recipients;
  v("reports", c.reports, entries_from<report_definition>{std::move(first)});
  v.section("email", c.email);
}

template <class V, class C>
if_config<C, ensemble_tracking_config> fields(V& v, C& c) {
  v("track_individual_predictions", c.track_individual_predictions);
  v("track_ensemble_weights", c.track_ensemble_weights);
  v("track_meta_learner", c.track_meta_learner);
  v("track_confidence_scores", c.track_confidence_scores);
}

template <class V, class C>
if_config<C, regime_tracking_config> fields(V& v, C& c) {
  v("track_regime_probabilities", c.track_regime_probabilities);
  v("track_regime_features", c.track_regime_features);
  v("track_regime_indicators", c.track_regime_indicators);
  v("track_regime_transitions", c.track_regime_transitions);
  v("track_regime_duration", c.track_regime_duration);
}

template <class V, class C>
if_config<C, feature_tracking_config> fields(V& v, C& c) {
  v("track_importance_scores", c.track_importance_scores);
  v("track_stability_scores", c.track_stability_scores);
  v("track_drift_scores", c.track_drift_scores);
  v("track_rankings", c.track_rankings);
}

template <class V, class C>
if_config<C, tracker_config> fields(V& v, C& c) {
  v("enable_correlation_tracking", c.enable_correlation_tracking);
  v("enable_ensemble_tracking", c.enable_ensemble_tracking);
  v("enable_regime_tracking", c.enable_regime_tracking);
  v("enable_decision_path_tracking", c.enable_decision_path_tracking);
  v("max_tracking_history", c.max_tracking_history, positive{});
  v("correlation_update_interval", c.correlation_update_interval, positive{});
  v("ensemble_update_interval", c.ensemble_update_interval, positive{});
  v("regime_update_interval", c.regime_update_interval, positive{});
  v("decision_update_interval", c.decision_update_interval, positive{});
  v.section("ensemble_tracking", c.ensemble_tracking);
  v.section("regime_tracking", c.regime_tracking);
  v.section("feature_tracking", c.feature_tracking);
}

template <class V, class C>
if_config<C, supervisor_config> fields(V& v, C& c) {
  v("enable_unified_monitoring", c.enable_unified_monitoring);
  v("enable_cross_component_tracking", c.enable_cross_component_tracking);
  v("enable_performance_correlation", c.enable_performance_correlation);
  v("max_restarts", c.max_restarts);
  v("restart_window", c.restart_window, positive{});
  v("restart_backoff_initial", c.restart_backoff_initial, positive{});
  v("restart_backoff_max", c.restart_backoff_max, positive{});
  v("shutdown_timeout", c.shutdown_timeout, positive{});
}

template <class V, class C>
if_config<C, storage_config> fields(V& v, C& c) {
  v("path", c.path, non_empty{});
  v("synchronous", c.synchronous);
  v("batch_max_rows", c.batch_max_rows, positive{});
  v("batch_interval", c.batch_interval, positive{});
  v("max_pending_rows", c.max_pending_rows);
  v("busy_timeout", c.busy_timeout, positive{});
  v("max_size_mb", c.max_size_mb);
  v("retention", c.retention, table_names{}, positive{});
  v("retention_interval", c.retention_interval, positive{});
  v("retention_batch_rows", c.retention_batch_rows, positive{});
}

template <class V, class C>
if_config<C, runtime_config> fields(V& v, C& c) {
  v("threads", c.threads, at_most{256});
  v("log_level", c.log_level, log_level_name{});
  v("client_queue_capacity", c.client_queue_capacity, positive{});
  v("door_queue_percent", c.door_queue_percent, positive{}, at_most{100});
  v("dedicated_threads", c.dedicated_threads);
}

/// Each text is an RE2 pattern that compiles.
struct re2_patterns {};

template <class V, class C>
if_config<C, privacy_config> fields(V& v, C& c) {
  v("redact_keys", c.redact_keys);
  v("redact_patterns", c.redact_patterns, re2_patterns{});
  v("hash_key", c.hash_key);
  v("hash_key_file", c.hash_key, read_from_file{});
}

template <class V, class C>
if_config<C, api_token> fields(V& v, C& c) {
  v("role", c.role, one_of{{"viewer", "operator", "admin"}});
  v("token", c.token);
  v("token_file", c.token, read_from_file{});
}

template <class V, class C>
if_config<C, gateway_config> fields(V& v, C& c) {
  v("enabled", c.enabled);
  v("address", c.address, non_empty{});
  v("port", c.port);
  v("tls_certificate", c.tls_certificate);
  v("tls_key", c.tls_key);
  v("allow_insecure_remote", c.allow_insecure_remote);
  v("tokens", c.tokens, entries_from<api_token>{});
  v("max_connections", c.max_connections, positive{});
  v("max_header_bytes", c.max_header_bytes, positive{});
  v("max_body_bytes", c.max_body_bytes, positive{});
  v("read_timeout", c.read_timeout, positive{});
  v("workers", c.workers, positive{}, at_most{64});
  v("io_threads", c.io_threads, positive{}, at_most{64});
  v("websocket_max_connections", c.websocket_max_connections, positive{});
  v("websocket_max_message_bytes", c.websocket_max_message_bytes, positive{});
  v("websocket_queue_messages", c.websocket_queue_messages, positive{});
  v("websocket_idle_timeout", c.websocket_idle_timeout, positive{});
  v("max_queued_requests", c.max_queued_requests, positive{});
  v("request_timeout", c.request_timeout, positive{});
  v("auth_failures_before_throttle", c.auth_failures_before_throttle,
    positive{});
  v("auth_throttle_window", c.auth_throttle_window, positive{});
  v("web_root", c.web_root);
  v("dashboard", c.dashboard);
  v("audit", c.audit);
  v("audit_max_pending", c.audit_max_pending, positive{});
}

/// The spec's `monitoring:` tree.
template <class V, class C>
if_config<C, engine_config> fields(V& v, C& c) {
  v("enabled", c.enabled);
  v.section("metrics_dashboard", c.metrics_dashboard);
  v.section("advanced_tracer", c.advanced_tracer);
  v.section("correlation_manager", c.correlation_manager);
  v.section("ml_monitor", c.ml_monitor);
  v.section("report_scheduler", c.report_scheduler);
  v.section("tracking_system", c.tracking_system);
  v.section("monitoring_integration", c.monitoring_integration);
  v.section("storage", c.storage);
  v.section("runtime", c.runtime);
  v.section("privacy", c.privacy);
  v.section("gateway", c.gateway);
}

// -- enums --------------------------------------------------------------------

/// The last value of each config enum (values run from 0 to it).
template <class Enum>
struct enum_last;

template <>
struct enum_last<component_type> {
  static constexpr auto value = component_type::monitoring;
};

template <>
struct enum_last<drift_method> {
  static constexpr auto value = drift_method::feature_drift;
};

template <>
struct enum_last<report_format> {
  static constexpr auto value = report_format::json;
};

template <>
struct enum_last<sync_mode> {
  static constexpr auto value = sync_mode::full;
};

template <>
struct enum_last<table_id> {
  static constexpr auto value = last_table_id;
};

/// @returns the value of `Enum` named `text`, if any.
template <class Enum>
bool parse_enum(const std::string& text, Enum& out) {
  for (int i = 0; i <= static_cast<int>(enum_last<Enum>::value); ++i) {
    auto x = static_cast<Enum>(i);
    if (text == to_string(x)) {
      out = x;
      return true;
    }
  }
  return false;
}

/// @returns the names of `Enum`'s values, comma-separated.
template <class Enum>
std::string enum_choices() {
  std::string result;
  for (int i = 0; i <= static_cast<int>(enum_last<Enum>::value); ++i) {
    if (!result.empty())
      result += ", ";
    result += to_string(static_cast<Enum>(i));
  }
  return result;
}

} // namespace argus::config
