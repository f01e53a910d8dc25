#include "storage/storage_writer.hpp"

#include "messages/error.hpp"
#include "storage/rows.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/typed_event_based_actor.hpp>
#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
#include "tests/support/fixture.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t t0 = 1'700'000'000'000'000'000;

storage_writer_config make_config(const std::string& path) {
  storage_writer_config cfg;
  cfg.db.path = path;
  cfg.db.busy_timeout = std::chrono::milliseconds{50};
  cfg.batch_max_rows = 10;
  cfg.max_pending_rows = 25;
  return cfg;
}

std::vector<db_row> rows(int n) {
  std::vector<db_row> result;
  for (int i = 0; i < n; ++i) {
    auto x = test::sample_regime_recorded();
    x.time_ns = t0 + i;
    result.push_back(to_row(x));
  }
  return result;
}

int64_t committed_in_db(const std::string& path) {
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  return db.execAndGet("SELECT count(*) FROM regime_tracking").getInt64();
}

} // namespace

TEST_CASE("storage_writer keeps rows pending until a commit makes them "
          "durable") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  storage_writer_state st;
  REQUIRE(!st.init(make_config(path), nullptr, t0));
  CHECK(st.add(rows(5), t0) == 0);
  CHECK(!st.batch_full());
  CHECK(st.oldest_pending_ns == t0);
  CHECK(committed_in_db(path) == 0);
  REQUIRE(!st.commit(t0 + 1));
  CHECK(committed_in_db(path) == 5);
  CHECK(st.committed_rows == 5);
  CHECK(st.pending.empty());
  CHECK(st.oldest_pending_ns == 0);
  st.add(rows(10), t0);
  CHECK(st.batch_full());
}

TEST_CASE("storage_writer drops and counts rows beyond its pending limit") {
  test::temp_dir dir;
  storage_writer_state st;
  REQUIRE(!st.init(make_config(dir.file("w.db")), nullptr, t0));
  CHECK(st.add(rows(20), t0) == 0);
  CHECK(st.add(rows(20), t0) == 15);
  CHECK(st.pending.size() == 25);
  CHECK(st.dropped_rows == 15);
  CHECK(st.received_rows == 40);
  auto status = st.status(message_header{});
  CHECK(status.counters.at("dropped_rows") == 15);
  auto accounted = status.counters.at("pending_rows")
                   + status.counters.at("dropped_rows")
                   + status.counters.at("committed_rows");
  CHECK(status.counters.at("received_rows") == accounted);
}

TEST_CASE("storage_writer reports itself degraded while SQLite fails and "
          "recovers without losing rows") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  storage_writer_state st;
  REQUIRE(!st.init(make_config(path), nullptr, t0));
  st.add(rows(8), t0);
  {
    SQLite::Database other{path, SQLite::OPEN_READWRITE};
    other.exec("BEGIN EXCLUSIVE");
    auto err = st.commit(t0);
    REQUIRE(err);
    CHECK(err == ec::storage_busy);
    CHECK(st.pending.size() == 8);
    CHECK(st.failed_commits == 1);
    CHECK(st.status(message_header{}).state == component_state::degraded);
    other.exec("ROLLBACK");
  }
  REQUIRE(!st.commit(t0));
  CHECK(committed_in_db(path) == 8);
  CHECK(st.status(message_header{}).state == component_state::running);
}

TEST_CASE("storage_writer sets a row SQLite refuses aside and commits every "
          "other row of its batch") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  storage_writer_state st;
  REQUIRE(!st.init(make_config(path), nullptr, t0));
  auto batch = rows(9);
  // metric_points.name is NOT NULL: SQLite refuses this row whatever happens.
  metric_point point;
  point.name = "latency";
  point.window = "1m";
  auto poison = to_row(point);
  REQUIRE(poison.table == table_id::metric_points);
  poison.values[0] = db_value::null();
  batch.insert(batch.begin() + 4, poison);
  // And one with a value missing.
  auto short_row = to_row(test::sample_regime_recorded());
  short_row.values.pop_back();
  batch.push_back(short_row);
  st.add(std::move(batch), t0);
  REQUIRE(!st.commit(t0));
  CHECK(committed_in_db(path) == 9);
  CHECK(st.pending.empty());
  CHECK(st.rejected_rows == 2);
  CHECK(st.committed_rows == 9);
  CHECK(st.status(message_header{}).counters.at("rejected_rows") == 2);
  auto lost = st.lost_since_flush();
  REQUIRE(lost);
  CHECK(lost == ec::row_rejected);
  auto text = describe(lost);
  CHECK(text.find("2 rows refused") != std::string::npos);
  CHECK(text.find("metric_points") != std::string::npos);
  CHECK(text.find("NOT NULL") != std::string::npos);
  // Counted once: the next flush is clean.
  CHECK(!st.lost_since_flush());
}

TEST_CASE("storage_writer takes a backlog chunk by chunk as space returns") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  auto cfg = make_config(path);
  cfg.max_pending_rows = 100'000;
  cfg.batch_max_rows = 100;
  storage_writer_state st;
  REQUIRE(!st.init(cfg, nullptr, t0));
  // Fill a small budget (the empty schema takes about half of it), then
  // keep a backlog that does not fit.
  REQUIRE(!st.store->set_max_size(1024 * 1024));
  caf::error err;
  for (int round = 0; round < 1000 && !err; ++round) {
    st.add(rows(100), t0);
    err = st.commit(t0);
  }
  REQUIRE(err);
  CHECK(err == ec::storage_full);
  CHECK(committed_in_db(path) > 0);
  CHECK(st.status(message_header{}).state == component_state::degraded);
  st.add(rows(5000), t0);
  CHECK(st.commit(t0) == ec::storage_full);
  auto before = committed_in_db(path);
  auto backlog = st.pending.size();
  // A little space comes back, far less than the backlog needs: what fits
  // goes in at once instead of waiting for room for all of it.
  REQUIRE(!st.store->set_max_size(1024 * 1024 + 64 * 1024));
  CHECK(st.commit(t0) == ec::storage_full);
  auto after = committed_in_db(path);
  CHECK(after > before);
  CHECK(st.pending.size() == backlog - static_cast<size_t>(after - before));
  CHECK(st.pending.size() > 0);
  // Then all of it, and the writer is healthy again.
  REQUIRE(!st.store->set_max_size(0));
  REQUIRE(!st.commit(t0));
  CHECK(st.pending.empty());
  CHECK(committed_in_db(path) == before + static_cast<int64_t>(backlog));
  CHECK(st.status(message_header{}).state == component_state::running);
  SQLite::Database db{path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("storage_writer actor commits what is pending when it is told to "
          "exit, and its state's destructor writes nothing") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  {
    storage_writer_state st;
    REQUIRE(!st.init(make_config(path), nullptr, t0));
    st.add(rows(3), t0);
  }
  CHECK(committed_in_db(path) == 0);
  test::deterministic_fixture fx;
  auto cfg = make_config(path);
  cfg.batch_max_rows = 1000;
  auto writer
    = fx.sys.spawn(storage_writer, cfg, std::shared_ptr<spdlog::logger>{});
  fx.run();
  fx.self->send(writer, persist_rows{message_header{}, rows(4)});
  fx.run();
  CHECK(committed_in_db(path) == 0);
  fx.self->send_exit(writer, caf::exit_reason::user_shutdown);
  fx.run();
  CHECK(committed_in_db(path) == 4);
}

TEST_CASE("storage_writer retention runs once per interval") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  auto cfg = make_config(path);
  cfg.retention[table_id::regime_tracking] = std::chrono::seconds{60};
  cfg.retention_interval = std::chrono::seconds{10};
  storage_writer_state st;
  REQUIRE(!st.init(cfg, nullptr, t0));
  st.add(rows(5), t0); // timestamps ~t0
  REQUIRE(!st.commit(t0));
  constexpr int64_t sec = 1'000'000'000;
  st.retention_step(t0 + 5 * sec); // interval not yet passed
  CHECK(committed_in_db(path) == 5);
  st.retention_step(t0 + 61 * sec);
  CHECK(committed_in_db(path) == 0);
  CHECK(st.retention_deleted_rows == 5);
}

TEST_CASE("storage_writer actor acknowledges a flush only after COMMIT") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  test::deterministic_fixture fx;
  auto cfg = make_config(path);
  cfg.batch_max_rows = 1000; // only the flush commits
  auto writer
    = fx.sys.spawn(storage_writer, cfg, std::shared_ptr<spdlog::logger>{});
  fx.run();
  fx.self->send(writer, persist_rows{message_header{}, rows(7)});
  fx.run();
  CHECK(committed_in_db(path) == 0);
  auto corr = *correlation_id::parse("flush-1");
  fx.self->send(writer, atom::flush_v, message_header{corr, 0});
  fx.run();
  bool acked = false;
  fx.self->receive(
    [&](flush_ack& ack) {
      acked = true;
      CHECK(ack.committed_rows == 7);
      CHECK(ack.hdr.corr == corr);
      CHECK(committed_in_db(path) == 7);
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(acked);
  fx.self->send_exit(writer, caf::exit_reason::user_shutdown);
  fx.run();
}

TEST_CASE("storage_writer actor does not acknowledge a flush covering rows "
          "it dropped past its pending limit, and says how many") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  test::deterministic_fixture fx;
  auto cfg = make_config(path);
  cfg.batch_max_rows = 1000; // nothing commits before the flush
  auto writer
    = fx.sys.spawn(storage_writer, cfg, std::shared_ptr<spdlog::logger>{});
  fx.run();
  fx.self->send(writer, persist_rows{message_header{}, rows(20)});
  fx.self->send(writer, persist_rows{message_header{}, rows(20)});
  fx.run();
  // The replies to the two persists say 20 and 5 rows were taken.
  std::vector<uint64_t> taken;
  for (int i = 0; i < 2; ++i)
    fx.self->receive(
      [&](uint64_t n) {
        taken.push_back(n);
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(taken == std::vector<uint64_t>{20, 5});
  auto flush = [&] {
    fx.self->send(writer, atom::flush_v, message_header{});
    fx.run();
    caf::expected<flush_ack> result{caf::make_error(ec::timeout)};
    fx.self->receive(
      [&](flush_ack& ack) {
        result = ack;
      },
      [&](caf::error& err) {
        result = err;
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
    return result;
  };
  auto first = flush();
  REQUIRE(!first);
  CHECK(first.error() == ec::storage_full);
  CHECK(fx.sys.render(first.error()).find("15 rows dropped")
        != std::string::npos);
  // What it held is committed all the same.
  CHECK(committed_in_db(path) == 25);
  // The next flush covers no dropped row: acknowledged.
  fx.self->send(writer, persist_rows{message_header{}, rows(3)});
  fx.run();
  fx.self->receive([](uint64_t) {},
                   caf::after(std::chrono::seconds(0)) >> [] {});
  auto second = flush();
  REQUIRE(second);
  CHECK(second->committed_rows == 28);
  fx.self->send_exit(writer, caf::exit_reason::user_shutdown);
  fx.run();
}

TEST_CASE("storage_writer actor commits by size and on its tick") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  test::deterministic_fixture fx;
  auto cfg = make_config(path);
  cfg.max_pending_rows = 1000;
  auto writer
    = fx.sys.spawn(storage_writer, cfg, std::shared_ptr<spdlog::logger>{});
  fx.run();
  fx.self->send(writer, persist_rows{message_header{}, rows(12)});
  fx.run();
  CHECK(committed_in_db(path) == 12); // over batch_max_rows: at once
  fx.self->send(writer, persist_rows{message_header{}, rows(3)});
  fx.run();
  CHECK(committed_in_db(path) == 12);
  fx.advance(cfg.batch_interval);
  CHECK(committed_in_db(path) == 15);
  fx.self->send_exit(writer, caf::exit_reason::user_shutdown);
  fx.run();
}

TEST_CASE("storage_writer actor answers a flush with an error while the "
          "database is locked") {
  test::temp_dir dir;
  auto path = dir.file("w.db");
  test::deterministic_fixture fx;
  auto writer = fx.sys.spawn(storage_writer, make_config(path),
                             std::shared_ptr<spdlog::logger>{});
  fx.run();
  fx.self->send(writer, persist_rows{message_header{}, rows(2)});
  fx.run();
  SQLite::Database other{path, SQLite::OPEN_READWRITE};
  other.exec("BEGIN EXCLUSIVE");
  fx.self->send(writer, atom::flush_v, message_header{});
  fx.run();
  bool failed = false;
  fx.self->receive(
    [&](flush_ack&) {
      FAIL("acknowledged while locked");
    },
    [&](caf::error& err) {
      failed = true;
      CHECK(err == ec::storage_busy);
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(failed);
  other.exec("ROLLBACK");
  fx.self->send(writer, atom::flush_v, message_header{});
  fx.run();
  bool acked = false;
  fx.self->receive(
    [&](flush_ack& ack) {
      acked = true;
      CHECK(ack.committed_rows == 2);
    },
    caf::after(std::chrono::seconds(0)) >> [] {});
  CHECK(acked);
  fx.self->send_exit(writer, caf::exit_reason::user_shutdown);
  fx.run();
}
