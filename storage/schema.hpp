#pragma once

#include "messages/storage.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/error.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace argus::storage {

/// How a table stores time: the spec's tables use SQLite DATETIME text
/// (`YYYY-MM-DD HH:MM:SS.ffffff`, UTC); the engine's tables int64 ns.
enum class time_format : uint8_t { datetime_text, epoch_ns };

/// What the writer needs to know about one table.
struct table_info {
  table_id id;
  const char* name;
  /// Columns a row's `values` fill, in order. The correlation id is not
  /// among them: it goes into `corr_column` or, for the spec's tables that
  /// have no such column, into `row_correlation`.
  std::vector<const char*> columns;
  /// The column holding the row's correlation id, or nullptr.
  const char* corr_column;
  /// The column retention compares against.
  const char* time_column;
  time_format time;
  /// Whether a row replaces an earlier one with the same key
  /// (`correlation_tracking` is keyed by correlation id).
  bool upsert;
};

/// @returns the metadata of `id`.
const table_info& info(table_id id);

/// @returns every table, in `table_id` order.
const std::vector<table_info>& all_tables();

/// The schema version this build writes (`PRAGMA user_version`).
int latest_schema_version();

/// Applies every migration newer than the file's version, each in its own
/// transaction. A file written by a newer build is refused with
/// `ec::schema_mismatch`.
caf::error migrate(SQLite::Database& db);

/// Applies migrations up to and including `version` (tests use it to build
/// an old database).
caf::error migrate_to(SQLite::Database& db, int version);

/// @returns `ns` since the epoch as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC).
std::string sql_datetime(int64_t ns);

/// @returns the nanoseconds since the epoch of a `sql_datetime` text (UTC),
///          or 0 if it is not one.
int64_t parse_sql_datetime(const std::string& text);

/// Maps a SQLite failure to `ec::storage_busy`, `ec::storage_full`,
/// `ec::row_rejected` (the row itself is wrong: a constraint, a type, its
/// size) or `ec::storage_failure`, keeping SQLite's message.
caf::error storage_error(int sqlite_code, const std::string& what);

} // namespace argus::storage
