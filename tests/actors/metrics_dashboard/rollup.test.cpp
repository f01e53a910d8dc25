#include "actors/metrics_dashboard/rollup.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "tests/support/quantiles.hpp"

using namespace argus;
using test::exact_quantile;

namespace {

constexpr int64_t sec = 1'000'000'000;

const std::vector<rollup_window> windows
  = {{"1m", 60 * sec}, {"5m", 300 * sec}, {"1h", 3600 * sec}};

struct closed_point {
  size_t window;
  rollup_point point;
};

} // namespace

TEST_CASE("window starts are aligned to multiples of the window's length") {
  CHECK(window_start(0, 60 * sec) == 0);
  CHECK(window_start(59 * sec, 60 * sec) == 0);
  CHECK(window_start(60 * sec, 60 * sec) == 60 * sec);
  CHECK(window_start(1'700'000'123 * sec, 3600 * sec) == 1'699'999'200 * sec);
  CHECK(window_start(-1, 60 * sec) == -60 * sec);
}

TEST_CASE("histogram rollups match brute force over random data in virtual "
          "time, and long windows merge short ones exactly") {
  std::mt19937_64 rng{2024};
  std::lognormal_distribution<double> latency{5.0, 1.2};
  std::uniform_int_distribution<int> per_interval{0, 40};
  series_rollups r{metric_kind::histogram, windows, 1000};
  std::vector<closed_point> closed;
  auto on_closed = [&](size_t w, const rollup_point& p) {
    closed.push_back({w, p});
  };
  // Every value by the start of each window it falls in.
  std::map<std::pair<size_t, int64_t>, std::vector<double>> truth;
  // Start off a boundary (10:00:07) and run just over two hours, scraping
  // every 5 s like the dashboard does.
  const int64_t t0 = 1'700'000'000 * sec + 7 * sec;
  const int64_t scrape = 5 * sec;
  int64_t t = window_start(t0, scrape);
  for (int k = 0; k < 2 * 720 + 30; ++k) {
    log_histogram interval;
    auto n = per_interval(rng);
    for (int i = 0; i < n; ++i) {
      auto x = latency(rng);
      interval.record(x);
      for (size_t w = 0; w < windows.size(); ++w)
        truth[{w, window_start(t, windows[w].length_ns)}].push_back(x);
    }
    // The interval [t, t + 5 s) is scraped at its end.
    t += scrape;
    r.add_histogram(t - 1, interval, on_closed);
  }
  REQUIRE(closed.size() > 100);
  size_t hours = 0;
  for (const auto& [w, p] : closed) {
    CAPTURE(w);
    CAPTURE(p.start_ns);
    CHECK(p.start_ns % windows[w].length_ns == 0);
    const auto& xs = truth.at({w, p.start_ns});
    CHECK(p.count == xs.size());
    double sum = 0;
    for (auto x : xs)
      sum += x;
    CHECK(p.sum == doctest::Approx(sum).epsilon(1e-12));
    CHECK(std::isnan(p.last));
    REQUIRE(p.has_quantiles);
    for (size_t q = 0; q < rollup_quantiles.size(); ++q) {
      auto exact = exact_quantile(xs, rollup_quantiles[q]);
      CHECK(std::abs(p.quantiles[q] - exact)
            <= exact * log_histogram::relative_error);
    }
    auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
    CHECK(std::abs(p.min - *lo) <= *lo * 2 * log_histogram::relative_error);
    CHECK(std::abs(p.max - *hi) <= *hi * 2 * log_histogram::relative_error);
    if (w == 2) {
      // The hour equals one histogram that saw every value of it.
      ++hours;
      log_histogram once;
      for (auto x : xs)
        once.record(x);
      for (size_t q = 0; q < rollup_quantiles.size(); ++q)
        CHECK(p.quantiles[q] == once.quantile(rollup_quantiles[q]));
    }
  }
  CHECK(hours == 2);
  // The open windows answer too, and the histories hold what was closed.
  rollup_point now;
  REQUIRE(r.current(0, now));
  CHECK(now.count == truth.at({0, now.start_ns}).size());
  CHECK(r.history(2).size() == 2);
}

TEST_CASE("gauge and counter rollups: count, sum, min, max, mean, last") {
  series_rollups g{metric_kind::gauge, windows, 1000};
  series_rollups c{metric_kind::counter, windows, 1000};
  std::vector<closed_point> gauge_closed;
  std::vector<closed_point> counter_closed;
  std::mt19937_64 rng{5};
  std::uniform_real_distribution<double> value{-50, 50};
  std::uniform_int_distribution<int> incs{0, 9};
  const int64_t t0 = 1'700'000'040 * sec; // 10 s before a minute boundary
  std::map<int64_t, std::vector<double>> minute_values;
  std::map<int64_t, double> minute_increase;
  std::map<int64_t, double> minute_total;
  double total = 0;
  for (int k = 1; k <= 40; ++k) {
    auto t = t0 + k * 5 * sec;
    auto v = value(rng);
    auto inc = static_cast<double>(incs(rng));
    total += inc;
    auto m = window_start(t - 1, 60 * sec);
    minute_values[m].push_back(v);
    minute_increase[m] += inc;
    minute_total[m] = total;
    g.add_gauge(t - 1, v, [&](size_t w, const rollup_point& p) {
      gauge_closed.push_back({w, p});
    });
    c.add_counter(t - 1, inc, total, [&](size_t w, const rollup_point& p) {
      counter_closed.push_back({w, p});
    });
  }
  std::vector<const rollup_point*> minutes;
  for (const auto& x : gauge_closed)
    if (x.window == 0)
      minutes.push_back(&x.point);
  REQUIRE(minutes.size() == 3);
  for (const auto* p : minutes) {
    const auto& xs = minute_values.at(p->start_ns);
    CHECK(p->count == xs.size());
    CHECK(p->min == *std::min_element(xs.begin(), xs.end()));
    CHECK(p->max == *std::max_element(xs.begin(), xs.end()));
    CHECK(p->last == xs.back());
    double sum = 0;
    for (auto x : xs)
      sum += x;
    CHECK(p->mean() == doctest::Approx(sum / xs.size()));
    CHECK(!p->has_quantiles);
  }
  size_t counter_minutes = 0;
  for (const auto& [w, p] : counter_closed)
    if (w == 0) {
      ++counter_minutes;
      CHECK(p.sum == minute_increase.at(p.start_ns));
      CHECK(p.last == minute_total.at(p.start_ns));
    }
  CHECK(counter_minutes == 3);
}

TEST_CASE("history keeps at most max_history points per window, the newest") {
  series_rollups g{metric_kind::gauge, {{"1m", 60 * sec}}, 3};
  for (int k = 0; k < 10; ++k)
    g.add_gauge(k * 60 * sec, k, [](size_t, const rollup_point&) {});
  // Nine minutes closed, three kept.
  REQUIRE(g.history(0).size() == 3);
  CHECK(g.history(0).front().last == 6);
  CHECK(g.history(0).back().last == 8);
  // A quiet series closes nothing until time moves on.
  g.roll(9 * 60 * sec + 1, [](size_t, const rollup_point&) {
    FAIL("closed");
  });
  size_t n = 0;
  g.roll(20 * 60 * sec, [&](size_t, const rollup_point& p) {
    ++n;
    CHECK(p.last == 9);
  });
  CHECK(n == 1);
}
