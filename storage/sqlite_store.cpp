#include "storage/sqlite_store.hpp"

#include "messages/error.hpp"
#include "storage/audit.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

#include <array>

#include <sqlite3.h>

namespace argus::storage {

namespace {

void bind(SQLite::Statement& stmt, int index, const db_value& v) {
  switch (v.kind) {
    case db_value::kind_t::null:
      stmt.bind(index);
      break;
    case db_value::kind_t::integer:
      stmt.bind(index, static_cast<int64_t>(v.integer));
      break;
    case db_value::kind_t::real:
      stmt.bind(index, v.real);
      break;
    case db_value::kind_t::text:
      stmt.bindNoCopy(index, v.text);
      break;
  }
}

/// Binds `row` from parameter `index` on (advancing it): its correlation id
/// first when the table has that column, through `corr`, a buffer that must
/// stay unchanged until the statement has run (bound without a copy).
void bind_row(SQLite::Statement& stmt, int& index, const db_row& row,
              bool corr_column, std::string& corr) {
  corr.assign(row.corr.view());
  if (corr_column)
    stmt.bindNoCopy(index++, corr);
  for (const auto& v : row.values)
    bind(stmt, index++, v);
}

} // namespace

sqlite_store::sqlite_store(const writer_options& opts)
    : opts_(opts),
      // NOMUTEX: only the storage writer's thread uses this connection, so
      // SQLite's per-call connection mutex is pure cost on the insert path.
      db_(opts.path,
          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          static_cast<int>(opts.busy_timeout.count())) {
}

caf::expected<std::unique_ptr<sqlite_store>>
sqlite_store::open(const writer_options& opts) {
  try {
    std::unique_ptr<sqlite_store> store{new sqlite_store(opts)};
    auto& db = store->db_;
    // Fail fast on a file that is not a database, before changing anything.
    db.execAndGet("PRAGMA schema_version");
    // 16 KiB pages for a new file (an existing one keeps its size): the
    // WAL is written one page per write call and checkpointed page by
    // page, so larger pages mean a quarter of the system calls for the
    // same rows (bench_sustained, 250 k span rows/s: 188-194 k persisted/s
    // against 176 k, and a lower record -> queryable p99). Must come before
    // WAL mode and the first table.
    db.exec("PRAGMA page_size=16384");
    auto mode = db.execAndGet("PRAGMA journal_mode=WAL").getString();
    if (mode != "wal")
      return caf::make_error(ec::storage_failure,
                             "cannot switch " + opts.path
                               + " to WAL journal mode (got " + mode + ")");
    db.exec(opts.synchronous_full ? "PRAGMA synchronous=FULL"
                                  : "PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    // The writer inserts into several indexes (spans by correlation id,
    // start and trace): with SQLite's 2 MiB default their pages fall out of
    // the cache and every insert re-reads them from the OS. 64 MiB keeps
    // the hot index pages resident (allocated only as pages are used).
    db.exec("PRAGMA cache_size=-65536");
    if (auto err = migrate(db))
      return err;
    if (auto err = store->set_max_size(opts.max_size_bytes))
      return err;
    return store;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(),
                         "cannot open " + opts.path + ": " + e.what());
  }
}

SQLite::Statement& sqlite_store::insert_statement(table_id table, size_t rows) {
  auto& slot = rows == 1 ? inserts_[static_cast<size_t>(table)]
                         : batch_inserts_[static_cast<size_t>(table)];
  if (!slot) {
    const auto& t = info(table);
    std::string sql = t.upsert ? "INSERT OR REPLACE INTO " : "INSERT INTO ";
    sql += t.name;
    sql += " (";
    std::string params;
    auto add = [&](const char* column) {
      if (!params.empty()) {
        sql += ", ";
        params += ", ";
      }
      sql += column;
      params += "?";
    };
    if (t.corr_column)
      add(t.corr_column);
    for (auto c : t.columns)
      add(c);
    sql += ") VALUES (" + params + ")";
    for (size_t i = 1; i < rows; ++i)
      sql += ", (" + params + ")";
    slot = std::make_unique<SQLite::Statement>(db_, sql);
  }
  return *slot;
}

void sqlite_store::link_correlation(const char* table, int64_t row_id,
                                    const std::string& corr) {
  if (!insert_corr_)
    insert_corr_ = std::make_unique<SQLite::Statement>(
      db_, "INSERT OR REPLACE INTO row_correlation "
           "(table_name, row_id, correlation_id) VALUES (?, ?, ?)");
  insert_corr_->tryReset();
  insert_corr_->bindNoCopy(1, table);
  insert_corr_->bind(2, static_cast<int64_t>(row_id));
  insert_corr_->bindNoCopy(3, corr);
  insert_corr_->exec();
}

void sqlite_store::link_correlations(
  const char* table, const db_row* rows,
  std::array<std::string, rows_per_insert>& corrs) {
  // A multi-row INSERT into a table with an INTEGER PRIMARY KEY (every
  // spec table's AUTOINCREMENT id) gives its rows consecutive ids in
  // VALUES order, the last of them the last insert rowid.
  auto first
    = db_.getLastInsertRowid() - static_cast<int64_t>(rows_per_insert) + 1;
  bool all = true;
  for (size_t k = 0; k < rows_per_insert; ++k) {
    corrs[k].assign(rows[k].corr.view());
    all = all && !corrs[k].empty();
  }
  if (!all) {
    for (size_t k = 0; k < rows_per_insert; ++k)
      if (!corrs[k].empty())
        link_correlation(table, first + static_cast<int64_t>(k), corrs[k]);
    return;
  }
  if (!insert_corrs_) {
    std::string sql = "INSERT OR REPLACE INTO row_correlation "
                      "(table_name, row_id, correlation_id) VALUES (?, ?, ?)";
    for (size_t k = 1; k < rows_per_insert; ++k)
      sql += ", (?, ?, ?)";
    insert_corrs_ = std::make_unique<SQLite::Statement>(db_, sql);
  }
  auto& stmt = *insert_corrs_;
  stmt.tryReset();
  int index = 1;
  for (size_t k = 0; k < rows_per_insert; ++k) {
    stmt.bindNoCopy(index++, table);
    stmt.bind(index++, first + static_cast<int64_t>(k));
    stmt.bindNoCopy(index++, corrs[k]);
  }
  stmt.exec();
}

caf::error sqlite_store::write(const db_row* rows, size_t count,
                               int64_t now_ns) {
  for (size_t i = 0; i < count; ++i) {
    const auto& t = info(rows[i].table);
    if (rows[i].values.size() != t.columns.size())
      return caf::make_error(ec::row_rejected,
                             std::string{"row for "} + t.name + " has "
                               + std::to_string(rows[i].values.size())
                               + " values, expected "
                               + std::to_string(t.columns.size()));
  }
  try {
    if (!audit_end_)
      audit_end_ = audit_chain_end(db_);
    auto chain_end = *audit_end_;
    SQLite::Transaction tx{db_};
    // Buffers for the rows' correlation ids, bound without a copy: they
    // stay unchanged until the statement has run.
    std::array<std::string, rows_per_insert> corrs;
    auto& corr = corrs[0];
    for (size_t i = 0; i < count;) {
      const auto& row = rows[i];
      const auto& t = info(row.table);
      // A run of rows of one table goes in `rows_per_insert` at a time: one
      // statement step for many rows. The audit log is chained row by row;
      // an upsert may replace rows, so its ids are not known in advance.
      size_t run = 0;
      if (row.table != table_id::audit_log && (t.corr_column || !t.upsert))
        while (run < rows_per_insert && i + run < count
               && rows[i + run].table == row.table)
          ++run;
      if (run == rows_per_insert) {
        auto& stmt = insert_statement(row.table, rows_per_insert);
        stmt.tryReset();
        int index = 1;
        for (size_t k = 0; k < run; ++k)
          bind_row(stmt, index, rows[i + k], t.corr_column != nullptr,
                   corrs[k]);
        stmt.exec();
        if (!t.corr_column)
          link_correlations(t.name, rows + i, corrs);
        i += run;
        continue;
      }
      ++i;
      auto& stmt = insert_statement(row.table);
      // Every parameter is bound below, so no clearBindings().
      stmt.tryReset();
      int index = 1;
      if (row.table == table_id::audit_log) {
        // Its place in the chain is known only now, in commit order.
        auto chained = row;
        chain_end = chain_audit_row(chained, chain_end);
        bind_row(stmt, index, chained, true, corr);
        stmt.exec();
        continue;
      }
      bind_row(stmt, index, row, t.corr_column != nullptr, corr);
      stmt.exec();
      if (!t.corr_column && !row.corr.empty())
        link_correlation(t.name, db_.getLastInsertRowid(), corr);
    }
    if (!set_last_write_)
      set_last_write_ = std::make_unique<SQLite::Statement>(
        db_, "INSERT OR REPLACE INTO argus_meta (key, value) "
             "VALUES ('last_write_ns', ?)");
    set_last_write_->tryReset();
    set_last_write_->bind(1, std::to_string(now_ns));
    set_last_write_->exec();
    if (chain_end.id != audit_end_->id)
      save_audit_chain_end(db_, chain_end);
    tx.commit();
    audit_end_ = std::move(chain_end);
    return caf::none;
  } catch (const SQLite::Exception& e) {
    // Statements may be mid-step after a failure; reset them so the next
    // attempt starts clean.
    // tryReset: reset() would rethrow the very error we are handling.
    for (auto& s : inserts_)
      if (s)
        s->tryReset();
    for (auto& s : batch_inserts_)
      if (s)
        s->tryReset();
    if (insert_corr_)
      insert_corr_->tryReset();
    if (set_last_write_)
      set_last_write_->tryReset();
    return storage_error(e.getErrorCode(), e.what());
  }
}

caf::expected<size_t> sqlite_store::delete_older_than(table_id table,
                                                      int64_t cutoff_ns,
                                                      size_t limit) {
  if (table == table_id::audit_log)
    return prune_audit_log(db_, cutoff_ns, limit);
  const auto& t = info(table);
  try {
    SQLite::Transaction tx{db_};
    // Every table has a rowid (`id INTEGER PRIMARY KEY` is an alias of it),
    // and `row_correlation` refers to rows by it.
    std::string key = "rowid";
    std::string select = std::string{"SELECT "} + key + " FROM " + t.name
                         + " WHERE " + t.time_column + " < ? LIMIT ?";
    SQLite::Statement query{db_, select};
    if (t.time == time_format::datetime_text)
      query.bind(1, sql_datetime(cutoff_ns));
    else
      query.bind(1, static_cast<int64_t>(cutoff_ns));
    query.bind(2, static_cast<int64_t>(limit));
    std::vector<int64_t> ids;
    while (query.executeStep())
      ids.push_back(query.getColumn(0).getInt64());
    SQLite::Statement del{db_, std::string{"DELETE FROM "} + t.name + " WHERE "
                                 + key + " = ?"};
    SQLite::Statement del_corr{
      db_, "DELETE FROM row_correlation WHERE table_name = ? AND row_id = ?"};
    for (auto id : ids) {
      del.reset();
      del.bind(1, static_cast<int64_t>(id));
      del.exec();
      if (!t.corr_column) {
        del_corr.reset();
        del_corr.bind(1, t.name);
        del_corr.bind(2, static_cast<int64_t>(id));
        del_corr.exec();
      }
    }
    tx.commit();
    return ids.size();
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  }
}

caf::error sqlite_store::set_max_size(uint64_t bytes) {
  try {
    auto page_size = db_.execAndGet("PRAGMA page_size").getInt64();
    // SQLite's own ceiling when unlimited.
    int64_t pages
      = bytes == 0
          ? 4294967294LL
          : std::max<int64_t>(1, static_cast<int64_t>(bytes) / page_size);
    db_.execAndGet("PRAGMA max_page_count = " + std::to_string(pages));
    opts_.max_size_bytes = bytes;
    return caf::none;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  }
}

caf::error sqlite_store::checkpoint() {
  try {
    // The first column is 1 when readers kept the log from being reset; it
    // is then truncated at a later checkpoint.
    db_.execAndGet("PRAGMA wal_checkpoint(TRUNCATE)");
    return caf::none;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  }
}

int sqlite_store::schema_version() {
  return db_.execAndGet("PRAGMA user_version").getInt();
}

} // namespace argus::storage
