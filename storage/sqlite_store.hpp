#pragma once

#include "messages/storage.hpp"
#include "storage/audit.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace argus::storage {

/// How the writer opens the database (mapped from `config::storage_config` by
/// the runtime; `storage/` does not depend on `config/`).
struct writer_options {
  std::string path;
  /// `PRAGMA synchronous=FULL` instead of NORMAL.
  bool synchronous_full = false;
  std::chrono::milliseconds busy_timeout{1000};
  /// 0: unlimited. Otherwise the file may not grow beyond this many bytes.
  uint64_t max_size_bytes = 0;
};

/// The write side of the SQLite file: one connection, WAL, prepared insert
/// statements per table, one transaction per batch. Not thread-safe; the
/// storage writer actor owns the only instance.
class sqlite_store {
public:
  /// Opens (creating if needed) and migrates the database.
  static caf::expected<std::unique_ptr<sqlite_store>>
  open(const writer_options& opts);

  /// Writes `count` rows from `rows` in one transaction and records `now_ns`
  /// as the last write. On failure everything is rolled back and the rows
  /// stay the caller's to retry; `ec::row_rejected` says one of them can
  /// never be written.
  caf::error write(const db_row* rows, size_t count, int64_t now_ns);

  caf::error write(const std::vector<db_row>& rows, int64_t now_ns) {
    return write(rows.data(), rows.size(), now_ns);
  }

  /// Copies the write-ahead log into the database and truncates it to zero
  /// bytes. On a full disk the log is where the space went (it grows until
  /// a checkpoint); this gives it back once the database file can grow.
  caf::error checkpoint();

  /// Deletes at most `limit` rows of `table` older than `cutoff_ns`.
  /// @returns the number of rows deleted.
  caf::expected<size_t> delete_older_than(table_id table, int64_t cutoff_ns,
                                          size_t limit);

  /// Changes the file's size budget (0: unlimited).
  caf::error set_max_size(uint64_t bytes);

  /// @returns the schema version of the open file.
  int schema_version();

  SQLite::Database& db() {
    return db_;
  }

private:
  explicit sqlite_store(const writer_options& opts);

  /// Rows per multi-row INSERT: one statement step for many rows instead of
  /// one each.
  static constexpr size_t rows_per_insert = 32;

  /// Files `corr` as the correlation id of row `row_id` of `table` (a table
  /// without a correlation-id column of its own).
  void link_correlation(const char* table, int64_t row_id,
                        const std::string& corr);

  /// The same for the `rows_per_insert` rows just inserted from `rows`,
  /// with `corrs` as buffers for their ids.
  void link_correlations(const char* table, const db_row* rows,
                         std::array<std::string, rows_per_insert>& corrs);

  /// @returns the prepared INSERT of `rows` rows (1 or `rows_per_insert`)
  ///          into `table`.
  SQLite::Statement& insert_statement(table_id table, size_t rows = 1);

  writer_options opts_;
  SQLite::Database db_;
  std::array<std::unique_ptr<SQLite::Statement>,
             static_cast<size_t>(last_table_id) + 1>
    inserts_;
  std::array<std::unique_ptr<SQLite::Statement>,
             static_cast<size_t>(last_table_id) + 1>
    batch_inserts_;
  std::unique_ptr<SQLite::Statement> insert_corr_;
  std::unique_ptr<SQLite::Statement> insert_corrs_;
  std::unique_ptr<SQLite::Statement> set_last_write_;
  /// The audit chain's committed end, read at the first write.
  std::optional<audit_link> audit_end_;
};

} // namespace argus::storage
