#include "storage/reader.hpp"

#include "messages/error.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <fstream>

#include "tests/messages/samples.hpp"
#include "tests/support/database.hpp"

using namespace argus;
using namespace argus::storage;

TEST_CASE("a reader refuses a missing file and a file that is not SQLite, "
          "saying which") {
  test::temp_dir dir;
  auto missing = db_reader::open(dir.file("none.db"));
  REQUIRE(!missing);
  CHECK(to_string(missing.error()).find("does not exist") != std::string::npos);
  {
    std::ofstream out{dir.file("text.db")};
    out << "these are not the bytes of a database, but long enough to look "
           "like a header to anyone who does not check";
  }
  auto text = db_reader::open(dir.file("text.db"));
  REQUIRE(!text);
  CHECK(to_string(text.error()).find("text.db") != std::string::npos);
}

TEST_CASE("a reader's summary has the schema version, rows per table and "
          "the last write") {
  test::database_fixture fx;
  auto regime = test::sample_regime_recorded();
  fx.write(
    {to_row(regime), to_row(regime), to_row(test::sample_trade_executed())},
    1'700'000'000'000'000'000);
  auto summary = fx.reader()->summary();
  REQUIRE(summary);
  CHECK(summary->path == fx.path);
  CHECK(summary->schema_version == latest_schema_version());
  CHECK(summary->latest_schema_version == latest_schema_version());
  CHECK(summary->rows.at("regime_tracking") == 2);
  CHECK(summary->rows.at("trades") == 1);
  CHECK(summary->rows.at("ensemble_tracking") == 0);
  CHECK(summary->last_write_ns == 1'700'000'000'000'000'000);
  CHECK(summary->journal_mode == "wal");
}

TEST_CASE("a reader's summary counts a table's rows up to the limit and "
          "estimates a bigger one from its row ids, saying so") {
  test::database_fixture fx;
  fx.write({to_row(test::sample_trade_executed())});
  {
    SQLite::Database db{fx.path, SQLite::OPEN_READWRITE};
    // Past the limit, with the oldest fifth deleted as retention would.
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < "
            + std::to_string(exact_row_limit + 25'000)
            + ") "
              "INSERT INTO regime_tracking (regime_type, timestamp) SELECT "
              "'BULL_TREND', '2024-01-01 00:00:00.000000' FROM n");
    db.exec("DELETE FROM regime_tracking WHERE id <= 20000");
    // At the limit exactly: still counted.
    db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
            "WHERE i < "
            + std::to_string(exact_row_limit)
            + ") "
              "INSERT INTO ensemble_tracking (ensemble_id) SELECT 'e' FROM n");
  }
  auto summary = fx.reader()->summary();
  REQUIRE(summary);
  CHECK(summary->rows.at("trades") == 1);
  CHECK(summary->rows.at("ensemble_tracking") == exact_row_limit);
  CHECK(summary->estimated.count("ensemble_tracking") == 0);
  // The ids run contiguously after the deleted ones: the span is the count.
  CHECK(summary->rows.at("regime_tracking") == exact_row_limit + 5'000);
  CHECK(summary->estimated.count("regime_tracking") == 1);
  CHECK(summary->estimated.size() == 1);
}

TEST_CASE("rows_as_json keys each row by column and parses the JSON "
          "columns it is told about") {
  test::database_fixture fx;
  auto r = fx.reader();
  SQLite::Statement q{r->db(), "SELECT 1 AS n, 2.5 AS x, 'a' AS s, "
                               "'{\"k\":1}' AS j, '{\"k\":1}' AS t, NULL AS z"};
  auto rows = storage::detail::rows_as_json(q, {"j"});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["n"] == 1);
  CHECK(rows[0]["x"] == 2.5);
  CHECK(rows[0]["s"] == "a");
  CHECK(rows[0]["j"]["k"] == 1);
  CHECK(rows[0]["t"] == "{\"k\":1}");
  CHECK(rows[0]["z"].is_null());
}
