#include "actors/metrics_dashboard/trading_store.hpp"

#include "actors/metrics_dashboard/views.hpp"
#include "storage/rows.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include "tests/support/database.hpp"

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t t0 = 1'790'845'200 * sec;

trade_executed fill(int i, int64_t time_ns) {
  trade_executed x;
  x.trade_id = "t" + std::to_string(i);
  x.symbol = i % 3 == 0 ? "BTCUSDT" : "ETHUSDT";
  x.side = i % 2 ? trade_side::sell : trade_side::buy;
  x.quantity = 0.5 + i % 4;
  x.price = 100 + i % 7;
  x.fee = 0.01 * (i % 5);
  x.realized_pnl = i % 2 ? static_cast<double>(i % 9) - 4 : 0;
  x.strategy_tag = i % 4 ? "momentum" : "mean_revert";
  x.time_ns = time_ns;
  return x;
}

std::string shown(const trading_book& book) {
  return performance_json(book.overall(), book.by_symbol(), book.by_tag())
    .dump();
}

/// A dashboard's book and the database it persists to, side by side.
struct running_book {
  test::database_fixture fx;
  trading_book book;

  void add(const trade_executed& x) {
    book.add(x);
    fx.write({storage::to_row(x)});
  }

  void save() {
    fx.write({trading_state_row(book, t0)});
  }

  int64_t query(const char* sql) {
    SQLite::Database db{fx.path, SQLite::OPEN_READONLY};
    return db.execAndGet(sql).getInt64();
  }

  trading_load load(trading_book& into) {
    auto r = fx.reader();
    auto loaded = load_trading(*r, into);
    REQUIRE(loaded);
    return *loaded;
  }
};

} // namespace

TEST_CASE("a start reads the stored trading state and only the fills after "
          "it, and shows what the running book showed") {
  running_book run;
  // A day of fills a minute apart, the state stored midway.
  int64_t frontier = 0;
  for (int i = 0; i < 1440; ++i) {
    run.add(fill(i, t0 + i * 60 * sec));
    if (i == 1000) {
      run.save();
      frontier = run.book.frontier_ns();
    }
  }
  // The fills the state had not folded in (held, within the window) and
  // those after it.
  auto unseen = static_cast<uint64_t>(1439 - (frontier - t0) / (60 * sec));
  CHECK(unseen < 445);
  // After the last state: fills in order, one out of order inside the
  // window, one later than the window (older than the state's frontier).
  run.add(fill(2000, t0 + 1439 * 60 * sec + 30 * sec));
  run.add(fill(2001, t0 + 1439 * 60 * sec + 10 * sec));
  run.add(fill(2002, t0 + 500 * 60 * sec + 1));
  REQUIRE(run.book.late() == 1);
  trading_book restored;
  auto loaded = run.load(restored);
  CHECK(loaded.from_state);
  // Not the day: what the state had not seen, and the three after it.
  CHECK(loaded.fills_read == unseen + 3);
  CHECK(restored.fills() == run.book.fills());
  CHECK(restored.late() == run.book.late());
  CHECK(shown(restored) == shown(run.book));
}

TEST_CASE("without a stored trading state, or with one kept on another "
          "starting capital, a start reads every fill") {
  running_book run;
  for (int i = 0; i < 300; ++i)
    run.add(fill(i, t0 + i * 60 * sec));
  {
    trading_book restored;
    auto loaded = run.load(restored);
    CHECK(!loaded.from_state);
    CHECK(loaded.fills_read == 300);
    CHECK(shown(restored) == shown(run.book));
  }
  run.save();
  trading_options other;
  other.starting_capital = 50000;
  trading_book richer{other};
  auto loaded = run.load(richer);
  CHECK(!loaded.from_state);
  CHECK(loaded.fills_read == 300);
  trading_book expected{other};
  for (int i = 0; i < 300; ++i)
    expected.add(fill(i, t0 + i * 60 * sec));
  CHECK(shown(richer) == shown(expected));
}

TEST_CASE("the stored trading state records the newest trade row it has "
          "seen, whichever order the rows reach the database") {
  running_book run;
  for (int i = 0; i < 10; ++i)
    run.add(fill(i, t0 + i * sec));
  run.save();
  CHECK(run.query("SELECT covered_trade_id FROM trading_state")
        == run.query("SELECT max(id) FROM trades"));
  run.add(fill(10, t0 + 10 * sec));
  run.save();
  CHECK(run.query("SELECT covered_trade_id FROM trading_state")
        == run.query("SELECT max(id) FROM trades"));
  CHECK(run.query("SELECT count(*) FROM trading_state") == 1);
}
