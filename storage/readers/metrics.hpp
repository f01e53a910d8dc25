#pragma once

// Stored metric rollups and fills.

#include "messages/metrics.hpp"
#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
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

/// @returns the fills with a time in [from_ns, to_ns), in time order.
caf::expected<std::vector<trade_executed>>
trades_between(db_reader& r, int64_t from_ns, int64_t to_ns);

/// @returns the net PnL (realised minus fees) of every fill before
///          `before_ns`: what a period's account starts with beyond the
///          starting capital.
caf::expected<double> net_pnl_before(db_reader& r, int64_t before_ns);

/// @returns the fills booked under correlation id `corr`, in time order
///          (at most `limit`).
caf::expected<std::vector<trade_executed>>
trades_of(db_reader& r, const std::string& corr, size_t limit);

/// @returns the fills newer than `after_ns` or stored after the trade row
///          `after_id` (what a stored trading state has not seen), in the
///          order they were stored: the order the dashboard took them, so
///          that a book given them again takes the same steps.
caf::expected<std::vector<trade_executed>>
trades_after(db_reader& r, int64_t after_ns, int64_t after_id);

/// A stored trading state (`trading_state`).
struct stored_trading_state {
  std::string body;
  int64_t frontier_ns = 0;
  /// The newest trade row when the state was written.
  int64_t covered_trade_id = 0;
};

/// @returns the trading state stored under `name`, or nothing (none yet, or
///          a database from before the table).
caf::expected<std::optional<stored_trading_state>>
trading_state(db_reader& r, const std::string& name);

} // namespace argus::storage
