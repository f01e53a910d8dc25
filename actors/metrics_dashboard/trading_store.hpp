#pragma once

// The trading book's stored running state: written as a row now and then,
// read back at start with the fills the state has not seen, so that a
// restart costs the fills since the last state, not every fill ever.

#include "actors/metrics_dashboard/trading_performance.hpp"
#include "messages/storage.hpp"
#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>

namespace argus {

/// How a book was loaded.
struct trading_load {
  /// Whether a stored state was used (else every stored fill was read).
  bool from_state = false;
  /// Fills read from the `trades` table.
  uint64_t fills_read = 0;
};

/// Loads `book` (a new one) from the database: the stored state and the
/// fills after it, or every fill when there is no state or it was kept
/// under other options (another starting capital).
caf::expected<trading_load> load_trading(storage::db_reader& r,
                                         trading_book& book);

/// @returns the row that stores `book`'s settled state.
db_row trading_state_row(const trading_book& book, int64_t now_ns);

} // namespace argus
