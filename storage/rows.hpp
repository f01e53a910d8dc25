#pragma once

// Turns domain messages into rows of the tables in `storage/schema.cpp`.
// Value order follows `table_info::columns`.

#include "messages/metrics.hpp"
#include "messages/ml.hpp"
#include "messages/reports.hpp"
#include "messages/storage.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace argus::storage {

db_row to_row(const ensemble_recorded& x);
db_row to_row(const regime_recorded& x);
db_row to_row(const model_behavior_recorded& x);
db_row to_row(const decision_step_recorded& x);
db_row to_row(const report_generated& x);
/// The `report_entries` row of a scheduled run (its entry's latest run);
/// none for a run asked on demand.
std::optional<db_row> entry_row(const report_generated& x);
db_row to_row(const span_recorded& x);
db_row to_row(const trade_executed& x);
/// A rollup point; `labels` are stored as one JSON object with sorted keys,
/// so equal label sets are equal text (the table's unique key).
db_row to_row(const metric_point& x);

// -- the ML monitor's results ------------------------------------------------

/// One feature's drift test at one check (`drift_results`).
struct drift_result_row {
  model_ref model;
  std::string feature;
  std::string test;
  double statistic = 0.0;
  double p_value = 1.0;
  std::string score_method;
  double score = 0.0;
  bool drift = false;
  severity level = severity::none;
  uint64_t reference_size = 0;
  uint64_t current_size = 0;
  int64_t time_ns = 0;
};

/// A model's performance against its labels (`model_performance`).
struct performance_row {
  model_ref model;
  uint64_t samples = 0;
  std::string metrics_json;
  /// Empty: no reference yet.
  std::string reference_json;
  double degradation = 0.0;
  int64_t time_ns = 0;
};

/// What the ML monitor saw of a model's behaviour
/// (`model_behavior_tracking`, the spec's table).
struct behavior_row {
  std::string model_id;
  int64_t time_ns = 0;
  std::string performance_json;
  std::map<std::string, double> importance;
  /// Empty: stored as NULL.
  std::map<std::string, double> drift_scores;
  std::string metadata_json;
};

/// Non-finite figures are stored as NULL.
db_row to_row(const drift_result_row& x);
db_row to_row(const performance_row& x);
db_row to_row(const behavior_row& x);
/// A drift alert fired, escalated or resolved (`change`) at `time_ns`
/// (`drift_alerts`).
db_row to_row(const drift_alert& x, std::string_view change, int64_t time_ns);
/// A retraining request at `time_ns` (`retrain_requests`).
db_row to_row(const retrain_requested& x, int64_t time_ns);

/// @returns `labels` as the JSON object text stored in `metric_points`.
std::string labels_to_json(const metric_labels& labels);
metric_labels labels_from_json(const std::string& text);

/// @returns the side's name, "buy" or "sell".
const char* to_string(trade_side x);

/// A span's row fields as views, so the tracer can build the row straight
/// from the fixed-size slot a bot thread recorded into, without first
/// allocating a `span_recorded`. Empty events/links JSON is stored as NULL.
struct span_row_view {
  correlation_id corr;
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view parent_span_id;
  component_type component = component_type::monitoring;
  std::string_view operation;
  span_kind kind = span_kind::internal;
  span_status status = span_status::unset;
  std::string_view status_message;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string attributes_json;
  std::string events_json;
  std::string links_json;
};

db_row to_row(span_row_view x);

/// Appends one attribute, as `attributes_to_json` writes each (`{"key":..,
/// "type":..,"value":..}`), to `out`.
void append_attribute_json(std::string& out, std::string_view key,
                           attribute_type type, std::string_view text,
                           int64_t integer, double real, bool boolean);

/// Typed attributes as JSON (`[{"key", "type", "value"}]`) and back, so a
/// span read from the database equals the span that was written.
std::string attributes_to_json(const std::vector<attribute>& xs);
std::vector<attribute> attributes_from_json(const std::string& text);

/// Events and links as JSON and back.
std::string events_to_json(const std::vector<span_event>& xs);
std::vector<span_event> events_from_json(const std::string& text);
std::string links_to_json(const std::vector<span_link>& xs);
std::vector<span_link> links_from_json(const std::string& text);

} // namespace argus::storage
