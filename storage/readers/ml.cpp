#include "storage/readers/ml.hpp"

#include <SQLiteCpp/Statement.h>

namespace argus::storage {

caf::expected<nlohmann::json> ml_models(db_reader& r) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(),
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
    return detail::rows_as_json(q, {"performance"});
  });
}

namespace {

/// SQL for the rank of a severity column: none 0, low 1 ... critical 4.
std::string severity_rank(const char* column) {
  return std::string{"(CASE "} + column
         + " WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN "
           "'critical' THEN 4 ELSE 0 END)";
}

} // namespace

caf::expected<nlohmann::json> ml_alerts(db_reader& r,
                                        const std::string& model_id,
                                        int min_severity, size_t limit) {
  return detail::guarded([&] {
    // A row counts at its own severity; a resolution at the severity of the
    // last row of the alert it closes, so that `--severity high` shows when
    // a high alert ended and nothing about low ones.
    SQLite::Statement q{
      r.db(),
      "SELECT model_id, model_version, feature, method, change, severity, "
      "score, p_value, message, time_ns FROM drift_alerts a WHERE (?1 = '' "
      "OR model_id = ?1) AND (?2 = 0 OR (CASE WHEN change = 'resolved' THEN "
      "(SELECT "
        + severity_rank("p.severity")
        + " FROM drift_alerts p WHERE p.model_id = a.model_id AND "
          "p.model_version = a.model_version AND p.feature = a.feature AND "
          "p.method = a.method AND p.change != 'resolved' AND (p.time_ns < "
          "a.time_ns OR (p.time_ns = a.time_ns AND p.id < a.id)) ORDER BY "
          "p.time_ns DESC, p.id DESC LIMIT 1) ELSE "
        + severity_rank("a.severity")
        + " END) >= ?2) ORDER BY time_ns DESC, id DESC LIMIT ?3"};
    q.bind(1, model_id);
    q.bind(2, min_severity);
    q.bind(3, static_cast<int64_t>(limit));
    return detail::rows_as_json(q, {});
  });
}

caf::expected<nlohmann::json>
ml_performance(db_reader& r, const std::string& model_id, size_t limit) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT model_id, model_version, samples, metrics, "
              "reference_metrics, degradation, time_ns FROM model_performance "
              "WHERE model_id = ?1 ORDER BY time_ns DESC, id DESC LIMIT ?2"};
    q.bind(1, model_id);
    q.bind(2, static_cast<int64_t>(limit));
    return detail::rows_as_json(q, {"metrics", "reference_metrics"});
  });
}

caf::expected<nlohmann::json> ml_latest_drift(db_reader& r,
                                              const std::string& model_id) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(), "SELECT feature, test, statistic, p_value, score_method, score, "
              "drift, severity, reference_size, current_size, time_ns FROM "
              "drift_results d WHERE model_id = ?1 AND time_ns = (SELECT "
              "max(time_ns) FROM drift_results WHERE model_id = ?1) ORDER BY "
              "score DESC"};
    q.bind(1, model_id);
    return detail::rows_as_json(q, {});
  });
}

namespace {

nlohmann::json rows_between(db_reader& r, const std::string& sql,
                            int64_t from_ns, int64_t to_ns,
                            std::initializer_list<const char*> json_columns) {
  SQLite::Statement q{r.db(), sql};
  q.bind(1, from_ns);
  q.bind(2, to_ns);
  return detail::rows_as_json(q, json_columns);
}

} // namespace

caf::expected<nlohmann::json> ml_alerts_between(db_reader& r, int64_t from_ns,
                                                int64_t to_ns) {
  return detail::guarded([&] {
    return rows_between(
      r,
      "SELECT model_id, model_version, feature, method, change, severity, "
      "score, p_value, message, time_ns FROM drift_alerts WHERE time_ns >= ?1 "
      "AND time_ns < ?2 ORDER BY time_ns, id",
      from_ns, to_ns, {});
  });
}

caf::expected<nlohmann::json> ml_open_alerts(db_reader& r, int64_t at_ns) {
  return detail::guarded([&] {
    SQLite::Statement q{
      r.db(),
      "SELECT model_id, model_version, feature, method, change, severity, "
      "score, message, time_ns FROM drift_alerts a WHERE a.time_ns < ?1 AND "
      "a.id = (SELECT b.id FROM drift_alerts b WHERE b.model_id = a.model_id "
      "AND b.model_version = a.model_version AND b.feature = a.feature AND "
      "b.method = a.method AND b.time_ns < ?1 ORDER BY b.time_ns DESC, b.id "
      "DESC LIMIT 1) AND a.change != 'resolved' ORDER BY "
        + severity_rank("a.severity") + " DESC, a.time_ns"};
    q.bind(1, at_ns);
    return detail::rows_as_json(q, {});
  });
}

caf::expected<nlohmann::json>
ml_performance_between(db_reader& r, int64_t from_ns, int64_t to_ns) {
  return detail::guarded([&] {
    return rows_between(
      r,
      "SELECT model_id, model_version, samples, metrics, reference_metrics, "
      "degradation, time_ns FROM model_performance WHERE time_ns >= ?1 AND "
      "time_ns < ?2 ORDER BY model_id, time_ns, id",
      from_ns, to_ns, {"metrics", "reference_metrics"});
  });
}

caf::expected<nlohmann::json> retrain_requests_between(db_reader& r,
                                                       int64_t from_ns,
                                                       int64_t to_ns) {
  return detail::guarded([&] {
    return rows_between(r,
                        "SELECT model_id, model_version, trigger, evidence, "
                        "time_ns FROM retrain_requests WHERE time_ns >= ?1 "
                        "AND time_ns < ?2 ORDER BY time_ns, id",
                        from_ns, to_ns, {});
  });
}

caf::expected<nlohmann::json> drift_scores_between(db_reader& r,
                                                   int64_t from_ns,
                                                   int64_t to_ns) {
  return detail::guarded([&] {
    return rows_between(
      r,
      "SELECT model_id, model_version, feature, count(*) AS checks, "
      "sum(drift) AS drifted, avg(score) AS mean_score, max(score) AS "
      "max_score, (SELECT e.score FROM drift_results e WHERE e.model_id = "
      "d.model_id AND e.model_version = d.model_version AND e.feature = "
      "d.feature AND e.time_ns >= ?1 AND e.time_ns < ?2 ORDER BY e.time_ns "
      "DESC, e.id DESC LIMIT 1) AS last_score FROM drift_results d WHERE "
      "time_ns >= ?1 AND time_ns < ?2 GROUP BY model_id, model_version, "
      "feature ORDER BY model_id, model_version, max_score DESC",
      from_ns, to_ns, {});
  });
}

} // namespace argus::storage
