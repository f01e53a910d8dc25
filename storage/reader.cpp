#include "storage/reader.hpp"

#include "messages/error.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Exception.h>

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace argus::storage {

db_reader::db_reader(const std::string& path)
    : path_(path), db_(path, SQLite::OPEN_READONLY, 1000) {
}

caf::expected<std::unique_ptr<db_reader>>
db_reader::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return caf::make_error(ec::storage_failure,
                           "database file '" + path + "' does not exist");
  try {
    std::unique_ptr<db_reader> r{new db_reader(path)};
    r->db_.execAndGet("PRAGMA schema_version");
    return r;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(),
                         "cannot open " + path + ": " + e.what());
  }
}

caf::expected<db_summary> db_reader::summary() {
  try {
    db_summary result;
    result.path = path_;
    result.schema_version = db_.execAndGet("PRAGMA user_version").getInt();
    result.latest_schema_version = latest_schema_version();
    result.journal_mode = db_.execAndGet("PRAGMA journal_mode").getString();
    for (const auto& t : all_tables()) {
      if (!db_.tableExists(t.name))
        continue;
      std::string name = t.name;
      // Counting stops one past the limit; a bigger table's size is the
      // span of its rowids (both ends of the rowid b-tree: two lookups).
      // Rows go in with increasing ids and retention takes the oldest, so
      // for an append-only table the span is the count (or close to it:
      // retention goes by time, ids by arrival); it is never below it, and
      // upserts leave gaps that make it an upper bound.
      auto counted
        = db_
            .execAndGet("SELECT count(*) FROM (SELECT 1 FROM " + name
                        + " LIMIT " + std::to_string(exact_row_limit + 1) + ")")
            .getInt64();
      if (counted <= exact_row_limit) {
        result.rows[name] = counted;
        continue;
      }
      SQLite::Statement span{
        db_, "SELECT (SELECT rowid FROM " + name
               + " ORDER BY rowid DESC LIMIT 1) - (SELECT rowid FROM " + name
               + " ORDER BY rowid LIMIT 1) + 1"};
      span.executeStep();
      result.rows[name] = std::max(span.getColumn(0).getInt64(), counted);
      result.estimated.insert(name);
    }
    if (db_.tableExists("argus_meta")) {
      SQLite::Statement q{db_, "SELECT value FROM argus_meta WHERE key = "
                               "'last_write_ns'"};
      if (q.executeStep())
        result.last_write_ns = std::stoll(q.getColumn(0).getString());
    }
    return result;
  } catch (const SQLite::Exception& e) {
    return storage_error(e.getErrorCode(), e.what());
  } catch (const std::exception& e) {
    return caf::make_error(ec::storage_failure, e.what());
  }
}

namespace detail {

nlohmann::json rows_as_json(SQLite::Statement& q,
                            std::initializer_list<const char*> json_columns) {
  nlohmann::json arr = nlohmann::json::array();
  while (q.executeStep()) {
    nlohmann::json row = nlohmann::json::object();
    for (int i = 0; i < q.getColumnCount(); ++i) {
      auto col = q.getColumn(i);
      std::string name = q.getColumnName(i);
      bool is_json = std::find_if(json_columns.begin(), json_columns.end(),
                                  [&](const char* c) {
                                    return name == c;
                                  })
                     != json_columns.end();
      if (col.isNull())
        row[name] = nullptr;
      else if (col.isInteger())
        row[name] = col.getInt64();
      else if (col.isFloat())
        row[name] = col.getDouble();
      else if (is_json)
        row[name] = nlohmann::json::parse(col.getString(), nullptr, false);
      else
        row[name] = col.getString();
    }
    arr.push_back(std::move(row));
  }
  return arr;
}

} // namespace detail

} // namespace argus::storage
