#include "storage/schema.hpp"

#include "messages/error.hpp"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

#include <ctime>
#include <iterator>

#include <sqlite3.h>

namespace argus::storage {

namespace {

// Each entry upgrades the schema from version i to i + 1. Append only: a
// shipped migration never changes. A plain array: constant-initialised, so
// an engine constructed or stopped during static initialisation or
// destruction still finds it.
const char* const migrations[] = {
  // v1: the spec's five tables, with exactly the spec's columns.
  R"sql(
CREATE TABLE correlation_tracking (
    correlation_id TEXT PRIMARY KEY,
    request_timestamp DATETIME,
    response_timestamp DATETIME,
    component_path TEXT,
    performance_metrics JSON,
    error_info JSON,
    metadata JSON
);
CREATE TABLE model_behavior_tracking (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id TEXT,
    timestamp DATETIME,
    performance_metrics JSON,
    feature_importance JSON,
    drift_scores JSON,
    ensemble_weights JSON,
    metadata JSON
);
CREATE TABLE report_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_type TEXT,
    generated_at DATETIME,
    schedule_type TEXT,
    recipients JSON,
    file_path TEXT,
    status TEXT
);
CREATE TABLE ensemble_tracking (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ensemble_id TEXT,
    timestamp DATETIME,
    ensemble_type TEXT,
    individual_predictions JSON,
    ensemble_weights JSON,
    final_prediction TEXT,
    confidence REAL,
    meta_learner_prediction TEXT,
    meta_learner_confidence REAL
);
CREATE TABLE regime_tracking (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    regime_type TEXT,
    timestamp DATETIME,
    regime_confidence REAL,
    regime_probabilities JSON,
    regime_features JSON,
    regime_indicators JSON,
    regime_transition_probability REAL,
    regime_duration INTEGER
);
)sql",
  // v2: the engine's own tables, correlation ids for the spec tables that
  // have no such column, and indexes for the queries the components serve.
  R"sql(
CREATE TABLE row_correlation (
    table_name TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    correlation_id TEXT NOT NULL,
    PRIMARY KEY (table_name, row_id)
) WITHOUT ROWID;
CREATE INDEX row_correlation_by_corr ON row_correlation (correlation_id);
CREATE TABLE spans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation_id TEXT NOT NULL,
    trace_id TEXT,
    span_id TEXT,
    parent_span_id TEXT,
    component TEXT,
    operation TEXT,
    kind INTEGER,
    status INTEGER,
    status_message TEXT,
    start_ns INTEGER,
    end_ns INTEGER,
    attributes JSON
);
CREATE INDEX spans_by_corr ON spans (correlation_id);
CREATE INDEX spans_by_start ON spans (start_ns);
CREATE TABLE metric_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation_id TEXT,
    name TEXT NOT NULL,
    labels JSON,
    window_name TEXT,
    time_ns INTEGER,
    count INTEGER,
    sum REAL,
    min REAL,
    max REAL,
    last REAL,
    quantiles JSON
);
CREATE INDEX metric_points_by_name ON metric_points (name, window_name, time_ns);
CREATE TABLE trades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation_id TEXT,
    trade_id TEXT,
    order_id TEXT,
    symbol TEXT,
    side TEXT,
    quantity REAL,
    price REAL,
    fee REAL,
    realized_pnl REAL,
    strategy_tag TEXT,
    exit_reason TEXT,
    time_ns INTEGER
);
CREATE INDEX trades_by_time ON trades (time_ns);
CREATE TABLE decision_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    correlation_id TEXT NOT NULL,
    step INTEGER,
    component TEXT,
    name TEXT,
    decided_by TEXT,
    inputs JSON,
    outputs JSON,
    start_ns INTEGER,
    end_ns INTEGER
);
CREATE INDEX decision_steps_by_corr ON decision_steps (correlation_id, step);
CREATE INDEX correlation_tracking_by_request ON correlation_tracking (request_timestamp);
CREATE INDEX model_behavior_by_model ON model_behavior_tracking (model_id, timestamp);
CREATE INDEX report_history_by_time ON report_history (generated_at);
CREATE INDEX ensemble_tracking_by_time ON ensemble_tracking (timestamp);
CREATE INDEX ensemble_tracking_by_id ON ensemble_tracking (ensemble_id, timestamp);
CREATE INDEX regime_tracking_by_time ON regime_tracking (timestamp);
CREATE TABLE argus_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
)sql",
  // v3: a span's events and links (the tracer keeps them whole).
  R"sql(
ALTER TABLE spans ADD COLUMN events JSON;
ALTER TABLE spans ADD COLUMN links JSON;
CREATE INDEX spans_by_trace ON spans (trace_id);
)sql",
  // v4: spans are the hottest insert path (>= 200k rows/s). No query looks
  // spans up by trace id (traces are found by correlation id, from which
  // the trace id derives), and a third random-key index cost a third of the
  // insert rate; AUTOINCREMENT cost a sqlite_sequence update per row; JSON
  // (NUMERIC affinity) made SQLite try to parse every document as a number.
  // The table is rebuilt without them (the JSON columns as TEXT), rows and
  // ids kept.
  R"sql(
CREATE TABLE spans_v4 (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT NOT NULL,
    trace_id TEXT,
    span_id TEXT,
    parent_span_id TEXT,
    component TEXT,
    operation TEXT,
    kind INTEGER,
    status INTEGER,
    status_message TEXT,
    start_ns INTEGER,
    end_ns INTEGER,
    attributes TEXT,
    events TEXT,
    links TEXT
);
INSERT INTO spans_v4 SELECT id, correlation_id, trace_id, span_id,
    parent_span_id, component, operation, kind, status, status_message,
    start_ns, end_ns, attributes, events, links FROM spans;
DROP TABLE spans;
ALTER TABLE spans_v4 RENAME TO spans;
CREATE INDEX spans_by_corr ON spans (correlation_id);
CREATE INDEX spans_by_start ON spans (start_ns);
)sql",
  // v5: the metrics dashboard's rollups. A window's point is written when
  // the window closes and, partially, on every flush before that; the
  // unique key lets the later row replace the earlier. `kind` says how to
  // read the figures; `totals` holds a histogram's running totals.
  R"sql(
ALTER TABLE metric_points ADD COLUMN kind TEXT;
ALTER TABLE metric_points ADD COLUMN totals TEXT;
DELETE FROM metric_points WHERE id NOT IN (SELECT max(id) FROM metric_points
    GROUP BY name, labels, window_name, time_ns);
CREATE UNIQUE INDEX metric_points_by_series
    ON metric_points (name, labels, window_name, time_ns);
)sql",
  // v6: the ML monitor's results: every feature's test at every check, the
  // alerts as they fire, escalate and resolve, performance against labels,
  // and retraining requests with their evidence.
  R"sql(
CREATE TABLE drift_results (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT,
    model_id TEXT,
    model_version TEXT,
    feature TEXT,
    test TEXT,
    statistic REAL,
    p_value REAL,
    score_method TEXT,
    score REAL,
    drift INTEGER,
    severity TEXT,
    reference_size INTEGER,
    current_size INTEGER,
    time_ns INTEGER
);
CREATE INDEX drift_results_by_model ON drift_results (model_id, time_ns);
CREATE TABLE drift_alerts (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT,
    model_id TEXT,
    model_version TEXT,
    feature TEXT,
    method TEXT,
    change TEXT,
    severity TEXT,
    score REAL,
    p_value REAL,
    message TEXT,
    time_ns INTEGER
);
CREATE INDEX drift_alerts_by_time ON drift_alerts (time_ns);
CREATE TABLE model_performance (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT,
    model_id TEXT,
    model_version TEXT,
    samples INTEGER,
    metrics TEXT,
    reference_metrics TEXT,
    degradation REAL,
    time_ns INTEGER
);
CREATE INDEX model_performance_by_model ON model_performance (model_id, time_ns);
CREATE TABLE retrain_requests (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT,
    model_id TEXT,
    model_version TEXT,
    trigger TEXT,
    evidence TEXT,
    time_ns INTEGER
);
)sql",
  // The realised PnL under a decision's correlation id, found by index
  // instead of summing every trade for every query.
  R"sql(
CREATE INDEX trades_by_corr ON trades (correlation_id);
)sql",
  // The dashboard's running trading figures, so that a restart reads them
  // and the fills after them instead of every fill. The trigger records the
  // newest trade row at the moment the state is written, in the writer's
  // transaction: the trades after it are the ones the state has not seen.
  R"sql(
CREATE TABLE trading_state (
    name TEXT PRIMARY KEY,
    frontier_ns INTEGER,
    body TEXT,
    saved_ns INTEGER,
    covered_trade_id INTEGER
);
CREATE TRIGGER trading_state_covers AFTER INSERT ON trading_state BEGIN
    UPDATE trading_state
    SET covered_trade_id = (SELECT coalesce(max(id), 0) FROM trades)
    WHERE name = NEW.name;
END;
)sql",
  // The gateway's audit trail. Append only: no row changes, and rows go
  // only from the front, up to the id the retention step recorded (with the
  // hash of the last row it removed, which the first row left must chain
  // to). Each row's hash covers the one before, so `argusctl audit verify`
  // finds an edited, inserted or deleted row.
  R"sql(
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    correlation_id TEXT,
    time_ns INTEGER NOT NULL,
    event TEXT NOT NULL,
    principal TEXT,
    role TEXT,
    method TEXT,
    route TEXT,
    path TEXT,
    status INTEGER,
    bytes_in INTEGER,
    bytes_out INTEGER,
    duration_ns INTEGER,
    peer TEXT,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (time_ns);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > coalesce((SELECT CAST(value AS INTEGER) FROM argus_meta
                        WHERE key = 'audit_pruned_through'), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql",
  // Reports added at run time (`add_report_config`), so that they survive
  // a restart; the latest definition of a name wins.
  R"sql(
CREATE TABLE report_configs (
    name TEXT PRIMARY KEY,
    definition JSON,
    saved_ns INTEGER
);
)sql",
  // Each report entry's latest scheduled run (two entries may share a
  // type, and report_history has the spec's columns only, which name the
  // type), so that a restart knows what each entry missed.
  R"sql(
CREATE TABLE report_entries (
    name TEXT PRIMARY KEY,
    last_run_ns INTEGER
);
)sql",
};

std::vector<table_info> make_tables() {
  using tf = time_format;
  return {
    {table_id::correlation_tracking,
     "correlation_tracking",
     {"request_timestamp", "response_timestamp", "component_path",
      "performance_metrics", "error_info", "metadata"},
     "correlation_id",
     "request_timestamp",
     tf::datetime_text,
     true},
    {table_id::model_behavior_tracking,
     "model_behavior_tracking",
     {"model_id", "timestamp", "performance_metrics", "feature_importance",
      "drift_scores", "ensemble_weights", "metadata"},
     nullptr,
     "timestamp",
     tf::datetime_text,
     false},
    {table_id::report_history,
     "report_history",
     {"report_type", "generated_at", "schedule_type", "recipients", "file_path",
      "status"},
     nullptr,
     "generated_at",
     tf::datetime_text,
     false},
    {table_id::ensemble_tracking,
     "ensemble_tracking",
     {"ensemble_id", "timestamp", "ensemble_type", "individual_predictions",
      "ensemble_weights", "final_prediction", "confidence",
      "meta_learner_prediction", "meta_learner_confidence"},
     nullptr,
     "timestamp",
     tf::datetime_text,
     false},
    {table_id::regime_tracking,
     "regime_tracking",
     {"regime_type", "timestamp", "regime_confidence", "regime_probabilities",
      "regime_features", "regime_indicators", "regime_transition_probability",
      "regime_duration"},
     nullptr,
     "timestamp",
     tf::datetime_text,
     false},
    {table_id::spans,
     "spans",
     {"trace_id", "span_id", "parent_span_id", "component", "operation", "kind",
      "status", "status_message", "start_ns", "end_ns", "attributes", "events",
      "links"},
     "correlation_id",
     "start_ns",
     tf::epoch_ns,
     false},
    {table_id::metric_points,
     "metric_points",
     {"name", "labels", "window_name", "time_ns", "count", "sum", "min", "max",
      "last", "quantiles", "kind", "totals"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     true},
    {table_id::trades,
     "trades",
     {"trade_id", "order_id", "symbol", "side", "quantity", "price", "fee",
      "realized_pnl", "strategy_tag", "exit_reason", "time_ns"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::decision_steps,
     "decision_steps",
     {"step", "component", "name", "decided_by", "inputs", "outputs",
      "start_ns", "end_ns"},
     "correlation_id",
     "start_ns",
     tf::epoch_ns,
     false},
    {table_id::drift_results,
     "drift_results",
     {"model_id", "model_version", "feature", "test", "statistic", "p_value",
      "score_method", "score", "drift", "severity", "reference_size",
      "current_size", "time_ns"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::drift_alerts,
     "drift_alerts",
     {"model_id", "model_version", "feature", "method", "change", "severity",
      "score", "p_value", "message", "time_ns"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::model_performance,
     "model_performance",
     {"model_id", "model_version", "samples", "metrics", "reference_metrics",
      "degradation", "time_ns"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::retrain_requests,
     "retrain_requests",
     {"model_id", "model_version", "trigger", "evidence", "time_ns"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::trading_state,
     "trading_state",
     {"name", "frontier_ns", "body", "saved_ns"},
     nullptr,
     "saved_ns",
     tf::epoch_ns,
     true},
    {table_id::audit_log,
     "audit_log",
     {"id", "time_ns", "event", "principal", "role", "method", "route", "path",
      "status", "bytes_in", "bytes_out", "duration_ns", "peer", "detail",
      "prev_hash", "hash"},
     "correlation_id",
     "time_ns",
     tf::epoch_ns,
     false},
    {table_id::report_configs,
     "report_configs",
     {"name", "definition", "saved_ns"},
     nullptr,
     "saved_ns",
     tf::epoch_ns,
     true},
    {table_id::report_entries,
     "report_entries",
     {"name", "last_run_ns"},
     nullptr,
     "last_run_ns",
     tf::epoch_ns,
     true},
  };
}

} // namespace

const std::vector<table_info>& all_tables() {
  // Never destroyed: an engine kept in a static makes its final flush during
  // static destruction, possibly after this function's statics would be gone.
  static const auto* tables = new std::vector<table_info>(make_tables());
  return *tables;
}

const table_info& info(table_id id) {
  return all_tables()[static_cast<size_t>(id)];
}

int latest_schema_version() {
  return static_cast<int>(std::size(migrations));
}

caf::error storage_error(int sqlite_code, const std::string& what) {
  switch (sqlite_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return caf::make_error(ec::storage_busy, what);
    case SQLITE_FULL:
      return caf::make_error(ec::storage_full, what);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return caf::make_error(ec::storage_failure,
                             "database file is corrupt or not SQLite: " + what);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      // About the row, not the database: retrying it would fail forever.
      return caf::make_error(ec::row_rejected, what);
    case SQLITE_READONLY:
      return caf::make_error(ec::storage_failure,
                             "database is read-only: " + what);
    default:
      return caf::make_error(ec::storage_failure, what);
  }
}

caf::error migrate_to(SQLite::Database& db, int version) {
  try {
    auto current = db.execAndGet("PRAGMA user_version").getInt();
    if (current > latest_schema_version())
      return caf::make_error(ec::schema_mismatch,
                             "database schema version "
                               + std::to_string(current)
                               + " is newer than this build's "
                               + std::to_string(latest_schema_version())
                               + "; upgrade argus or use another file");
    for (auto v = current; v < version; ++v) {
      SQLite::Transaction tx{db};
      db.exec(migrations[static_cast<size_t>(v)]);
      db.exec("PRAGMA user_version = " + std::to_string(v + 1));
      tx.commit();
    }
    return caf::none;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(),
                         std::string{"migration failed: "} + e.what());
  }
}

caf::error migrate(SQLite::Database& db) {
  return migrate_to(db, latest_schema_version());
}

int64_t parse_sql_datetime(const std::string& text) {
  std::tm tm{};
  long long micros = 0;
  int frac_digits = 0;
  char frac[16] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d.%15[0-9]", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  frac)
      < 6)
    return 0;
  for (const char* c = frac; *c && frac_digits < 6; ++c, ++frac_digits)
    micros = micros * 10 + (*c - '0');
  for (; frac_digits < 6; ++frac_digits)
    micros *= 10;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  auto secs = static_cast<int64_t>(timegm(&tm));
  return secs * 1'000'000'000 + micros * 1000;
}

std::string sql_datetime(int64_t ns) {
  auto secs = static_cast<std::time_t>(ns / 1'000'000'000);
  auto micros = (ns % 1'000'000'000) / 1000;
  if (micros < 0) {
    micros += 1'000'000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06lld",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<long long>(micros));
  return buf;
}

} // namespace argus::storage
