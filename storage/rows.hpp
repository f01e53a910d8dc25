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

} // namespace argus::storage
