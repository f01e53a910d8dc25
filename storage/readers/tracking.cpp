#include "storage/readers/tracking.hpp"

#include <SQLiteCpp/Statement.h>

namespace argus::storage {

caf::expected<std::vector<std::pair<int64_t, std::string>>>
regimes(db_reader& r, int64_t since_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{r.db(), "SELECT timestamp, coalesce(regime_type, '') "
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
ensembles(db_reader& r, const std::string& ensemble_id, int64_t since_ns) {
  return detail::guarded([&] {
    // The realised PnL of the trades under the decision's correlation id
    // tells what turned out right.
    SQLite::Statement q{
      r.db(), "SELECT e.timestamp, e.ensemble_id, e.individual_predictions, "
              "e.ensemble_weights, coalesce(e.final_prediction, ''), "
              "e.confidence, coalesce(e.meta_learner_prediction, ''), "
              "coalesce(rc.correlation_id, ''), coalesce((SELECT "
              "sum(realized_pnl) FROM trades t WHERE t.correlation_id = "
              "rc.correlation_id), 0) "
              "FROM ensemble_tracking e LEFT JOIN row_correlation rc ON "
              "rc.table_name = 'ensemble_tracking' AND rc.row_id = e.id "
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
feature_scores(db_reader& r, const std::string& model_id, int64_t since_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT timestamp, coalesce(model_id, ''), feature_importance, "
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

caf::expected<nlohmann::json> decision_path(db_reader& r,
                                            const std::string& corr) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT step, component, name, coalesce(decided_by, '') AS "
              "decided_by, inputs, "
              "outputs, start_ns, end_ns FROM decision_steps WHERE "
              "correlation_id = ? ORDER BY step, start_ns"};
    q.bind(1, corr);
    return detail::rows_as_json(q, {"inputs", "outputs"});
  });
}

} // namespace argus::storage
