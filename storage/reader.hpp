#pragma once

#include "messages/storage.hpp"
#include "messages/tracing.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/expected.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

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

/// A read-only connection for queries: never the writer's connection, so
/// readers (argusctl, the REST API, reports) never block the writer (WAL).
class db_reader {
public:
  /// Opens `path` read-only; fails if it does not exist or is not SQLite.
  static caf::expected<std::unique_ptr<db_reader>>
  open(const std::string& path);

  /// @returns schema version, rows per table and the last write.
  caf::expected<db_summary> summary();

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
