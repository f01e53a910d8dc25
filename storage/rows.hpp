#pragma once

// Turns domain messages into rows of the tables in `storage/schema.cpp`.
// Value order follows `table_info::columns`.

#include "messages/reports.hpp"
#include "messages/storage.hpp"
#include "messages/tracing.hpp"
#include "messages/tracking.hpp"

namespace argus::storage {

db_row to_row(const ensemble_recorded& x);
db_row to_row(const regime_recorded& x);
db_row to_row(const model_behavior_recorded& x);
db_row to_row(const decision_step_recorded& x);
db_row to_row(const report_generated& x);
db_row to_row(const span_recorded& x);

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
