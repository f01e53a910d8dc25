#include "storage/readers/metrics.hpp"

#include "storage/rows.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/messages/samples.hpp"
#include "tests/support/database.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t minute = 60'000'000'000;
constexpr int64_t t0 = 1'700'000'000'000'000'000 / minute * minute;

metric_point point(const char* name, const char* window, int64_t start,
                   double last, metric_labels labels = {}) {
  metric_point p;
  p.name = name;
  p.kind = metric_kind::gauge;
  p.labels = std::move(labels);
  p.window = window;
  p.start_ns = start;
  p.count = 3;
  p.sum = 3 * last;
  p.min = last - 1;
  p.max = last + 1;
  p.last = last;
  return p;
}

} // namespace

TEST_CASE("metric_points reads a series' rollups by name, window and time "
          "range, each window's latest row") {
  test::database_fixture fx;
  auto h = point("latency", "1m", t0, std::nan(""));
  h.kind = metric_kind::histogram;
  h.quantiles = {1, 2, 3, 4};
  h.totals = R"({"count":3,"sum":6,"le":[[1,1]]})";
  fx.write({to_row(point("equity", "1m", t0, 10)),
            to_row(point("equity", "1m", t0 + minute, 11)),
            to_row(point("equity", "5m", t0, 10.5)), to_row(h)});
  // A later row for the same window replaces the earlier one.
  fx.write({to_row(point("equity", "1m", t0 + minute, 12))});
  auto r = fx.reader();
  auto equity = metric_points(*r, "equity", "1m", 0, 0);
  REQUIRE(equity);
  REQUIRE(equity->size() == 2);
  CHECK((*equity)[0].start_ns == t0);
  CHECK((*equity)[1].last == 12);
  CHECK((*equity)[1].min == 11);
  CHECK(metric_points(*r, "equity", "", 0, 0)->size() == 3);
  CHECK(metric_points(*r, "", "1m", 0, 0)->size() == 3);
  CHECK(metric_points(*r, "equity", "1m", t0 + 1, 0)->size() == 1);
  CHECK(metric_points(*r, "equity", "1m", 0, t0)->size() == 1);
  auto hist = metric_points(*r, "latency", "", 0, 0);
  REQUIRE(hist->size() == 1);
  CHECK(hist->front().kind == metric_kind::histogram);
  CHECK(std::isnan(hist->front().last));
  CHECK(hist->front().quantiles == std::vector<double>{1, 2, 3, 4});
  CHECK(hist->front().totals == h.totals);
}

TEST_CASE("latest_metric_points gives the newest point of every series in "
          "a window") {
  test::database_fixture fx;
  fx.write({to_row(point("orders", "1m", t0, 1, {{"venue", "a"}})),
            to_row(point("orders", "1m", t0 + minute, 2, {{"venue", "a"}})),
            to_row(point("orders", "1m", t0, 5, {{"venue", "b"}})),
            to_row(point("orders", "5m", t0, 9, {{"venue", "a"}}))});
  auto latest = latest_metric_points(*fx.reader(), "1m");
  REQUIRE(latest);
  REQUIRE(latest->size() == 2);
  CHECK((*latest)[0].labels == metric_labels{{"venue", "a"}});
  CHECK((*latest)[0].last == 2);
  CHECK((*latest)[1].labels == metric_labels{{"venue", "b"}});
  CHECK((*latest)[1].last == 5);
}

TEST_CASE("trades gives the newest fills back in time order") {
  test::database_fixture fx;
  std::vector<db_row> rows;
  for (int i = 0; i < 5; ++i) {
    auto t = test::sample_trade_executed();
    t.trade_id = "t-" + std::to_string(i);
    t.time_ns = t0 + i;
    t.side = i % 2 ? trade_side::buy : trade_side::sell;
    rows.push_back(to_row(t));
  }
  fx.write(rows);
  auto fills = trades(*fx.reader(), 3);
  REQUIRE(fills);
  REQUIRE(fills->size() == 3);
  CHECK((*fills)[0].trade_id == "t-2");
  CHECK((*fills)[2].trade_id == "t-4");
  auto expected = test::sample_trade_executed();
  const auto& last = (*fills)[2];
  CHECK(last.hdr.corr == expected.hdr.corr);
  CHECK(last.side == trade_side::sell);
  CHECK(last.symbol == expected.symbol);
  CHECK(last.quantity == expected.quantity);
  CHECK(last.price == expected.price);
  CHECK(last.fee == expected.fee);
  CHECK(last.realized_pnl == expected.realized_pnl);
  CHECK(last.strategy_tag == expected.strategy_tag);
  CHECK(last.exit_reason == expected.exit_reason);
}
