#pragma once

// Turns domain messages into rows of the tables in `storage/schema.cpp`.
// Value order follows `table_info::columns`.

#include "messages/metrics.hpp"
#include "messages/reports.hpp"
#include "messages/storage.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"

#include <string>
#include <string_view>

namespace argus::storage {

db_row to_row(const ensemble_recorded& x);
db_row to_row(const regime_recorded& x);
db_row to_row(const model_behavior_recorded& x);
db_row to_row(const decision_step_recorded& x);
db_row to_row(const report_generated& x);
db_row to_row(const span_recorded& x);
db_row to_row(const trade_executed& x);
/// A rollup point; `labels` are stored as one JSON object with sorted keys,
/// so equal label sets are equal text (the table's unique key).
db_row to_row(const metric_point& x);

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
