#include "storage/sqlite_store.hpp"

#include "messages/error.hpp"
#include "storage/reader.hpp"
#include "storage/readers/traces.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <fstream>

#include "tests/messages/samples.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t second = 1'000'000'000;
constexpr int64_t t0 = 1'700'000'000 * second;

std::unique_ptr<sqlite_store> open_store(const std::string& path,
                                         uint64_t max_size = 0) {
  writer_options opts;
  opts.path = path;
  opts.busy_timeout = std::chrono::milliseconds{50};
  opts.max_size_bytes = max_size;
  auto s = sqlite_store::open(opts);
  REQUIRE_MESSAGE(s, to_string(s.error()));
  return std::move(*s);
}

int64_t count(const std::string& path, const std::string& table) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  return db.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

std::vector<std::pair<std::string, std::string>>
columns(SQLite::Database& db, const std::string& table) {
  std::vector<std::pair<std::string, std::string>> result;
  SQLite::Statement q{db, "PRAGMA table_info(" + table + ")"};
  while (q.executeStep())
    result.emplace_back(q.getColumn(1).getString(), q.getColumn(2).getString());
  return result;
}

db_row regime_row(const std::string& corr, int64_t time_ns) {
  auto x = test::sample_regime_recorded();
  x.hdr.corr = *correlation_id::parse(corr);
  x.time_ns = time_ns;
  return to_row(x);
}

} // namespace

TEST_CASE("a new database has the spec's five tables with exactly the "
          "spec's columns") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  open_store(path);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  using cols = std::vector<std::pair<std::string, std::string>>;
  CHECK(columns(db, "correlation_tracking")
        == cols{{"correlation_id", "TEXT"},
                {"request_timestamp", "DATETIME"},
                {"response_timestamp", "DATETIME"},
                {"component_path", "TEXT"},
                {"performance_metrics", "JSON"},
                {"error_info", "JSON"},
                {"metadata", "JSON"}});
  CHECK(columns(db, "model_behavior_tracking")
        == cols{{"id", "INTEGER"},
                {"model_id", "TEXT"},
                {"timestamp", "DATETIME"},
                {"performance_metrics", "JSON"},
                {"feature_importance", "JSON"},
                {"drift_scores", "JSON"},
                {"ensemble_weights", "JSON"},
                {"metadata", "JSON"}});
  CHECK(columns(db, "report_history")
        == cols{{"id", "INTEGER"},
                {"report_type", "TEXT"},
                {"generated_at", "DATETIME"},
                {"schedule_type", "TEXT"},
                {"recipients", "JSON"},
                {"file_path", "TEXT"},
                {"status", "TEXT"}});
  CHECK(columns(db, "ensemble_tracking")
        == cols{{"id", "INTEGER"},
                {"ensemble_id", "TEXT"},
                {"timestamp", "DATETIME"},
                {"ensemble_type", "TEXT"},
                {"individual_predictions", "JSON"},
                {"ensemble_weights", "JSON"},
                {"final_prediction", "TEXT"},
                {"confidence", "REAL"},
                {"meta_learner_prediction", "TEXT"},
                {"meta_learner_confidence", "REAL"}});
  CHECK(columns(db, "regime_tracking")
        == cols{{"id", "INTEGER"},
                {"regime_type", "TEXT"},
                {"timestamp", "DATETIME"},
                {"regime_confidence", "REAL"},
                {"regime_probabilities", "JSON"},
                {"regime_features", "JSON"},
                {"regime_indicators", "JSON"},
                {"regime_transition_probability", "REAL"},
                {"regime_duration", "INTEGER"}});
  CHECK(db.execAndGet("PRAGMA user_version").getInt()
        == latest_schema_version());
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(db.execAndGet("PRAGMA page_size").getInt() == 16384);
}

TEST_CASE("every table's insert columns exist in the schema") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  open_store(path);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  for (const auto& t : all_tables()) {
    auto cs = columns(db, t.name);
    auto has = [&](const std::string& name) {
      for (auto& c : cs)
        if (c.first == name)
          return true;
      return false;
    };
    for (auto c : t.columns)
      CHECK_MESSAGE(has(c), t.name << "." << c);
    if (t.corr_column)
      CHECK(has(t.corr_column));
    CHECK(has(t.time_column));
  }
}

TEST_CASE("rows are written in one transaction, with their correlation ids") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  auto store = open_store(path);
  std::vector<db_row> rows;
  for (int i = 0; i < 100; ++i)
    rows.push_back(regime_row("req_" + std::to_string(i), t0 + i * second));
  rows.push_back(to_row(test::sample_decision_step_recorded()));
  REQUIRE(!store->write(rows, t0));
  CHECK(count(path, "regime_tracking") == 100);
  CHECK(count(path, "decision_steps") == 1);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT correlation_id FROM row_correlation WHERE "
                      "table_name = 'regime_tracking' AND row_id = "
                      "(SELECT id FROM regime_tracking WHERE timestamp = '"
                      + sql_datetime(t0 + 7 * second) + "')")
          .getString()
        == "req_7");
  CHECK(db.execAndGet("SELECT correlation_id FROM decision_steps").getString()
        == "req_123");
  CHECK(
    db.execAndGet("SELECT regime_probabilities FROM regime_tracking LIMIT 1")
      .getString()
    == R"({"BEAR_TREND":0.2,"BULL_TREND":0.6,"SIDEWAYS":0.2})");
  auto summary = (*db_reader::open(path))->summary();
  REQUIRE(summary);
  CHECK(summary->rows.at("regime_tracking") == 100);
  CHECK(summary->last_write_ns == t0);
}

TEST_CASE("runs of span rows go in many rows per INSERT, each row whole and "
          "in order") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  auto store = open_store(path);
  // 70 spans, a decision step breaking the run after 40, then 30 more:
  // full multi-row INSERTs, single-row remainders, both tables.
  std::vector<db_row> rows;
  auto span = [](int i) {
    auto x = test::sample_span_recorded();
    x.hdr.corr = *correlation_id::parse("req_" + std::to_string(i));
    x.operation = "op_" + std::to_string(i);
    x.start_ns = t0 + i;
    return to_row(x);
  };
  for (int i = 0; i < 40; ++i)
    rows.push_back(span(i));
  rows.push_back(to_row(test::sample_decision_step_recorded()));
  for (int i = 40; i < 70; ++i)
    rows.push_back(span(i));
  REQUIRE(!store->write(rows, t0));
  CHECK(count(path, "spans") == 70);
  CHECK(count(path, "decision_steps") == 1);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  SQLite::Statement q{db, "SELECT correlation_id, operation, start_ns FROM "
                          "spans ORDER BY id"};
  for (int i = 0; i < 70; ++i) {
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == "req_" + std::to_string(i));
    CHECK(q.getColumn(1).getString() == "op_" + std::to_string(i));
    CHECK(q.getColumn(2).getInt64() == t0 + i);
  }
  auto back = storage::spans_for(**db_reader::open(path),
                                 *correlation_id::parse("req_33"));
  REQUIRE(back);
  REQUIRE(back->size() == 1);
  CHECK((*back)[0].attributes == test::sample_span_recorded().attributes);
}

TEST_CASE("runs of spec-table rows go in many rows per INSERT, each filed "
          "under its own correlation id") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  auto store = open_store(path);
  // Full runs with every id, a full run with one row that has none, a
  // decision step breaking a run, single-row remainders: 105 regime rows.
  std::vector<db_row> rows;
  auto has_corr = [](int i) {
    return i != 70;
  };
  for (int i = 0; i < 105; ++i) {
    auto row = regime_row("req_" + std::to_string(i), t0 + i * second);
    if (!has_corr(i))
      row.corr = {};
    rows.push_back(std::move(row));
    if (i == 40)
      rows.push_back(to_row(test::sample_decision_step_recorded()));
  }
  REQUIRE(!store->write(rows, t0));
  CHECK(count(path, "regime_tracking") == 105);
  // The decision step has its own correlation-id column.
  CHECK(count(path, "row_correlation") == 104);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  SQLite::Statement q{db, "SELECT r.timestamp, c.correlation_id FROM "
                          "regime_tracking r LEFT JOIN row_correlation c "
                          "ON c.table_name = 'regime_tracking' AND "
                          "c.row_id = r.id ORDER BY r.id"};
  for (int i = 0; i < 105; ++i) {
    REQUIRE(q.executeStep());
    CHECK(q.getColumn(0).getString() == sql_datetime(t0 + i * second));
    if (has_corr(i))
      CHECK(q.getColumn(1).getString() == "req_" + std::to_string(i));
    else
      CHECK(q.getColumn(1).isNull());
  }
  CHECK_FALSE(q.executeStep());
  // A second write continues the ids where the first left off.
  std::vector<db_row> more;
  for (int i = 0; i < 32; ++i)
    more.push_back(regime_row("more_" + std::to_string(i), t0 + i));
  REQUIRE(!store->write(more, t0));
  CHECK(db.execAndGet("SELECT correlation_id FROM row_correlation WHERE "
                      "table_name = 'regime_tracking' AND row_id = "
                      "(SELECT max(id) FROM regime_tracking)")
          .getString()
        == "more_31");
}

TEST_CASE("a row with the wrong number of values is refused, with the whole "
          "batch") {
  test::temp_dir dir;
  auto path = dir.file("a.db");
  auto store = open_store(path);
  auto bad = regime_row("req_1", t0);
  bad.values.pop_back();
  auto err = store->write({regime_row("req_0", t0), bad}, t0);
  REQUIRE(err);
  CHECK(err == ec::row_rejected);
  CHECK(count(path, "regime_tracking") == 0);
}

TEST_CASE("migrations run from an empty file and from version N-1") {
  test::temp_dir dir;
  auto path = dir.file("old.db");
  {
    SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    REQUIRE(!migrate_to(db, latest_schema_version() - 1));
    CHECK(db.execAndGet("PRAGMA user_version").getInt()
          == latest_schema_version() - 1);
    db.exec("INSERT INTO regime_tracking (regime_type, timestamp) VALUES "
            "('BULL_TREND', '2024-01-01 00:00:00.000000')");
  }
  auto store = open_store(path);
  CHECK(store->schema_version() == latest_schema_version());
  CHECK(count(path, "regime_tracking") == 1);
  REQUIRE(!store->write({regime_row("req_1", t0)}, t0));
  CHECK(count(path, "regime_tracking") == 2);
}

TEST_CASE("a database from a newer schema version is refused") {
  test::temp_dir dir;
  auto path = dir.file("future.db");
  {
    SQLite::Database db{path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
    db.exec("PRAGMA user_version = 99");
  }
  writer_options opts;
  opts.path = path;
  auto s = sqlite_store::open(opts);
  REQUIRE(!s);
  CHECK(s.error() == ec::schema_mismatch);
  CHECK(to_string(s.error()).find("99") != std::string::npos);
}

TEST_CASE("a corrupt file is a typed error, not a crash") {
  test::temp_dir dir;
  auto path = dir.write("junk.db", std::string(8192, 'Z'));
  writer_options opts;
  opts.path = path;
  auto s = sqlite_store::open(opts);
  REQUIRE(!s);
  CHECK(s.error() == ec::storage_failure);
  CHECK(to_string(s.error()).find("corrupt") != std::string::npos);
  auto reader = db_reader::open(path);
  auto readable = reader && (*reader)->summary();
  CHECK(!readable);
}

TEST_CASE("a full disk fails the batch, keeps nothing half-written, and "
          "recovers when space returns") {
  test::temp_dir dir;
  auto path = dir.file("small.db");
  auto store = open_store(path, 256 * 1024); // a 256 KiB budget
  std::vector<db_row> batch;
  for (int i = 0; i < 200; ++i)
    batch.push_back(regime_row("req_" + std::to_string(i), t0 + i));
  caf::error err;
  int written = 0;
  for (int round = 0; round < 100 && !err; ++round) {
    err = store->write(batch, t0);
    if (!err)
      written += 200;
  }
  REQUIRE(err);
  CHECK(err == ec::storage_full);
  CHECK(count(path, "regime_tracking") == written);
  // Space comes back (the operator raises the budget): the same batch goes in.
  REQUIRE(!store->set_max_size(0));
  REQUIRE(!store->write(batch, t0));
  CHECK(count(path, "regime_tracking") == written + 200);
}

TEST_CASE("a locked database is reported busy and the write succeeds later") {
  test::temp_dir dir;
  auto path = dir.file("locked.db");
  auto store = open_store(path);
  {
    SQLite::Database other{path, SQLite::OPEN_READWRITE};
    other.exec("BEGIN EXCLUSIVE");
    auto err = store->write({regime_row("req_1", t0)}, t0);
    REQUIRE(err);
    CHECK(err == ec::storage_busy);
    other.exec("ROLLBACK");
  }
  REQUIRE(!store->write({regime_row("req_1", t0)}, t0));
  CHECK(count(path, "regime_tracking") == 1);
}

TEST_CASE("retention deletes old rows in bounded steps and keeps new ones") {
  test::temp_dir dir;
  auto path = dir.file("r.db");
  auto store = open_store(path);
  std::vector<db_row> rows;
  for (int i = 0; i < 50; ++i)
    rows.push_back(regime_row("old_" + std::to_string(i), t0 + i * second));
  for (int i = 0; i < 10; ++i)
    rows.push_back(
      regime_row("new_" + std::to_string(i), t0 + 1000 * second + i));
  auto step = to_row(test::sample_decision_step_recorded());
  rows.push_back(step);
  REQUIRE(!store->write(rows, t0));
  auto cutoff = t0 + 500 * second;
  auto first = store->delete_older_than(table_id::regime_tracking, cutoff, 20);
  REQUIRE(first);
  CHECK(*first == 20);
  CHECK(count(path, "regime_tracking") == 40);
  size_t total = *first;
  while (true) {
    auto n = store->delete_older_than(table_id::regime_tracking, cutoff, 20);
    REQUIRE(n);
    total += *n;
    if (*n < 20)
      break;
  }
  CHECK(total == 50);
  CHECK(count(path, "regime_tracking") == 10);
  // Their correlation ids go with them.
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT count(*) FROM row_correlation WHERE table_name "
                      "= 'regime_tracking'")
          .getInt64()
        == 10);
  // Tables with nanosecond time columns too.
  auto deleted = store->delete_older_than(table_id::decision_steps,
                                          step.values[6].integer + 1, 100);
  REQUIRE(deleted);
  CHECK(*deleted == 1);
}

TEST_CASE("sql_datetime renders UTC with microseconds") {
  CHECK(sql_datetime(0) == "1970-01-01 00:00:00.000000");
  CHECK(sql_datetime(t0 + 123'456'789) == "2023-11-14 22:13:20.123456");
}
