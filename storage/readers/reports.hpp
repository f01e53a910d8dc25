#pragma once

// The report scheduler's tables: `report_history` (spec columns) and the
// reports added at run time (`report_configs`).

#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// @returns the newest `limit` runs, newest first (`report_type` empty:
///          every type).
caf::expected<nlohmann::json> report_history(db_reader& r,
                                             const std::string& report_type,
                                             size_t limit);

/// @returns run `id` of report_history, or nothing.
caf::expected<std::optional<nlohmann::json>> report_run(db_reader& r,
                                                        int64_t id);

/// @returns per report entry (its type for runs stored before entries
/// were), the time of its latest scheduled run.
caf::expected<std::map<std::string, int64_t>>
last_scheduled_runs(db_reader& r);

/// @returns the reports added at run time: (name, definition JSON).
caf::expected<std::vector<std::pair<std::string, std::string>>>
report_configs(db_reader& r);

} // namespace argus::storage
