#include "actors/metrics_dashboard/book.hpp"

#include <doctest/doctest.h>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

const std::vector<rollup_window> windows
  = {{"1m", 60 * sec}, {"1h", 3600 * sec}};

const metric_point* find(const std::vector<metric_point>& ps,
                         const std::string& name, const std::string& window) {
  for (const auto& p : ps)
    if (p.name == name && p.window == window)
      return &p;
  return nullptr;
}

} // namespace

TEST_CASE("metrics_book turns running totals into per-interval increases "
          "and closes windows on wall-clock boundaries") {
  metrics_registry reg;
  metrics_book book{windows, 100};
  auto* orders = reg.counter("orders", {{"venue", "x"}});
  auto* equity = reg.gauge("equity", {});
  auto* latency = reg.histogram("latency_seconds", {});
  std::vector<metric_point> closed;
  // 12:00:00 + k * 5 s; a scrape covers the 5 s before it.
  const int64_t t0 = 1'790'845'200 * sec;
  for (int k = 1; k <= 14; ++k) {
    orders->add(3);
    equity->set(1000 + k);
    latency->observe(0.001 * k);
    auto t = t0 + k * 5 * sec;
    book.scrape(reg, t - 5 * sec / 2, closed);
  }
  // Twelve intervals made the first minute; the 13th closed it.
  auto* minute = find(closed, "orders", "1m");
  REQUIRE(minute);
  CHECK(minute->start_ns == t0);
  CHECK(minute->kind == metric_kind::counter);
  CHECK(minute->sum == 36);
  CHECK(minute->last == 36);
  CHECK(minute->labels == metric_labels{{"venue", "x"}});
  auto* g = find(closed, "equity", "1m");
  REQUIRE(g);
  CHECK(g->count == 12);
  CHECK(g->min == 1001);
  CHECK(g->max == 1012);
  CHECK(g->last == 1012);
  auto* h = find(closed, "latency_seconds", "1m");
  REQUIRE(h);
  CHECK(h->count == 12);
  REQUIRE(h->quantiles.size() == 4);
  CHECK(h->quantiles[0] == doctest::Approx(0.006).epsilon(0.01));
  // A closed histogram point carries the running totals at its end.
  exposition_series s;
  REQUIRE(histogram_totals_from_json(h->totals, s));
  CHECK(s.count == 12);
  CHECK(closed.size() == 3); // the hour is still open
  // Open windows: the partial minute and hour, with observations.
  auto open = book.open_points();
  auto* hour = find(open, "latency_seconds", "1h");
  REQUIRE(hour);
  CHECK(hour->count == 14);
  auto history = book.history("orders", "1m", {{"venue", "x"}}, 0, 0);
  REQUIRE(history.size() == 2); // the closed minute and the open one
  CHECK(history[1].sum == 6);
  CHECK(book.history("orders", "1m", {{"venue", "y"}}, 0, 0).empty());
  CHECK(book.history("orders", "2m", {}, 0, 0).empty());
}

TEST_CASE("metrics_book merges a restarted run's open window with what the "
          "earlier run persisted") {
  metrics_registry first_reg;
  metrics_book first{windows, 100};
  std::vector<metric_point> closed;
  const int64_t t0 = 1'790'845'200 * sec;
  auto* lat = first_reg.histogram("latency_seconds", {});
  auto* hits = first_reg.counter("hits", {});
  for (int i = 1; i <= 50; ++i)
    lat->observe(i * 0.01);
  hits->add(5);
  first.scrape(first_reg, t0 + 10 * sec, closed);
  auto persisted = first.open_points();
  // A new process: fresh cells, the persisted open windows restored.
  metrics_registry reg;
  metrics_book book{windows, 100};
  for (const auto& p : persisted)
    book.restore(p, true);
  auto* lat2 = reg.histogram("latency_seconds", {});
  auto* hits2 = reg.counter("hits", {});
  for (int i = 51; i <= 100; ++i)
    lat2->observe(i * 0.01);
  hits2->add(2);
  book.scrape(reg, t0 + 20 * sec, closed);
  auto open = book.open_points();
  auto* hour = find(open, "latency_seconds", "1h");
  REQUIRE(hour);
  CHECK(hour->count == 100);
  // Quantiles as if one process had seen all 100 values.
  log_histogram all;
  for (int i = 1; i <= 100; ++i)
    all.record(i * 0.01);
  REQUIRE(hour->quantiles.size() == 4);
  CHECK(hour->quantiles[1] == all.quantile(0.9));
  auto* h = find(open, "hits", "1m");
  REQUIRE(h);
  CHECK(h->sum == 7);
  CHECK(h->count == 2);
}

TEST_CASE("metrics_book resuming after a crash counts only what comes after "
          "its baseline") {
  metrics_registry reg;
  auto* hits = reg.counter("hits", {});
  auto* lat = reg.histogram("latency_seconds", {});
  hits->add(100);
  for (int i = 0; i < 50; ++i)
    lat->observe(0.01);
  metrics_book book{windows, 100};
  book.baseline(reg);
  hits->add(5);
  lat->observe(0.02);
  std::vector<metric_point> closed;
  book.scrape(reg, 1'790'845'200 * sec + 10 * sec, closed);
  auto open = book.open_points();
  auto* h = find(open, "hits", "1m");
  REQUIRE(h);
  CHECK(h->sum == 5);
  CHECK(h->last == 105);
  auto* l = find(open, "latency_seconds", "1m");
  REQUIRE(l);
  CHECK(l->count == 1);
  CHECK(l->max == doctest::Approx(0.02).epsilon(0.01));
}
