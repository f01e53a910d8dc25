#pragma once

#include "messages/metrics.hpp"
#include "messages/storage.hpp"
#include "messages/tracing.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// What `argusctl status` shows about a database file.
struct db_summary {
  std::string path;
  int schema_version = 0;
  int latest_schema_version = 0;
  /// Rows per table, in `table_id` order of names.
  std::map<std::string, int64_t> rows;
  /// 0 when nothing was written yet.
  int64_t last_write_ns = 0;
  std::string journal_mode;
};

/// One trace, summarized (for "slowest traces").
struct trace_summary {
  std::string correlation_id;
  std::string trace_id;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  int64_t spans = 0;
  int64_t errors = 0;
};

/// Error spans grouped by component and message.
struct error_group {
  std::string component;
  std::string message;
  int64_t count = 0;
  int64_t last_ns = 0;
  /// A few correlation ids to look at (`argusctl trace <id>`).
  std::vector<std::string> samples;
};

/// A read-only connection for queries: never the writer's connection, so
/// readers (argusctl, the REST API, reports) never block the writer (WAL).
class db_reader {
public:
  /// Opens `path` read-only; fails if it does not exist or is not SQLite.
  static caf::expected<std::unique_ptr<db_reader>>
  open(const std::string& path);

  /// @returns schema version, rows per table and the last write.
  caf::expected<db_summary> summary();

  /// @returns the `limit` slowest traces that started at or after `since_ns`.
  caf::expected<std::vector<trace_summary>> slowest_traces(int64_t since_ns,
                                                           size_t limit);

  /// @returns error spans since `since_ns`, grouped, most frequent first.
  caf::expected<std::vector<error_group>> error_groups(int64_t since_ns,
                                                       size_t limit);

  /// @returns (component, operation, duration) of spans since `since_ns`.
  caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
  span_durations(int64_t since_ns);

  /// @returns every stored request (`correlation_tracking`).
  caf::expected<std::vector<request_outline>> requests();

  /// @returns the rollup points of `name` in `window` (either empty: all)
  ///          whose window starts in [from_ns, to_ns] (to_ns = 0: no
  ///          bound), by series then time. Each window's latest row.
  caf::expected<std::vector<metric_point>>
  metric_points(const std::string& name, const std::string& window,
                int64_t from_ns, int64_t to_ns);

  /// @returns the newest point of every series in `window`.
  caf::expected<std::vector<metric_point>>
  latest_metric_points(const std::string& window);

  /// The ML monitor's stored results, as JSON arrays (newest first):
  /// every model version with its latest check (drifted features and their
  /// worst severity), latest performance and retraining requests;
  caf::expected<nlohmann::json> ml_models();
  /// alert changes (fired, escalated, resolved) of `model_id` (empty: all)
  /// at `min_severity` or above (resolved ones always);
  caf::expected<nlohmann::json> ml_alerts(const std::string& model_id,
                                          int min_severity, size_t limit);
  /// performance checks of `model_id`;
  caf::expected<nlohmann::json> ml_performance(const std::string& model_id,
                                               size_t limit);
  /// the latest drift result of each feature of `model_id`.
  caf::expected<nlohmann::json> ml_latest_drift(const std::string& model_id);

  /// The tracking tables (spec columns), in time order, since `since_ns`:
  /// regime observations (time, regime type);
  caf::expected<std::vector<std::pair<int64_t, std::string>>>
  regimes(int64_t since_ns);
  /// ensemble decisions of `ensemble_id` (empty: all) as JSON objects
  /// (time_ns, ensemble_id, predictions, weights, final, meta,
  /// correlation_id, and the realized_pnl of the trades under it);
  caf::expected<nlohmann::json> ensembles(const std::string& ensemble_id,
                                          int64_t since_ns);
  /// feature importances and drift scores from model_behavior_tracking,
  /// of `model_id` (empty: all), as JSON objects (time_ns, model_id,
  /// importance, drift_scores);
  caf::expected<nlohmann::json> feature_scores(const std::string& model_id,
                                               int64_t since_ns);
  /// the decision path of one request, by step.
  caf::expected<nlohmann::json> decision_path(const std::string& corr);

  /// @returns the newest `limit` fills, in time order.
  caf::expected<std::vector<trade_executed>> trades(size_t limit);

  /// @returns the stored spans of `corr`, by start time.
  caf::expected<std::vector<span_recorded>>
  spans_for(const correlation_id& corr);

  SQLite::Database& db() {
    return db_;
  }

private:
  explicit db_reader(const std::string& path);

  std::string path_;
  SQLite::Database db_;
};

} // namespace argus::storage
