#include "actors/metrics_dashboard/trading_performance.hpp"

#include "actors/metrics_dashboard/views.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using nlohmann::json;

namespace {

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t day = 86'400 * sec;

/// Six weeks of a bot trading three symbols with two strategies: round
/// trips that win and lose, quiet days, a losing streak (the drawdown) in
/// the middle, and positions left open at the end.
std::vector<trade_executed> sample_fills() {
  std::mt19937_64 rng{77};
  std::uniform_real_distribution<double> unit{0, 1};
  const char* symbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  const double prices[] = {30000, 2000, 60};
  std::vector<trade_executed> xs;
  // 2026-10-01 09:00 UTC, a Thursday.
  const int64_t t0 = 1'790'845'200 * sec;
  int n = 0;
  for (int d = 0; d < 42; ++d) {
    if (d % 6 == 5)
      continue; // a quiet day
    int trips = 1 + static_cast<int>(unit(rng) * 3);
    for (int k = 0; k < trips; ++k) {
      auto s = static_cast<size_t>(unit(rng) * 3);
      auto qty = 0.1 + unit(rng);
      auto entry = prices[s] * (0.9 + 0.2 * unit(rng));
      // Days 15-21 are a losing streak.
      double edge = (d >= 15 && d <= 21) ? -0.03 : 0.004;
      auto exit_price = entry * (1 + edge + 0.02 * (unit(rng) - 0.5));
      auto t = t0 + d * day + k * 3600 * sec;
      trade_executed open;
      open.trade_id = "t" + std::to_string(++n);
      open.symbol = symbols[s];
      open.side = trade_side::buy;
      open.quantity = qty;
      open.price = entry;
      open.fee = qty * entry * 0.001;
      open.strategy_tag = (s == 2) ? "mean_revert" : "momentum";
      open.time_ns = t;
      auto close = open;
      close.trade_id = "t" + std::to_string(++n);
      close.side = trade_side::sell;
      close.price = exit_price;
      close.fee = qty * exit_price * 0.001;
      close.realized_pnl = qty * (exit_price - entry);
      close.exit_reason = close.realized_pnl > 0 ? "take_profit" : "stop_loss";
      close.time_ns = t + 1800 * sec;
      xs.push_back(open);
      xs.push_back(close);
    }
  }
  // Open positions at the end: a long that grew, a short.
  trade_executed long_open;
  long_open.symbol = "BTCUSDT";
  long_open.side = trade_side::buy;
  long_open.quantity = 0.5;
  long_open.price = 31000;
  long_open.fee = 15.5;
  long_open.strategy_tag = "momentum";
  long_open.time_ns = t0 + 42 * day;
  auto long_add = long_open;
  long_add.quantity = 0.25;
  long_add.price = 31600;
  long_add.time_ns += 600 * sec;
  trade_executed short_open = long_open;
  short_open.symbol = "ETHUSDT";
  short_open.side = trade_side::sell;
  short_open.quantity = 3;
  short_open.price = 2100;
  short_open.time_ns += 1200 * sec;
  xs.push_back(long_open);
  xs.push_back(long_add);
  xs.push_back(short_open);
  return xs;
}

json to_json(const trade_executed& x) {
  return {{"symbol", x.symbol},
          {"side", x.side == trade_side::buy ? "buy" : "sell"},
          {"quantity", x.quantity},
          {"price", x.price},
          {"fee", x.fee},
          {"realized_pnl", x.realized_pnl},
          {"strategy_tag", x.strategy_tag},
          {"exit_reason", x.exit_reason},
          {"time_ns", x.time_ns}};
}

void check_close(double ours, const json& theirs, const char* what) {
  CAPTURE(what);
  if (theirs.is_null()) {
    CHECK(std::isnan(ours));
    return;
  }
  auto t = theirs.get<double>();
  CHECK(ours == doctest::Approx(t).epsilon(1e-9).scale(1e-6));
}

void check_figures(const trading_figures& f, const json& o) {
  CHECK(f.fills == o["fills"].get<uint64_t>());
  CHECK(f.closed_trades == o["closed_trades"].get<uint64_t>());
  CHECK(f.wins == o["wins"].get<uint64_t>());
  CHECK(f.losses == o["losses"].get<uint64_t>());
  CHECK(f.days == o["days"].get<size_t>());
  CHECK(f.max_drawdown_duration_ns
        == o["max_drawdown_duration_ns"].get<int64_t>());
  check_close(f.realized_pnl, o["realized_pnl"], "realized_pnl");
  check_close(f.fees, o["fees"], "fees");
  check_close(f.unrealized_pnl, o["unrealized_pnl"], "unrealized_pnl");
  check_close(f.win_rate, o["win_rate"], "win_rate");
  check_close(f.profit_factor, o["profit_factor"], "profit_factor");
  check_close(f.expectancy, o["expectancy"], "expectancy");
  check_close(f.average_win, o["average_win"], "average_win");
  check_close(f.average_loss, o["average_loss"], "average_loss");
  check_close(f.max_drawdown, o["max_drawdown"], "max_drawdown");
  check_close(f.max_drawdown_pct, o["max_drawdown_pct"], "max_drawdown_pct");
  check_close(f.current_drawdown, o["current_drawdown"], "current_drawdown");
  check_close(f.current_drawdown_pct, o["current_drawdown_pct"],
              "current_drawdown_pct");
  check_close(f.sharpe, o["sharpe"], "sharpe");
  check_close(f.sortino, o["sortino"], "sortino");
  check_close(f.cagr, o["cagr"], "cagr");
  check_close(f.calmar, o["calmar"], "calmar");
  check_close(f.exposure, o["exposure"], "exposure");
  auto check_table
    = [](const std::map<std::string, double>& ours, const json& theirs) {
        CHECK(ours.size() == theirs.size());
        for (const auto& [k, v] : ours) {
          CAPTURE(k);
          REQUIRE(theirs.contains(k));
          check_close(v, theirs[k], "calendar pnl");
        }
      };
  check_table(f.pnl_by_day, o["pnl_by_day"]);
  check_table(f.pnl_by_week, o["pnl_by_week"]);
  check_table(f.pnl_by_month, o["pnl_by_month"]);
}

} // namespace

TEST_CASE("calendar keys: UTC day, ISO week, month") {
  // 2026-11-22 is a Sunday in ISO week 47.
  const int64_t t = 1'795'305'600 * sec + 3600 * sec;
  CHECK(utc_day(t) == "2026-11-22");
  CHECK(iso_week(t) == "2026-W47");
  CHECK(utc_month(t) == "2026-11");
  // 2027-01-01 (a Friday) still belongs to 2026's week 53.
  CHECK(iso_week(1'798'761'600 * sec) == "2026-W53");
  CHECK(utc_day(1'798'761'600 * sec - 1) == "2026-12-31");
}

TEST_CASE("trading figures equal an independent computation (Python, "
          "datetime and statistics) for a fixed fill series") {
  auto fills = sample_fills();
  trading_options opts;
  opts.starting_capital = 10000;
  opts.periods_per_year = 365;
  test::temp_dir dir;
  std::string lines;
  for (const auto& x : fills)
    lines += to_json(x).dump() + "\n";
  auto path = dir.write("fills.jsonl", lines);
  auto r = test::run({"/usr/bin/python3",
                      ARGUS_SOURCE_DIR "/tests/oracles/trading_figures.py",
                      path, "10000", "365"});
  REQUIRE_MESSAGE(r.code == 0, r.err);
  auto oracle = json::parse(r.out);
  auto check_book = [&](const trading_book& book) {
    auto all = book.overall();
    // The series has what the figures are about.
    CHECK(all.losses > 5);
    CHECK(all.max_drawdown_pct > 0.01);
    CHECK(all.unrealized_pnl != 0);
    check_figures(all, oracle["overall"]);
    for (const auto& [symbol, f] : book.by_symbol()) {
      CAPTURE(symbol);
      check_figures(f, oracle["by_symbol"][symbol]);
    }
    for (const auto& [tag, f] : book.by_tag()) {
      CAPTURE(tag);
      check_figures(f, oracle["by_tag"][tag]);
    }
    CHECK(book.by_symbol().size() == 3);
    CHECK(book.by_tag().size() == 2);
    CHECK(all.equity_curve.size() == fills.size() + 1);
    CHECK(all.equity_curve.front().equity == 10000);
    CHECK(all.equity_curve.back().equity
          == doctest::Approx(10000 + all.realized_pnl));
  };
  SUBCASE("held: out of order within the reorder window") {
    auto held = opts;
    held.reorder_window_ns = 100 * day;
    trading_book book{held};
    for (size_t i = 0; i < fills.size(); i += 2)
      book.add(fills[i]);
    for (size_t i = 1; i < fills.size(); i += 2)
      book.add(fills[i]);
    CHECK(book.held() == fills.size());
    CHECK(book.late() == 0);
    check_book(book);
  }
  SUBCASE("settled: folded into the running accounts as they age") {
    auto settled = opts;
    settled.max_trades = 5;
    trading_book book{settled};
    for (const auto& x : fills)
      book.add(x);
    CHECK(book.held() <= 5);
    CHECK(book.fills() == fills.size());
    CHECK(book.late() == 0);
    check_book(book);
  }
}

namespace {

/// Every figure, as the dashboard shows it (equal text: equal figures).
std::string shown(const trading_book& book) {
  return performance_json(book.overall(), book.by_symbol(), book.by_tag())
    .dump();
}

} // namespace

TEST_CASE("a trading book restored from its stored state and given the "
          "fills after it equals the book that saw every fill") {
  auto fills = sample_fills();
  trading_options opts;
  opts.reorder_window_ns = 2 * day;
  trading_book whole{opts};
  for (const auto& x : fills)
    whole.add(x);
  for (size_t k : {size_t{1}, size_t{40}, fills.size() / 2, fills.size() - 1}) {
    CAPTURE(k);
    trading_book first{opts};
    for (size_t i = 0; i < k; ++i)
      first.add(fills[i]);
    // Stored as text, as the database keeps it.
    auto state = json::parse(first.settled_state().dump());
    trading_book restored{opts};
    REQUIRE(restored.restore(state));
    CHECK(restored.frontier_ns() == first.frontier_ns());
    // What a start reads: the fills newer than the frontier.
    for (const auto& x : fills)
      if (x.time_ns > restored.frontier_ns())
        restored.add(x);
    CHECK(restored.fills() == fills.size());
    CHECK(shown(restored) == shown(whole));
  }
}

TEST_CASE("a stored trading state that is not one, or was kept on another "
          "starting capital, is refused and leaves the book as it was") {
  auto fills = sample_fills();
  trading_options opts;
  trading_book book{opts};
  for (const auto& x : fills)
    book.add(x);
  auto state = book.settled_state();
  auto before = shown(book);
  auto other = opts;
  other.starting_capital = 20000;
  trading_book richer{other};
  CHECK(!richer.restore(state));
  CHECK(richer.fills() == 0);
  for (const auto& broken :
       {json::object(), json{{"overall", 1}}, json::parse("[1,2]"),
        [&] {
          auto j = state;
          j["overall"]["equity"] = nullptr; // a non-finite figure, stored
          return j;
        }(),
        [&] {
          auto j = state;
          j["by_symbol"]["BTCUSDT"].erase("days");
          return j;
        }()}) {
    CAPTURE(broken.dump().substr(0, 80));
    CHECK(!book.restore(broken));
    CHECK(shown(book) == before);
  }
}

TEST_CASE("a fill later than the reorder window counts for every sum and its "
          "own day, and is counted as late") {
  trading_options opts;
  opts.reorder_window_ns = 60 * sec;
  trading_book book{opts};
  trade_executed x;
  x.symbol = "BTCUSDT";
  x.quantity = 1;
  x.price = 100;
  x.realized_pnl = 10;
  const int64_t t0 = 1'790'845'200 * sec;
  for (int i = 0; i < 10; ++i) {
    x.time_ns = t0 + i * day;
    book.add(x);
  }
  CHECK(book.late() == 0);
  auto late = x;
  late.realized_pnl = -20;
  late.time_ns = t0 + 2 * day + 5 * sec;
  book.add(late);
  CHECK(book.late() == 1);
  auto f = book.overall();
  CHECK(f.fills == 11);
  CHECK(f.realized_pnl == doctest::Approx(80));
  CHECK(f.pnl_by_day[utc_day(late.time_ns)] == doctest::Approx(-10));
  CHECK(f.losses == 1);
  // It is folded in after the newest settled fill (day 8) and before the
  // fill still held (day 9): the peak of day 8 is not regained.
  CHECK(book.held() == 1);
  CHECK(f.current_drawdown == doctest::Approx(10));
  CHECK(f.max_drawdown == doctest::Approx(20));
  CHECK(f.max_drawdown_duration_ns == day);
  CHECK(f.equity_curve.back().time_ns == t0 + 9 * day);
}

TEST_CASE("the equity curve keeps at most its configured points, evenly "
          "spaced, from the starting capital to the last equity") {
  trading_options opts;
  opts.curve_points = 8;
  opts.max_trades = 3;
  trading_book book{opts};
  trade_executed x;
  x.symbol = "ETHUSDT";
  x.quantity = 1;
  x.price = 2000;
  const int64_t t0 = 1'790'845'200 * sec;
  double equity = 10000;
  for (int i = 1; i <= 101; ++i) {
    x.realized_pnl = (i % 3) - 1.0;
    x.time_ns = t0 + i * sec;
    equity += x.realized_pnl;
    book.add(x);
  }
  auto c = book.overall().equity_curve;
  CHECK(c.size() <= 8 + 1); // the kept points and the last equity
  CHECK(c.size() >= 5);
  CHECK(c.front().equity == 10000);
  CHECK(c.front().time_ns == t0 + sec);
  CHECK(c.back().time_ns == t0 + 101 * sec);
  CHECK(c.back().equity == doctest::Approx(equity));
  // Evenly spaced by fill count (one fill a second here): equal steps
  // between the kept points after the first (the capital, at the first
  // fill's time) and before the last (the current equity).
  REQUIRE(c.size() >= 4);
  for (size_t i = 3; i + 1 < c.size(); ++i)
    CHECK(c[i].time_ns - c[i - 1].time_ns == c[2].time_ns - c[1].time_ns);
}

TEST_CASE("trading figures: empty, one day, and the fills held") {
  trading_book book{{10000, 365, 3}};
  CHECK(book.overall().fills == 0);
  trade_executed x;
  x.symbol = "BTCUSDT";
  x.quantity = 1;
  x.price = 100;
  x.realized_pnl = 5;
  x.time_ns = 1'790'845'200 * sec;
  book.add(x);
  auto one = book.overall();
  CHECK(one.win_rate == 1);
  CHECK(std::isnan(one.sharpe)); // one day has no variance
  CHECK(std::isnan(one.profit_factor));
  for (int i = 0; i < 4; ++i) {
    x.time_ns += sec;
    book.add(x);
  }
  // Three held, the older two folded in: the figures still cover all five.
  CHECK(book.held() == 3);
  CHECK(book.overall().fills == 5);
  CHECK(book.overall().realized_pnl == doctest::Approx(25));
}
