#pragma once

// A real SQLite file with the current schema, written the way the storage
// writer writes it, and read back through the read-only readers.

#include "storage/reader.hpp"
#include "storage/sqlite_store.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace argus::test {

struct database_fixture {
  temp_dir dir;
  std::string path = dir.file("readers.db");
  std::unique_ptr<storage::sqlite_store> store;

  database_fixture() {
    storage::writer_options opts;
    opts.path = path;
    auto s = storage::sqlite_store::open(opts);
    REQUIRE_MESSAGE(s, to_string(s.error()));
    store = std::move(*s);
  }

  /// Commits `rows` in one transaction, as of `now_ns`.
  void write(const std::vector<db_row>& rows, int64_t now_ns = 1) {
    auto err = store->write(rows, now_ns);
    REQUIRE_MESSAGE(!err, to_string(err));
  }

  std::unique_ptr<storage::db_reader> reader() {
    auto r = storage::db_reader::open(path);
    REQUIRE_MESSAGE(r, to_string(r.error()));
    return std::move(*r);
  }
};

} // namespace argus::test
