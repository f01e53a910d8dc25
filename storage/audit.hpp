#pragma once

// The audit trail's hash chain. Every `audit_log` row carries the hash of the
// row before it and its own, over all its columns; the writer fills both as
// it inserts, so the chain is exactly what was committed (rows lost before
// the writer leave no gap). The chain's end is kept in `argus_meta`, and the
// retention step records where it cut the front, so a row edited, inserted
// or deleted anywhere — first and last included — breaks the chain.
//
// The chain is plain SHA-256, not keyed: it shows tampering by anyone who
// does not recompute every later hash; a copy of `audit_head` kept elsewhere
// (`argusctl audit verify -o json` prints it) covers that too.

#include "messages/storage.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace argus::storage {

/// One audited event, as the gateway reports it.
struct audit_record {
  int64_t time_ns = 0;
  /// `request`, or `auth_failed` (no, an unknown or a too weak token, or
  /// throttled).
  std::string event = "request";
  std::string principal;
  std::string role;
  std::string method;
  /// The route's pattern.
  std::string route;
  /// The request's path, without its query (which may carry a token).
  std::string path;
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  int64_t duration_ns = 0;
  std::string peer;
  std::string detail;
  correlation_id corr;
};

/// @returns the `audit_log` row of `x`; its id and hashes are the writer's
///          to fill (`chain_audit_row`).
db_row to_row(const audit_record& x);

/// The end of the chain: the last row's id and hash.
struct audit_link {
  int64_t id = 0;
  std::string hash;
};

/// The hash before the first row.
const std::string& audit_genesis();

/// @returns the hash of an `audit_log` row following `prev_hash`: SHA-256
///          over the previous hash, the correlation id and every value from
///          `id` to `detail`, each with its type and length.
std::string audit_hash(const std::string& prev_hash, std::string_view corr,
                       const db_row& row);

/// Gives `row` the id after `prev`, `prev`'s hash and its own.
/// @returns the new end of the chain.
audit_link chain_audit_row(db_row& row, const audit_link& prev);

/// @returns where the writer continues the chain: the end recorded in
///          `argus_meta` (so that rows deleted from the end show as a
///          break), else the last row, else where retention cut, else the
///          genesis.
audit_link audit_chain_end(SQLite::Database& db);

/// Records `end` as the chain's end (inside the caller's transaction).
void save_audit_chain_end(SQLite::Database& db, const audit_link& end);

/// Deletes at most `limit` rows older than `cutoff_ns` from the front of the
/// chain, first recording the last one deleted as the new start (the
/// table's trigger refuses any other delete). @returns the rows deleted.
caf::expected<size_t> prune_audit_log(SQLite::Database& db, int64_t cutoff_ns,
                                      size_t limit);

/// What `verify_audit_log` found.
struct audit_verification {
  uint64_t rows = 0;
  int64_t first_id = 0;
  int64_t last_id = 0;
  /// Where the chain starts (genesis, or the retention cut) and ends.
  audit_link start;
  audit_link head;
  /// Each break, in id order, at most `max_problems`.
  std::vector<std::string> problems;
  /// Breaks found, including those not listed.
  uint64_t breaks = 0;

  bool ok() const noexcept {
    return breaks == 0;
  }
};

/// Walks the chain: every id follows the one before, every row chains to the
/// hash before it and hashes to its own, the first row to the start and the
/// last to the recorded end.
caf::expected<audit_verification> verify_audit_log(SQLite::Database& db,
                                                   size_t max_problems = 20);

/// What `audit_entries` lists.
struct audit_query {
  int64_t since_ns = 0;
  /// 0: no upper bound.
  int64_t until_ns = 0;
  std::string principal;
  std::string event;
  /// 0: any; otherwise a status (e.g. 401) or a class (4: 4xx).
  int status = 0;
  size_t limit = 100;
  /// 0: the newest; otherwise rows before this id.
  int64_t before_id = 0;
};

/// One stored row.
struct audit_entry {
  int64_t id = 0;
  std::string correlation_id;
  audit_record record;
  std::string prev_hash;
  std::string hash;
};

/// @returns the rows `q` selects, newest first.
caf::expected<std::vector<audit_entry>> audit_entries(SQLite::Database& db,
                                                      const audit_query& q);

} // namespace argus::storage
