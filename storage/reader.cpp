#include "storage/reader.hpp"

#include "messages/error.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Exception.h>

#include <limits>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace argus::storage {

namespace {

/// Runs a query; SQLite's exceptions become typed storage errors.
template <class F>
auto guarded(F f) -> caf::expected<decltype(f())> {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  }
}

} // namespace

db_reader::db_reader(const std::string& path)
    : path_(path), db_(path, SQLite::OPEN_READONLY, 1000) {
}

caf::expected<std::unique_ptr<db_reader>>
db_reader::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return caf::make_error(ec::storage_failure,
                           "database file '" + path + "' does not exist");
  try {
    std::unique_ptr<db_reader> r{new db_reader(path)};
    r->db_.execAndGet("PRAGMA schema_version");
    return r;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(),
                         "cannot open " + path + ": " + e.what());
  }
}

caf::expected<db_summary> db_reader::summary() {
  try {
    db_summary result;
    result.path = path_;
    result.schema_version = db_.execAndGet("PRAGMA user_version").getInt();
    result.latest_schema_version = latest_schema_version();
    result.journal_mode = db_.execAndGet("PRAGMA journal_mode").getString();
    for (const auto& t : all_tables()) {
      if (!db_.tableExists(t.name))
        continue;
      result.rows[t.name]
        = db_.execAndGet(std::string{"SELECT count(*) FROM "} + t.name)
            .getInt64();
    }
    if (db_.tableExists("argus_meta")) {
      SQLite::Statement q{db_, "SELECT value FROM argus_meta WHERE key = "
                               "'last_write_ns'"};
      if (q.executeStep())
        result.last_write_ns = std::stoll(q.getColumn(0).getString());
    }
    return result;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  } catch (const std::exception& e) {
    return caf::make_error(ec::storage_failure, e.what());
  }
}

caf::expected<std::vector<trace_summary>>
db_reader::slowest_traces(int64_t since_ns, size_t limit) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT correlation_id, min(trace_id), min(start_ns), "
           "max(end_ns) - min(start_ns) AS duration, count(*), "
           "sum(status = 2) FROM spans WHERE start_ns >= ? "
           "GROUP BY correlation_id ORDER BY duration DESC LIMIT ?"};
    q.bind(1, static_cast<int64_t>(since_ns));
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<trace_summary> result;
    while (q.executeStep())
      result.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                        q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                        q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
    return result;
  });
}

caf::expected<std::vector<error_group>>
db_reader::error_groups(int64_t since_ns, size_t limit) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT component, coalesce(status_message, ''), count(*), "
           "max(start_ns), group_concat(DISTINCT correlation_id) FROM spans "
           "WHERE status = 2 AND start_ns >= ? GROUP BY component, "
           "status_message ORDER BY count(*) DESC LIMIT ?"};
    q.bind(1, static_cast<int64_t>(since_ns));
    q.bind(2, static_cast<int64_t>(limit));
    std::vector<error_group> result;
    while (q.executeStep()) {
      error_group g{q.getColumn(0).getString(),
                    q.getColumn(1).getString(),
                    q.getColumn(2).getInt64(),
                    q.getColumn(3).getInt64(),
                    {}};
      auto ids = q.getColumn(4).getString();
      size_t pos = 0;
      while (g.samples.size() < 3 && pos < ids.size()) {
        auto comma = ids.find(',', pos);
        g.samples.push_back(ids.substr(pos, comma - pos));
        if (comma == std::string::npos)
          break;
        pos = comma + 1;
      }
      result.push_back(std::move(g));
    }
    return result;
  });
}

caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
db_reader::span_durations(int64_t since_ns) {
  return guarded([&] {
    SQLite::Statement q{db_, "SELECT component, operation, end_ns - start_ns "
                             "FROM spans WHERE start_ns >= ?"};
    q.bind(1, static_cast<int64_t>(since_ns));
    std::vector<std::tuple<std::string, std::string, int64_t>> result;
    while (q.executeStep())
      result.emplace_back(q.getColumn(0).getString(),
                          q.getColumn(1).getString(),
                          q.getColumn(2).getInt64());
    return result;
  });
}

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
db_reader::metric_points(const std::string& name, const std::string& window,
                         int64_t from_ns, int64_t to_ns) {
  return guarded([&] {
    std::string sql = std::string{"SELECT "} + metric_point_columns
                      + " FROM metric_points WHERE time_ns >= ?1"
                        " AND (?2 = 0 OR time_ns <= ?2)"
                        " AND (?3 = '' OR name = ?3)"
                        " AND (?4 = '' OR window_name = ?4)"
                        " ORDER BY name, labels, window_name, time_ns";
    SQLite::Statement q{db_, sql};
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
db_reader::latest_metric_points(const std::string& window) {
  return guarded([&] {
    std::string sql = std::string{"SELECT "} + metric_point_columns
                      + " FROM metric_points AS m WHERE window_name = ?1 AND "
                        "time_ns = (SELECT max(time_ns) FROM metric_points "
                        "WHERE name = m.name AND labels = m.labels AND "
                        "window_name = ?1) ORDER BY name, labels";
    SQLite::Statement q{db_, sql};
    q.bind(1, window);
    std::vector<metric_point> result;
    while (q.executeStep())
      result.push_back(read_metric_point(q));
    return result;
  });
}

namespace {

/// The rows of `q` as JSON objects keyed by column name (JSON text columns
/// parsed).
nlohmann::json rows_as_json(SQLite::Statement& q,
                            std::initializer_list<const char*> json_columns) {
  nlohmann::json arr = nlohmann::json::array();
  while (q.executeStep()) {
    nlohmann::json row = nlohmann::json::object();
    for (int i = 0; i < q.getColumnCount(); ++i) {
      auto col = q.getColumn(i);
      std::string name = q.getColumnName(i);
      bool is_json = std::find_if(json_columns.begin(), json_columns.end(),
                                  [&](const char* c) {
                                    return name == c;
                                  })
                     != json_columns.end();
      if (col.isNull())
        row[name] = nullptr;
      else if (col.isInteger())
        row[name] = col.getInt64();
      else if (col.isFloat())
        row[name] = col.getDouble();
      else if (is_json)
        row[name] = nlohmann::json::parse(col.getString(), nullptr, false);
      else
        row[name] = col.getString();
    }
    arr.push_back(std::move(row));
  }
  return arr;
}

} // namespace

caf::expected<nlohmann::json> db_reader::ml_models() {
  return guarded([&] {
    SQLite::Statement q{
      db_,
      "SELECT m.model_id, m.model_version, "
      " (SELECT max(time_ns) FROM drift_results d WHERE d.model_id = "
      "  m.model_id AND d.model_version = m.model_version) AS last_check_ns, "
      " (SELECT count(*) FROM drift_results d WHERE d.model_id = m.model_id "
      "  AND d.model_version = m.model_version AND d.drift = 1 AND d.time_ns "
      "  = (SELECT max(time_ns) FROM drift_results e WHERE e.model_id = "
      "  m.model_id AND e.model_version = m.model_version)) AS "
      "  drifted_features, "
      " (SELECT metrics FROM model_performance p WHERE p.model_id = "
      "  m.model_id AND p.model_version = m.model_version ORDER BY time_ns "
      "  DESC LIMIT 1) AS performance, "
      " (SELECT degradation FROM model_performance p WHERE p.model_id = "
      "  m.model_id AND p.model_version = m.model_version ORDER BY time_ns "
      "  DESC LIMIT 1) AS degradation, "
      " (SELECT count(*) FROM retrain_requests r WHERE r.model_id = "
      "  m.model_id AND r.model_version = m.model_version) AS "
      "  retrain_requests "
      "FROM (SELECT DISTINCT model_id, model_version FROM drift_results "
      "      UNION SELECT DISTINCT model_id, model_version FROM "
      "      model_performance) m ORDER BY m.model_id, m.model_version"};
    return rows_as_json(q, {"performance"});
  });
}

caf::expected<nlohmann::json> db_reader::ml_alerts(const std::string& model_id,
                                                   int min_severity,
                                                   size_t limit) {
  return guarded([&] {
    SQLite::Statement q{
      db_,
      "SELECT model_id, model_version, feature, method, change, severity, "
      "score, p_value, message, time_ns FROM drift_alerts WHERE (?1 = '' OR "
      "model_id = ?1) AND (change = 'resolved' OR (CASE severity WHEN 'low' "
      "THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 "
      "ELSE 0 END) >= ?2) ORDER BY time_ns DESC, id DESC LIMIT ?3"};
    q.bind(1, model_id);
    q.bind(2, min_severity);
    q.bind(3, static_cast<int64_t>(limit));
    return rows_as_json(q, {});
  });
}

caf::expected<nlohmann::json>
db_reader::ml_performance(const std::string& model_id, size_t limit) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT model_id, model_version, samples, metrics, "
           "reference_metrics, degradation, time_ns FROM model_performance "
           "WHERE model_id = ?1 ORDER BY time_ns DESC, id DESC LIMIT ?2"};
    q.bind(1, model_id);
    q.bind(2, static_cast<int64_t>(limit));
    return rows_as_json(q, {"metrics", "reference_metrics"});
  });
}

caf::expected<nlohmann::json>
db_reader::ml_latest_drift(const std::string& model_id) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT feature, test, statistic, p_value, score_method, score, "
           "drift, severity, reference_size, current_size, time_ns FROM "
           "drift_results d WHERE model_id = ?1 AND time_ns = (SELECT "
           "max(time_ns) FROM drift_results WHERE model_id = ?1) ORDER BY "
           "score DESC"};
    q.bind(1, model_id);
    return rows_as_json(q, {});
  });
}

caf::expected<std::vector<std::pair<int64_t, std::string>>>
db_reader::regimes(int64_t since_ns) {
  return guarded([&] {
    SQLite::Statement q{db_, "SELECT timestamp, coalesce(regime_type, '') "
                             "FROM regime_tracking WHERE timestamp >= ? "
                             "ORDER BY timestamp, id"};
    q.bind(1, sql_datetime(since_ns));
    std::vector<std::pair<int64_t, std::string>> result;
    while (q.executeStep())
      result.emplace_back(parse_sql_datetime(q.getColumn(0).getString()),
                          q.getColumn(1).getString());
    return result;
  });
}

caf::expected<nlohmann::json>
db_reader::ensembles(const std::string& ensemble_id, int64_t since_ns) {
  return guarded([&] {
    // The realised PnL of the trades under the decision's correlation id
    // tells what turned out right.
    SQLite::Statement q{
      db_, "SELECT e.timestamp, e.ensemble_id, e.individual_predictions, "
           "e.ensemble_weights, coalesce(e.final_prediction, ''), "
           "e.confidence, coalesce(e.meta_learner_prediction, ''), "
           "coalesce(rc.correlation_id, ''), coalesce(t.pnl, 0) "
           "FROM ensemble_tracking e LEFT JOIN row_correlation rc ON "
           "rc.table_name = 'ensemble_tracking' AND rc.row_id = e.id "
           "LEFT JOIN (SELECT correlation_id, sum(realized_pnl) AS pnl FROM "
           "trades GROUP BY correlation_id) t ON "
           "t.correlation_id = rc.correlation_id "
           "WHERE (?1 = '' OR e.ensemble_id = ?1) AND e.timestamp >= ?2 "
           "ORDER BY e.timestamp, e.id"};
    q.bind(1, ensemble_id);
    q.bind(2, sql_datetime(since_ns));
    nlohmann::json arr = nlohmann::json::array();
    auto object = [](const std::string& text) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      return j.is_object() ? j : nlohmann::json::object();
    };
    while (q.executeStep())
      arr.push_back(
        {{"time_ns", parse_sql_datetime(q.getColumn(0).getString())},
         {"ensemble_id", q.getColumn(1).getString()},
         {"predictions", object(q.getColumn(2).getString())},
         {"weights", object(q.getColumn(3).getString())},
         {"final", q.getColumn(4).getString()},
         {"confidence", q.getColumn(5).getDouble()},
         {"meta", q.getColumn(6).getString()},
         {"correlation_id", q.getColumn(7).getString()},
         {"realized_pnl", q.getColumn(8).getDouble()}});
    return arr;
  });
}

caf::expected<nlohmann::json>
db_reader::feature_scores(const std::string& model_id, int64_t since_ns) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT timestamp, coalesce(model_id, ''), feature_importance, "
           "drift_scores FROM model_behavior_tracking WHERE (?1 = '' OR "
           "model_id = ?1) AND timestamp >= ?2 AND (feature_importance IS "
           "NOT NULL OR drift_scores IS NOT NULL) ORDER BY timestamp, id"};
    q.bind(1, model_id);
    q.bind(2, sql_datetime(since_ns));
    auto numbers = [](const SQLite::Column& c) {
      nlohmann::json out = nlohmann::json::object();
      if (c.isNull())
        return out;
      auto j = nlohmann::json::parse(c.getString(), nullptr, false);
      if (j.is_object())
        for (const auto& [k, v] : j.items())
          if (v.is_number())
            out[k] = v;
      return out;
    };
    nlohmann::json arr = nlohmann::json::array();
    while (q.executeStep())
      arr.push_back(
        {{"time_ns", parse_sql_datetime(q.getColumn(0).getString())},
         {"model_id", q.getColumn(1).getString()},
         {"importance", numbers(q.getColumn(2))},
         {"drift_scores", numbers(q.getColumn(3))}});
    return arr;
  });
}

caf::expected<nlohmann::json>
db_reader::decision_path(const std::string& corr) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT step, component, name, coalesce(decided_by, '') AS "
           "decided_by, inputs, "
           "outputs, start_ns, end_ns FROM decision_steps WHERE "
           "correlation_id = ? ORDER BY step, start_ns"};
    q.bind(1, corr);
    return rows_as_json(q, {"inputs", "outputs"});
  });
}

caf::expected<std::vector<trade_executed>> db_reader::trades(size_t limit) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT * FROM (SELECT coalesce(correlation_id, ''), "
           "coalesce(trade_id, ''), coalesce(order_id, ''), "
           "coalesce(symbol, ''), side, coalesce(quantity, 0), "
           "coalesce(price, 0), coalesce(fee, 0), coalesce(realized_pnl, 0), "
           "coalesce(strategy_tag, ''), coalesce(exit_reason, ''), time_ns, id "
           "FROM trades ORDER BY time_ns DESC, id DESC LIMIT ?) "
           "ORDER BY time_ns, id"};
    q.bind(1, static_cast<int64_t>(limit));
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
  });
}

caf::expected<std::vector<request_outline>> db_reader::requests() {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT correlation_id, "
           "coalesce(json_extract(performance_metrics, '$.status'), ''), "
           "coalesce(component_path, ''), "
           "coalesce(json_extract(performance_metrics, '$.duration_ms'), 0), "
           "coalesce(json_extract(performance_metrics, '$.critical_path_ms'), "
           "'{}'), coalesce(json_extract(error_info, '$.errors'), '[]') "
           "FROM correlation_tracking ORDER BY response_timestamp, rowid"};
    auto ns = [](double ms) {
      return static_cast<int64_t>(ms * 1e6);
    };
    std::vector<request_outline> result;
    while (q.executeStep()) {
      request_outline r;
      r.corr = q.getColumn(0).getString();
      r.status = q.getColumn(1).getString();
      r.path = q.getColumn(2).getString();
      r.duration_ns = ns(q.getColumn(3).getDouble());
      r.finished_ns = static_cast<int64_t>(result.size());
      // Columns the engine wrote; anything else (hand-edited rows) is
      // skipped rather than trusted.
      auto critical
        = nlohmann::json::parse(q.getColumn(4).getString(), nullptr, false);
      if (critical.is_object())
        for (const auto& [k, v] : critical.items())
          if (v.is_number())
            r.critical.emplace_back(k, ns(v.get<double>()));
      auto errors
        = nlohmann::json::parse(q.getColumn(5).getString(), nullptr, false);
      if (errors.is_array())
        for (const auto& e : errors)
          if (e.is_object())
            r.errors.push_back({e.value("component", ""), e.value("type", ""),
                                e.value("message", "")});
      result.push_back(std::move(r));
    }
    return result;
  });
}

caf::expected<std::vector<span_recorded>>
db_reader::spans_for(const correlation_id& corr) {
  return guarded([&] {
    SQLite::Statement q{
      db_, "SELECT trace_id, span_id, parent_span_id, component, operation, "
           "kind, status, status_message, start_ns, end_ns, attributes, "
           "events, links FROM spans WHERE correlation_id = ? "
           "ORDER BY start_ns, id"};
    q.bind(1, corr.str());
    std::vector<span_recorded> result;
    auto text = [&](int i) {
      auto c = q.getColumn(i);
      return c.isNull() ? std::string{} : c.getString();
    };
    auto bounded = [](int64_t v, int64_t last) {
      return v < 0 || v > last ? 0 : v;
    };
    while (q.executeStep()) {
      span_recorded s;
      s.hdr = make_header<span_recorded>(corr);
      s.trace_id = text(0);
      s.span_id = text(1);
      s.parent_span_id = text(2);
      component_type c = component_type::monitoring;
      parse_component_type(text(3), c);
      s.component = c;
      s.operation = text(4);
      s.kind = static_cast<span_kind>(bounded(
        q.getColumn(5).getInt64(), static_cast<int64_t>(span_kind::consumer)));
      s.status = static_cast<span_status>(bounded(
        q.getColumn(6).getInt64(), static_cast<int64_t>(span_status::error)));
      s.status_message = text(7);
      s.start_ns = q.getColumn(8).getInt64();
      s.end_ns = q.getColumn(9).getInt64();
      s.attributes = attributes_from_json(text(10));
      s.events = events_from_json(text(11));
      s.links = links_from_json(text(12));
      result.push_back(std::move(s));
    }
    return result;
  });
}

} // namespace argus::storage
