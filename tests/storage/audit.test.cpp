#include "storage/audit.hpp"

#include "messages/error.hpp"
#include "storage/rows.hpp"
#include "storage/sqlite_store.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t second = 1'000'000'000;
constexpr int64_t t0 = 1'700'000'000 * second;

std::unique_ptr<sqlite_store> open_store(const std::string& path) {
  writer_options opts;
  opts.path = path;
  auto s = sqlite_store::open(opts);
  REQUIRE_MESSAGE(s, to_string(s.error()));
  return std::move(*s);
}

db_row audit_row(int i, int64_t time_ns) {
  audit_record a;
  a.time_ns = time_ns;
  a.principal = i % 3 == 0 ? "" : "grafana";
  a.event = i % 3 == 0 ? "auth_failed" : "request";
  a.detail = i % 3 == 0 ? "unknown token" : "";
  a.role = i % 3 == 0 ? "" : "viewer";
  a.method = "GET";
  a.route = "/api/metrics/dashboard";
  a.path = "/api/metrics/dashboard";
  a.status = i % 3 == 0 ? 401 : 200;
  a.bytes_out = 100 + i;
  a.duration_ns = 1000 * i;
  a.peer = "127.0.0.1:5000" + std::to_string(i % 10);
  a.corr = *correlation_id::parse("req-" + std::to_string(i));
  return to_row(a);
}

/// Writes `n` audit rows in batches of `per_batch`, spans between them.
void write_audit(sqlite_store& store, int first, int n, int per_batch = 7) {
  std::vector<db_row> batch;
  for (int i = first; i < first + n; ++i) {
    batch.push_back(audit_row(i, t0 + i * second));
    if (i % 2 == 0) {
      auto span = test::sample_span_recorded();
      batch.push_back(to_row(span));
    }
    if (static_cast<int>(batch.size()) >= per_batch) {
      REQUIRE_FALSE(store.write(batch, t0));
      batch.clear();
    }
  }
  if (!batch.empty())
    REQUIRE_FALSE(store.write(batch, t0));
}

audit_verification verify(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  auto v = verify_audit_log(db);
  REQUIRE_MESSAGE(v, to_string(v.error()));
  return *v;
}

std::string problems(const audit_verification& v) {
  std::string out;
  for (const auto& p : v.problems)
    out += p + "\n";
  return out;
}

/// What someone with the file and sqlite3 does: the triggers that make the
/// table append-only are dropped first.
void tamper(const std::string& path, const std::string& sql) {
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  db.exec("DROP TRIGGER IF EXISTS audit_log_no_update");
  db.exec("DROP TRIGGER IF EXISTS audit_log_no_delete");
  db.exec(sql);
}

} // namespace

TEST_CASE("the writer chains audit rows in commit order and verify accepts "
          "an untouched chain") {
  test::temp_dir dir;
  auto path = dir.file("audit.db");
  {
    auto store = open_store(path);
    write_audit(*store, 1, 50);
  }
  // Reopened, the writer continues the chain where it ended.
  {
    auto store = open_store(path);
    write_audit(*store, 51, 10);
  }
  auto v = verify(path);
  INFO(problems(v));
  CHECK(v.ok());
  CHECK(v.rows == 60);
  CHECK(v.first_id == 1);
  CHECK(v.last_id == 60);
  CHECK(v.start.hash == audit_genesis());
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  auto entries = audit_entries(db, audit_query{});
  REQUIRE(entries);
  REQUIRE(entries->size() == 60);
  // Newest first; each row names the hash of the one before.
  CHECK((*entries)[0].id == 60);
  CHECK((*entries)[0].prev_hash == (*entries)[1].hash);
  CHECK((*entries)[59].prev_hash == audit_genesis());
  CHECK(v.head.hash == (*entries)[0].hash);
  CHECK((*entries)[0].record.principal.empty());
  CHECK((*entries)[0].record.status == 401);
  CHECK((*entries)[1].record.principal == "grafana");
  CHECK((*entries)[1].record.status == 200);
  CHECK((*entries)[0].correlation_id == "req-60");
  audit_query failed;
  failed.event = "auth_failed";
  failed.status = 4;
  auto f = audit_entries(db, failed);
  REQUIRE(f);
  CHECK(f->size() == 20);
  for (const auto& e : *f)
    CHECK(e.record.detail == "unknown token");
}

TEST_CASE("the audit table is append-only") {
  test::temp_dir dir;
  auto path = dir.file("audit.db");
  {
    auto store = open_store(path);
    write_audit(*store, 1, 5);
  }
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  CHECK_THROWS_WITH(db.exec("UPDATE audit_log SET status = 200 WHERE id = 3"),
                    doctest::Contains("append-only"));
  CHECK_THROWS_WITH(db.exec("DELETE FROM audit_log WHERE id = 5"),
                    doctest::Contains("append-only"));
  CHECK(verify(path).ok());
}

TEST_CASE("verify finds an edited, a deleted, an inserted and a truncated "
          "row") {
  test::temp_dir dir;
  auto path = dir.file("audit.db");
  auto fresh = [&] {
    std::remove(path.c_str());
    std::remove((path + "-wal").c_str());
    std::remove((path + "-shm").c_str());
    auto store = open_store(path);
    write_audit(*store, 1, 30);
  };
  SUBCASE("an edited column") {
    fresh();
    tamper(path, "UPDATE audit_log SET status = 200 WHERE id = 12");
    auto v = verify(path);
    CHECK_FALSE(v.ok());
    CHECK(problems(v).find("row 12 was changed") != std::string::npos);
  }
  SUBCASE("an edited correlation id") {
    fresh();
    tamper(path, "UPDATE audit_log SET correlation_id = 'x' WHERE id = 4");
    CHECK(problems(verify(path)).find("row 4 was changed")
          != std::string::npos);
  }
  SUBCASE("a row edited and its hash recomputed breaks the next link") {
    fresh();
    // The attacker recomputes row 7's hash but not the rows after it.
    db_row edited;
    std::string prev;
    {
      SQLite::Database db{path, SQLite::OPEN_READONLY};
      prev = db.execAndGet("SELECT prev_hash FROM audit_log WHERE id = 7")
               .getString();
    }
    auto row = audit_row(7, t0 + 7 * second);
    row.values[3] = db_value::of(std::string{"admin"});
    chain_audit_row(row, {6, prev});
    tamper(path, "UPDATE audit_log SET principal = 'admin', hash = '"
                   + row.values[15].text + "' WHERE id = 7");
    auto v = verify(path);
    CHECK(problems(v).find("row 8 does not chain") != std::string::npos);
    CHECK(problems(v).find("row 7 was changed") == std::string::npos);
  }
  SUBCASE("a deleted row in the middle") {
    fresh();
    tamper(path, "DELETE FROM audit_log WHERE id = 15");
    auto v = verify(path);
    CHECK(problems(v).find("rows 15..15 are missing") != std::string::npos);
    CHECK(problems(v).find("row 16 does not chain") != std::string::npos);
  }
  SUBCASE("the first row deleted") {
    fresh();
    tamper(path, "DELETE FROM audit_log WHERE id = 1");
    CHECK(problems(verify(path)).find("rows 1..1 are missing")
          != std::string::npos);
  }
  SUBCASE("the last rows deleted") {
    fresh();
    tamper(path, "DELETE FROM audit_log WHERE id >= 28");
    auto v = verify(path);
    CHECK(problems(v).find("rows 28..30 were deleted from the end")
          != std::string::npos);
    // The writer continues from the recorded end, so the gap stays visible
    // after more rows are written.
    {
      auto store = open_store(path);
      write_audit(*store, 31, 3);
    }
    CHECK_FALSE(verify(path).ok());
  }
  SUBCASE("every row deleted") {
    fresh();
    tamper(path, "DELETE FROM audit_log");
    CHECK(problems(verify(path)).find("were deleted from the end")
          != std::string::npos);
  }
  SUBCASE("a forged row inserted") {
    fresh();
    tamper(path, "INSERT INTO audit_log SELECT 31, correlation_id, time_ns, "
                 "event, 'admin', role, method, route, path, status, "
                 "bytes_in, bytes_out, duration_ns, peer, detail, hash, hash "
                 "FROM audit_log WHERE id = 30");
    auto v = verify(path);
    CHECK(problems(v).find("row 31 was changed") != std::string::npos);
    CHECK(problems(v).find("not at the recorded end") != std::string::npos);
  }
}

TEST_CASE("retention cuts the front of the chain and verify still holds") {
  test::temp_dir dir;
  auto path = dir.file("audit.db");
  auto store = open_store(path);
  write_audit(*store, 1, 40);
  // Rows 1..19 are older than the cutoff; a batch limit of 12 takes 12.
  auto deleted
    = store->delete_older_than(table_id::audit_log, t0 + 20 * second, 12);
  REQUIRE(deleted);
  CHECK(*deleted == 12);
  deleted
    = store->delete_older_than(table_id::audit_log, t0 + 20 * second, 100);
  REQUIRE(deleted);
  CHECK(*deleted == 7);
  write_audit(*store, 41, 5);
  auto v = verify(path);
  INFO(problems(v));
  CHECK(v.ok());
  CHECK(v.first_id == 20);
  CHECK(v.start.id == 19);
  CHECK(v.last_id == 45);
  // Only the front may go: a row after the cut is still protected.
  SQLite::Database db{path, SQLite::OPEN_READWRITE};
  CHECK_THROWS_WITH(db.exec("DELETE FROM audit_log WHERE id = 30"),
                    doctest::Contains("append-only"));
  // Deleting the new first row by hand shows.
  tamper(path, "DELETE FROM audit_log WHERE id = 20");
  CHECK(problems(verify(path)).find("rows 20..20 are missing")
        != std::string::npos);
}

TEST_CASE("a failed write does not advance the chain") {
  test::temp_dir dir;
  auto path = dir.file("audit.db");
  auto store = open_store(path);
  write_audit(*store, 1, 5);
  // metric_points.name is NOT NULL: SQLite refuses the row after the audit
  // rows were inserted, and the transaction rolls back.
  std::vector<db_row> batch{audit_row(6, t0), audit_row(7, t0)};
  metric_point point;
  point.name = "latency";
  point.window = "1m";
  auto bad = to_row(point);
  bad.values[0] = db_value::null();
  batch.push_back(bad);
  CHECK(store->write(batch, t0) == ec::row_rejected);
  batch.pop_back();
  REQUIRE_FALSE(store->write(batch, t0));
  auto v = verify(path);
  INFO(problems(v));
  CHECK(v.ok());
  CHECK(v.last_id == 7);
}
