#include "storage/readers/metrics.hpp"

#include "storage/rows.hpp"

#include <SQLiteCpp/Statement.h>

#include <limits>

namespace argus::storage {

namespace {

constexpr const char* metric_point_columns
  = "name, coalesce(kind, 'gauge'), coalesce(labels, '{}'), window_name, "
    "time_ns, coalesce(count, 0), sum, min, max, last, quantiles, totals";

double real_or_nan(const SQLite::Column& c) {
  return c.isNull() ? std::numeric_limits<double>::quiet_NaN() : c.getDouble();
}

metric_point read_metric_point(SQLite::Statement& q) {
  metric_point p;
  p.name = q.getColumn(0).getString();
  if (!parse_metric_kind(q.getColumn(1).getString(), p.kind))
    p.kind = metric_kind::gauge;
  p.labels = labels_from_json(q.getColumn(2).getString());
  p.window = q.getColumn(3).getString();
  p.start_ns = q.getColumn(4).getInt64();
  p.count = static_cast<uint64_t>(q.getColumn(5).getInt64());
  p.sum = real_or_nan(q.getColumn(6));
  p.min = real_or_nan(q.getColumn(7));
  p.max = real_or_nan(q.getColumn(8));
  p.last = real_or_nan(q.getColumn(9));
  if (!q.getColumn(10).isNull()) {
    auto qs
      = nlohmann::json::parse(q.getColumn(10).getString(), nullptr, false);
    if (qs.is_array())
      for (const auto& v : qs)
        p.quantiles.push_back(v.is_number()
                                ? v.get<double>()
                                : std::numeric_limits<double>::quiet_NaN());
  }
  if (!q.getColumn(11).isNull())
    p.totals = q.getColumn(11).getString();
  return p;
}

} // namespace

caf::expected<std::vector<metric_point>>
metric_points(db_reader& r, const std::string& name, const std::string& window,
              int64_t from_ns, int64_t to_ns) {
  return detail::guarded([&] {
    std::string sql = std::string{"SELECT "} + metric_point_columns
                      + " FROM metric_points WHERE time_ns >= ?1"
                        " AND (?2 = 0 OR time_ns <= ?2)"
                        " AND (?3 = '' OR name = ?3)"
                        " AND (?4 = '' OR window_name = ?4)"
                        " ORDER BY name, labels, window_name, time_ns";
    SQLite::Statement q{r.db(), sql};
    q.bind(1, static_cast<int64_t>(from_ns));
    q.bind(2, static_cast<int64_t>(to_ns));
    q.bind(3, name);
    q.bind(4, window);
    std::vector<metric_point> result;
    while (q.executeStep())
      result.push_back(read_metric_point(q));
    return result;
  });
}

caf::expected<std::vector<metric_point>>
latest_metric_points(db_reader& r, const std::string& window) {
  return detail::guarded([&] {
    std::string sql = std::string{"SELECT "} + metric_point_columns
                      + " FROM metric_points AS m WHERE window_name = ?1 AND "
                        "time_ns = (SELECT max(time_ns) FROM metric_points "
                        "WHERE name = m.name AND labels = m.labels AND "
                        "window_name = ?1) ORDER BY name, labels";
    SQLite::Statement q{r.db(), sql};
    q.bind(1, window);
    std::vector<metric_point> result;
    while (q.executeStep())
      result.push_back(read_metric_point(q));
    return result;
  });
}

namespace {

constexpr const char* trade_columns
  = "coalesce(correlation_id, ''), coalesce(trade_id, ''), "
    "coalesce(order_id, ''), coalesce(symbol, ''), side, "
    "coalesce(quantity, 0), coalesce(price, 0), coalesce(fee, 0), "
    "coalesce(realized_pnl, 0), coalesce(strategy_tag, ''), "
    "coalesce(exit_reason, ''), time_ns, id";

std::vector<trade_executed> read_trades(SQLite::Statement& q) {
  std::vector<trade_executed> result;
  while (q.executeStep()) {
    trade_executed x;
    if (auto corr = correlation_id::parse(q.getColumn(0).getString()))
      x.hdr.corr = *corr;
    x.trade_id = q.getColumn(1).getString();
    x.order_id = q.getColumn(2).getString();
    x.symbol = q.getColumn(3).getString();
    x.side = q.getColumn(4).getString() == "sell" ? trade_side::sell
                                                  : trade_side::buy;
    x.quantity = q.getColumn(5).getDouble();
    x.price = q.getColumn(6).getDouble();
    x.fee = q.getColumn(7).getDouble();
    x.realized_pnl = q.getColumn(8).getDouble();
    x.strategy_tag = q.getColumn(9).getString();
    x.exit_reason = q.getColumn(10).getString();
    x.time_ns = q.getColumn(11).getInt64();
    result.push_back(std::move(x));
  }
  return result;
}

} // namespace

caf::expected<std::vector<trade_executed>> trades(db_reader& r, size_t limit) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), std::string{"SELECT * FROM (SELECT "}
                                  + trade_columns
                                  + " FROM trades ORDER BY time_ns DESC, id "
                                    "DESC LIMIT ?) ORDER BY time_ns, id"};
    q.bind(1, static_cast<int64_t>(limit));
    return read_trades(q);
  });
}

caf::expected<std::vector<trade_executed>>
trades_between(db_reader& r, int64_t from_ns, int64_t to_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), std::string{"SELECT "} + trade_columns
                                  + " FROM trades WHERE time_ns >= ? AND "
                                    "time_ns < ? ORDER BY time_ns, id"};
    q.bind(1, from_ns);
    q.bind(2, to_ns);
    return read_trades(q);
  });
}

caf::expected<double> net_pnl_before(db_reader& r, int64_t before_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), "SELECT coalesce(sum(coalesce(realized_pnl, 0) "
                                "- coalesce(fee, 0)), 0) FROM trades WHERE "
                                "time_ns < ?"};
    q.bind(1, before_ns);
    q.executeStep();
    return q.getColumn(0).getDouble();
  });
}

caf::expected<std::vector<trade_executed>>
trades_of(db_reader& r, const std::string& corr, size_t limit) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), std::string{"SELECT "} + trade_columns
                                  + " FROM trades WHERE correlation_id = ? "
                                    "ORDER BY time_ns, id LIMIT ?"};
    q.bind(1, corr);
    q.bind(2, static_cast<int64_t>(limit));
    return read_trades(q);
  });
}

caf::expected<std::vector<trade_executed>>
trades_after(db_reader& r, int64_t after_ns, int64_t after_id) {
  return detail::guarded([&] {
    // Two index ranges (time, and the rowid), not a scan of the table;
    // without a time bound every row qualifies, and one read in id order
    // is all it takes.
    auto select = std::string{"SELECT "} + trade_columns + " FROM trades";
    auto sql = after_ns == std::numeric_limits<int64_t>::min()
                 ? select + " WHERE id > ?2 ORDER BY id"
                 : "SELECT * FROM (" + select + " WHERE time_ns > ?1 UNION "
                     + select + " WHERE id > ?2) ORDER BY id";
    SQLite::Statement q{r.db(), sql};
    if (after_ns != std::numeric_limits<int64_t>::min())
      q.bind(1, static_cast<int64_t>(after_ns));
    q.bind(2, static_cast<int64_t>(after_id));
    return read_trades(q);
  });
}

caf::expected<std::optional<stored_trading_state>>
trading_state(db_reader& r, const std::string& name) {
  return detail::guarded([&]() -> std::optional<stored_trading_state> {
    if (!r.db().tableExists("trading_state"))
      return std::nullopt;
    SQLite::Statement q{r.db(),
                        "SELECT body, coalesce(frontier_ns, 0), "
                        "coalesce(covered_trade_id, 0) FROM trading_state "
                        "WHERE name = ?"};
    q.bind(1, name);
    if (!q.executeStep() || q.getColumn(0).isNull())
      return std::nullopt;
    return stored_trading_state{q.getColumn(0).getString(),
                                q.getColumn(1).getInt64(),
                                q.getColumn(2).getInt64()};
  });
}

} // namespace argus::storage
