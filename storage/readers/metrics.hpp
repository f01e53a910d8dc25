#pragma once

// Stored metric rollups and fills.

#include "messages/metrics.hpp"
#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace argus::storage {

/// @returns the rollup points of `name` in `window` (either empty: all)
///          whose window starts in [from_ns, to_ns] (to_ns = 0: no
///          bound), by series then time. Each window's latest row.
caf::expected<std::vector<metric_point>>
metric_points(db_reader& r, const std::string& name, const std::string& window,
              int64_t from_ns, int64_t to_ns);

/// @returns the newest point of every series in `window`.
caf::expected<std::vector<metric_point>>
latest_metric_points(db_reader& r, const std::string& window);

/// @returns the newest `limit` fills, in time order.
caf::expected<std::vector<trade_executed>> trades(db_reader& r, size_t limit);

} // namespace argus::storage
