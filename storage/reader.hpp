#pragma once

#include "messages/storage.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <caf/expected.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace argus::storage {

/// What `argusctl status` shows about a database file.
struct db_summary {
  std::string path;
  int schema_version = 0;
  int latest_schema_version = 0;
  /// Rows per table, by name: counted up to `exact_row_limit`; beyond it
  /// estimated from the table's rowid range (listed in `estimated`).
  std::map<std::string, int64_t> rows;
  std::set<std::string> estimated;
  /// 0 when nothing was written yet.
  int64_t last_write_ns = 0;
  std::string journal_mode;
};

/// Tables with more rows than this are not counted row by row: a status
/// costs the same on a year of history as on a day.
inline constexpr int64_t exact_row_limit = 100'000;

/// A read-only connection for queries: never the writer's connection, so
/// readers (argusctl, the REST API, reports) never block the writer (WAL).
/// The queries themselves are in `storage/readers/`, one file per domain.
class db_reader {
public:
  /// Opens `path` read-only; fails if it does not exist or is not SQLite.
  static caf::expected<std::unique_ptr<db_reader>>
  open(const std::string& path);

  /// @returns schema version, rows per table and the last write.
  caf::expected<db_summary> summary();

  /// The connection, for the queries in `storage/readers/`.
  SQLite::Database& db() {
    return db_;
  }

private:
  explicit db_reader(const std::string& path);

  std::string path_;
  SQLite::Database db_;
};

namespace detail {

/// Runs a query; SQLite's exceptions become typed storage errors.
template <class F>
auto guarded(F f) -> caf::expected<decltype(f())> {
  try {
    return f();
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  }
}

/// @returns the rows of `q` as JSON objects keyed by column name, the
/// columns named in `json_columns` parsed as JSON.
nlohmann::json rows_as_json(SQLite::Statement& q,
                            std::initializer_list<const char*> json_columns);

} // namespace detail

} // namespace argus::storage
