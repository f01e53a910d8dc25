#include "storage/audit.hpp"

#include "messages/digest.hpp"
#include "storage/reader.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <cstdio>
#include <optional>

#include <sqlite3.h>

namespace argus::storage {

namespace {

// Value positions in an `audit_log` row (`table_info::columns`).
constexpr size_t id_index = 0;
constexpr size_t hashed_values = 14; // id .. detail
constexpr size_t prev_hash_index = 14;
constexpr size_t hash_index = 15;

constexpr const char* select_columns
  = "SELECT id, correlation_id, time_ns, event, principal, role, method, "
    "route, path, status, bytes_in, bytes_out, duration_ns, peer, detail, "
    "prev_hash, hash FROM audit_log";

db_value text_or_null(const std::string& x) {
  return x.empty() ? db_value::null() : db_value::of(x);
}

db_value column_value(const SQLite::Column& c) {
  switch (c.getType()) {
    case SQLITE_INTEGER:
      return db_value::of(static_cast<int64_t>(c.getInt64()));
    case SQLITE_FLOAT:
      return db_value::of(c.getDouble());
    case SQLITE_NULL:
      return db_value::null();
    default:
      return db_value::of(c.getString());
  }
}

/// A stored row as the writer built it: the correlation id apart, then the
/// values in column order.
db_row stored_row(SQLite::Statement& q) {
  db_row row;
  row.table = table_id::audit_log;
  row.values.push_back(column_value(q.getColumn(0)));
  for (int i = 2; i < 17; ++i)
    row.values.push_back(column_value(q.getColumn(i)));
  return row;
}

std::string meta(SQLite::Database& db, const char* key) {
  SQLite::Statement q{db, "SELECT value FROM argus_meta WHERE key = ?"};
  q.bind(1, key);
  return q.executeStep() && !q.getColumn(0).isNull()
           ? q.getColumn(0).getString()
           : std::string{};
}

void set_meta(SQLite::Database& db, const char* key, const std::string& value) {
  SQLite::Statement q{db, "INSERT OR REPLACE INTO argus_meta (key, value) "
                          "VALUES (?, ?)"};
  q.bind(1, key);
  q.bind(2, value);
  q.exec();
}

/// @returns the link `text` (`<id> <hash>`) names, if it names one.
std::optional<audit_link> parse_link(const std::string& text) {
  auto space = text.find(' ');
  if (space == std::string::npos || space == 0)
    return std::nullopt;
  audit_link result;
  try {
    result.id = std::stoll(text.substr(0, space));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  result.hash = text.substr(space + 1);
  return result;
}

/// Where the chain starts: after the last row retention removed, or at the
/// genesis.
audit_link chain_start(SQLite::Database& db) {
  auto through = meta(db, "audit_pruned_through");
  if (through.empty())
    return {0, audit_genesis()};
  return {std::stoll(through), meta(db, "audit_pruned_hash")};
}

std::string cell(const db_value& v) {
  return v.kind == db_value::kind_t::text ? v.text : std::string{};
}

int64_t number(const db_value& v) {
  return v.kind == db_value::kind_t::integer ? v.integer : 0;
}

} // namespace

db_row to_row(const audit_record& x) {
  db_row row;
  row.table = table_id::audit_log;
  row.corr = x.corr;
  row.values = {db_value::null(), // id, the writer's
                db_value::of(static_cast<int64_t>(x.time_ns)),
                db_value::of(x.event),
                text_or_null(x.principal),
                text_or_null(x.role),
                text_or_null(x.method),
                text_or_null(x.route),
                text_or_null(x.path),
                db_value::of(static_cast<int64_t>(x.status)),
                db_value::of(static_cast<int64_t>(x.bytes_in)),
                db_value::of(static_cast<int64_t>(x.bytes_out)),
                db_value::of(static_cast<int64_t>(x.duration_ns)),
                text_or_null(x.peer),
                text_or_null(x.detail),
                db_value::null(),  // prev_hash, the writer's
                db_value::null()}; // hash, the writer's
  return row;
}

const std::string& audit_genesis() {
  static const auto* genesis = new std::string(64, '0');
  return *genesis;
}

std::string audit_hash(const std::string& prev_hash, std::string_view corr,
                       const db_row& row) {
  std::string text;
  text.reserve(256);
  auto add_text = [&text](char tag, std::string_view x) {
    text += tag;
    text += std::to_string(x.size());
    text += ':';
    text += x;
  };
  text += prev_hash;
  text += '\n';
  add_text('c', corr);
  for (size_t i = 0; i < hashed_values && i < row.values.size(); ++i) {
    const auto& v = row.values[i];
    switch (v.kind) {
      case db_value::kind_t::null:
        text += 'n';
        break;
      case db_value::kind_t::integer:
        add_text('i', std::to_string(v.integer));
        break;
      case db_value::kind_t::real: {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.17g", v.real);
        add_text('r', buf);
        break;
      }
      case db_value::kind_t::text:
        add_text('t', v.text);
        break;
    }
  }
  return to_hex(sha256(text));
}

audit_link chain_audit_row(db_row& row, const audit_link& prev) {
  audit_link next{prev.id + 1, {}};
  row.values.resize(hash_index + 1);
  row.values[id_index] = db_value::of(static_cast<int64_t>(next.id));
  row.values[prev_hash_index] = db_value::of(prev.hash);
  next.hash = audit_hash(prev.hash, row.corr.view(), row);
  row.values[hash_index] = db_value::of(next.hash);
  return next;
}

audit_link audit_chain_end(SQLite::Database& db) {
  if (auto recorded = parse_link(meta(db, "audit_head")))
    return *recorded;
  SQLite::Statement q{
    db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"};
  if (q.executeStep())
    return {q.getColumn(0).getInt64(), q.getColumn(1).getString()};
  return chain_start(db);
}

void save_audit_chain_end(SQLite::Database& db, const audit_link& end) {
  set_meta(db, "audit_head", std::to_string(end.id) + " " + end.hash);
}

caf::expected<size_t> prune_audit_log(SQLite::Database& db, int64_t cutoff_ns,
                                      size_t limit) {
  return detail::guarded([&]() -> size_t {
    SQLite::Statement q{db, "SELECT id, hash, time_ns FROM audit_log "
                            "ORDER BY id LIMIT ?"};
    q.bind(1, static_cast<int64_t>(limit));
    // Only a prefix of the chain may go: stop at the first row to keep.
    audit_link last;
    size_t count = 0;
    while (q.executeStep()) {
      if (q.getColumn(2).getInt64() >= cutoff_ns)
        break;
      last = {q.getColumn(0).getInt64(), q.getColumn(1).getString()};
      ++count;
    }
    q.reset();
    if (count == 0)
      return 0;
    SQLite::Transaction tx{db};
    set_meta(db, "audit_pruned_through", std::to_string(last.id));
    set_meta(db, "audit_pruned_hash", last.hash);
    SQLite::Statement del{db, "DELETE FROM audit_log WHERE id <= ?"};
    del.bind(1, static_cast<int64_t>(last.id));
    del.exec();
    tx.commit();
    return count;
  });
}

caf::expected<audit_verification> verify_audit_log(SQLite::Database& db,
                                                   size_t max_problems) {
  return detail::guarded([&] {
    audit_verification result;
    auto problem = [&](std::string text) {
      ++result.breaks;
      if (result.problems.size() < max_problems)
        result.problems.push_back(std::move(text));
    };
    result.start = chain_start(db);
    auto prev = result.start;
    SQLite::Statement q{db, std::string{select_columns} + " ORDER BY id"};
    while (q.executeStep()) {
      auto row = stored_row(q);
      auto corr
        = q.getColumn(1).isNull() ? std::string{} : q.getColumn(1).getString();
      auto id = number(row.values[id_index]);
      if (result.rows == 0)
        result.first_id = id;
      ++result.rows;
      result.last_id = id;
      if (id != prev.id + 1)
        problem(id > prev.id + 1
                  ? "rows " + std::to_string(prev.id + 1) + ".."
                      + std::to_string(id - 1) + " are missing"
                  : "row " + std::to_string(id) + " is out of order");
      auto stored_prev = cell(row.values[prev_hash_index]);
      auto stored_hash = cell(row.values[hash_index]);
      if (stored_prev != prev.hash)
        problem("row " + std::to_string(id)
                + " does not chain to the row before it (prev_hash "
                + stored_prev.substr(0, 12) + "…, expected "
                + prev.hash.substr(0, 12) + "…)");
      // The hash covers what the row says, so an edited column shows here
      // even when its prev_hash still matches.
      if (audit_hash(stored_prev, corr, row) != stored_hash)
        problem("row " + std::to_string(id)
                + " was changed after it was written (its hash does not "
                  "match its contents)");
      prev = {id, stored_hash};
    }
    if (auto recorded = parse_link(meta(db, "audit_head"))) {
      result.head = *recorded;
      if (recorded->id != prev.id || recorded->hash != prev.hash)
        problem(
          recorded->id > prev.id
            ? "rows " + std::to_string(prev.id + 1) + ".."
                + std::to_string(recorded->id) + " were deleted from the end"
            : "the chain ends at row " + std::to_string(prev.id)
                + ", not at the recorded end " + std::to_string(recorded->id));
    } else {
      result.head = prev;
      if (result.rows > 0)
        problem("the chain's recorded end (argus_meta audit_head) is missing");
    }
    return result;
  });
}

caf::expected<std::vector<audit_entry>> audit_entries(SQLite::Database& db,
                                                      const audit_query& q) {
  return detail::guarded([&] {
    std::string sql = std::string{select_columns} + " WHERE time_ns >= ?";
    if (q.until_ns > 0)
      sql += " AND time_ns <= ?";
    if (!q.principal.empty())
      sql += " AND principal = ?";
    if (!q.event.empty())
      sql += " AND event = ?";
    if (q.status >= 100)
      sql += " AND status = ?";
    else if (q.status > 0)
      sql += " AND status / 100 = ?";
    if (q.before_id > 0)
      sql += " AND id < ?";
    sql += " ORDER BY id DESC LIMIT ?";
    SQLite::Statement stmt{db, sql};
    int i = 1;
    stmt.bind(i++, static_cast<int64_t>(q.since_ns));
    if (q.until_ns > 0)
      stmt.bind(i++, static_cast<int64_t>(q.until_ns));
    if (!q.principal.empty())
      stmt.bind(i++, q.principal);
    if (!q.event.empty())
      stmt.bind(i++, q.event);
    if (q.status > 0)
      stmt.bind(i++, q.status);
    if (q.before_id > 0)
      stmt.bind(i++, static_cast<int64_t>(q.before_id));
    stmt.bind(i++, static_cast<int64_t>(q.limit));
    std::vector<audit_entry> result;
    while (stmt.executeStep()) {
      auto row = stored_row(stmt);
      audit_entry e;
      e.id = number(row.values[0]);
      e.correlation_id
        = stmt.getColumn(1).isNull() ? "" : stmt.getColumn(1).getString();
      auto& r = e.record;
      r.time_ns = number(row.values[1]);
      r.event = cell(row.values[2]);
      r.principal = cell(row.values[3]);
      r.role = cell(row.values[4]);
      r.method = cell(row.values[5]);
      r.route = cell(row.values[6]);
      r.path = cell(row.values[7]);
      r.status = static_cast<int>(number(row.values[8]));
      r.bytes_in = static_cast<uint64_t>(number(row.values[9]));
      r.bytes_out = static_cast<uint64_t>(number(row.values[10]));
      r.duration_ns = number(row.values[11]);
      r.peer = cell(row.values[12]);
      r.detail = cell(row.values[13]);
      e.prev_hash = cell(row.values[14]);
      e.hash = cell(row.values[15]);
      result.push_back(std::move(e));
    }
    return result;
  });
}

} // namespace argus::storage
