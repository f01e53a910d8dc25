#include "actors/metrics_dashboard/exposition.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

using namespace argus;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

bool has_line(const std::string& text, const std::string& line) {
  auto ls = lines_of(text);
  return std::find(ls.begin(), ls.end(), line) != ls.end();
}

/// Runs `promtool check metrics` on `text` when promtool is installed
/// (the test command installs it). @returns its complaints, or "" if clean.
std::string promtool_problems(const std::string& text) {
  if (!std::filesystem::exists("/usr/bin/promtool"))
    return "";
  test::temp_dir dir;
  auto path = dir.write("metrics.prom", text);
  auto r
    = test::run({"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + path});
  return r.code == 0 ? ""
                     : "exit " + std::to_string(r.code) + ": " + r.out + r.err;
}

} // namespace

TEST_CASE("exposition: counters get _total, gauges keep their name, labels "
          "are escaped") {
  std::vector<exposition_family> fams;
  fams.push_back({"orders", metric_kind::counter, "Orders sent.", {}});
  fams.back().series.push_back({{{"venue", "bin\"ance"}}, 42, 0, 0, {}});
  fams.back().series.push_back({{{"venue", "a\\b\nc"}}, 1, 0, 0, {}});
  fams.push_back({"fills_total", metric_kind::counter, "Fills.", {}});
  fams.back().series.push_back({{}, 7, 0, 0, {}});
  fams.push_back({"equity", metric_kind::gauge, "Equity\nnow.", {}});
  fams.back().series.push_back({{}, 10250.5, 0, 0, {}});
  fams.push_back({"sharpe-ratio", metric_kind::gauge, "NaN is legal.", {}});
  fams.back().series.push_back(
    {{{"__bad label", "x"}}, std::nan(""), 0, 0, {}});
  auto text = render_prometheus(fams);
  CAPTURE(text);
  CHECK(has_line(text, "# HELP orders_total Orders sent."));
  CHECK(has_line(text, "# TYPE orders_total counter"));
  CHECK(has_line(text, R"(orders_total{venue="bin\"ance"} 42)"));
  CHECK(has_line(text, R"(orders_total{venue="a\\b\nc"} 1)"));
  // Already ending in _total: not doubled.
  CHECK(has_line(text, "fills_total 7"));
  CHECK(has_line(text, "# HELP equity Equity\\nnow."));
  CHECK(has_line(text, "equity 10250.5"));
  // Names and label names are made valid.
  CHECK(has_line(text, "# TYPE sharpe_ratio gauge"));
  CHECK(has_line(text, R"(sharpe_ratio{_bad_label="x"} NaN)"));
  CHECK(promtool_problems(text) == "");
}

TEST_CASE("exposition: histograms as cumulative power-of-two buckets with "
          "exact counts, +Inf, _sum and _count") {
  std::mt19937_64 rng{3};
  std::lognormal_distribution<double> dist{3, 1.5};
  log_histogram h;
  std::vector<double> xs;
  for (int i = 0; i < 5000; ++i) {
    xs.push_back(dist(rng));
    h.record(xs.back());
  }
  h.record(0.0);
  xs.push_back(0.0);
  h.record(-3.0);
  xs.push_back(-3.0);
  exposition_family fam{
    "order_latency_seconds", metric_kind::histogram, "Order latency.", {}};
  exposition_series s;
  s.labels = {{"venue", "binance"}};
  set_histogram(s, h);
  fam.series.push_back(s);
  auto text = render_prometheus({fam});
  CAPTURE(text);
  REQUIRE(s.buckets.size() > 5);
  uint64_t previous = 0;
  for (const auto& [le, n] : s.buckets) {
    // Exact: the number of values below the bound (values on a bound
    // count in the next bucket).
    uint64_t below = 0;
    for (auto x : xs)
      below += (x < le || (le == 0 && x == 0)) ? 1 : 0;
    CAPTURE(le);
    CHECK(n == below);
    CHECK(n >= previous);
    previous = n;
    // A power of two, zero, or minus one.
    if (le > 0)
      CHECK(std::exp2(std::round(std::log2(le))) == le);
  }
  CHECK(has_line(
    text, R"(order_latency_seconds_bucket{venue="binance",le="+Inf"} 5002)"));
  CHECK(has_line(text, R"(order_latency_seconds_count{venue="binance"} 5002)"));
  CHECK(text.find("order_latency_seconds_sum{venue=\"binance\"} ")
        != std::string::npos);
  CHECK(promtool_problems(text) == "");
}

TEST_CASE("exposition: histogram running totals survive a round trip, and a "
          "window's observations come back exactly") {
  log_histogram running;
  log_histogram window;
  for (int i = 1; i <= 100; ++i) {
    running.record(i * 1.5);
    if (i > 60)
      window.record(i * 1.5);
  }
  auto text = histogram_totals_json(running, &window);
  exposition_series s;
  REQUIRE(histogram_totals_from_json(text, s));
  CHECK(s.count == 100);
  CHECK(s.buckets == octave_buckets(running));
  metric_point p;
  p.sum = window.sum();
  p.min = window.min();
  p.max = window.max();
  log_histogram back;
  REQUIRE(window_histogram_from_json(text, p, back));
  CHECK(back.count() == window.count());
  for (double q : {0.1, 0.5, 0.99})
    CHECK(back.quantile(q) == window.quantile(q));
  CHECK(!histogram_totals_from_json("not json", s));
  CHECK(!window_histogram_from_json(histogram_totals_json(running), p, back));
}

TEST_CASE("exposition: the trading figures, overall and broken down, pass "
          "promtool") {
  trading_book book;
  trade_executed x;
  x.symbol = "BTCUSDT";
  x.strategy_tag = "momentum";
  x.quantity = 1;
  x.price = 100;
  x.time_ns = 1'790'845'200'000'000'000;
  book.add(x);
  x.side = trade_side::sell;
  x.realized_pnl = -4;
  x.exit_reason = "stop_loss";
  x.time_ns += 86'400'000'000'000;
  book.add(x);
  std::vector<exposition_family> fams;
  add_trading_families(fams, book.overall(), book.by_symbol(), book.by_tag());
  auto text = render_prometheus(fams);
  CAPTURE(text);
  CHECK(has_line(text, "argus_trading_realized_pnl -4"));
  CHECK(has_line(text, R"(argus_trading_realized_pnl{symbol="BTCUSDT"} -4)"));
  CHECK(has_line(text, R"(argus_trading_win_ratio{strategy="momentum"} 0)"));
  CHECK(has_line(text, "argus_trading_max_drawdown_duration_seconds 86400"));
  CHECK(promtool_problems(text) == "");
}
