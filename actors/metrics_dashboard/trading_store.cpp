#include "actors/metrics_dashboard/trading_store.hpp"

#include "messages/json_text.hpp"
#include "storage/readers/metrics.hpp"

#include <limits>

namespace argus {

namespace {

/// The book's row in `trading_state` (one per database today; the key
/// leaves room for more books).
constexpr const char* state_name = "trading";

} // namespace

caf::expected<trading_load> load_trading(storage::db_reader& r,
                                         trading_book& book) {
  trading_load result;
  auto state = storage::trading_state(r, state_name);
  if (!state)
    return state.error();
  int64_t after_ns = std::numeric_limits<int64_t>::min();
  int64_t after_id = 0;
  if (*state) {
    auto j = nlohmann::json::parse((*state)->body, nullptr, false);
    if (!j.is_discarded() && book.restore(j)) {
      result.from_state = true;
      after_ns = book.frontier_ns();
      after_id = (*state)->covered_trade_id;
    }
  }
  auto fills = storage::trades_after(r, after_ns, after_id);
  if (!fills)
    return fills.error();
  for (const auto& x : *fills)
    book.add(x);
  result.fills_read = fills->size();
  return result;
}

db_row trading_state_row(const trading_book& book, int64_t now_ns) {
  return db_row{
    table_id::trading_state,
    {},
    {db_value::of(std::string{state_name}), db_value::of(book.frontier_ns()),
     db_value::of(dump_json(book.settled_state())), db_value::of(now_ns)}};
}

} // namespace argus
