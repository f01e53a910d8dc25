#include "actors/metrics_dashboard/series_registry.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

TEST_CASE("metrics_registry: one cell per name and label set, in any label "
          "order") {
  metrics_registry reg;
  auto* a
    = reg.counter("orders_total", {{"venue", "binance"}, {"side", "buy"}});
  auto* b
    = reg.counter("orders_total", {{"side", "buy"}, {"venue", "binance"}});
  auto* c
    = reg.counter("orders_total", {{"side", "sell"}, {"venue", "binance"}});
  REQUIRE(a);
  CHECK(a == b);
  CHECK(a != c);
  a->add(2);
  b->add(3);
  CHECK(a->value() == 5);
  CHECK(reg.series() == 2);
  // A name keeps its kind.
  CHECK(reg.histogram("orders_total", {}) == nullptr);
  CHECK(reg.kind_conflicts() == 1);
  auto* h = reg.histogram("order_latency_us", {{"venue", "binance"}});
  REQUIRE(h);
  h->observe(42);
  std::vector<std::string> seen;
  reg.for_each([&](const metrics_registry::series_view& s) {
    seen.push_back(s.name + "/" + to_string(s.kind) + "/"
                   + std::to_string(s.labels.size()));
    if (s.kind == metric_kind::histogram)
      CHECK(s.histogram->snapshot().count() == 1);
  });
  CHECK(seen
        == std::vector<std::string>{"order_latency_us/histogram/1",
                                    "orders_total/counter/2",
                                    "orders_total/counter/2"});
}

TEST_CASE("metrics_registry folds label sets beyond the limit into one "
          "overflow series and counts them") {
  metrics_registry reg{3};
  for (int i = 0; i < 10; ++i)
    reg.counter("fills_total", {{"order_id", std::to_string(i)}})->add();
  CHECK(reg.series() == 4); // three label sets and the overflow series
  CHECK(reg.overflowed() == 7);
  auto* overflow = reg.counter("fills_total", overflow_labels);
  REQUIRE(overflow);
  CHECK(overflow->value() == 7);
  // Known label sets keep their own series.
  CHECK(reg.counter("fills_total", {{"order_id", "1"}})->value() == 1);
  // Other names have their own budget.
  CHECK(reg.gauge("equity", {{"account", "main"}}) != nullptr);
}

TEST_CASE("metrics_registry records one-shot samples of each kind and refuses "
          "bad ones") {
  metrics_registry reg;
  CHECK(reg.record("fills_total", metric_kind::counter, 3, {{"venue", "x"}}));
  CHECK(reg.record("fills_total", metric_kind::counter, 2, {{"venue", "x"}}));
  CHECK(reg.counter("fills_total", {{"venue", "x"}})->value() == 5);
  // Counters only go up, by whole numbers.
  CHECK(!reg.record("fills_total", metric_kind::counter, -1, {{"venue", "x"}}));
  CHECK(
    !reg.record("fills_total", metric_kind::counter, 0.5, {{"venue", "x"}}));
  CHECK(reg.counter("fills_total", {{"venue", "x"}})->value() == 5);
  CHECK(reg.record("equity", metric_kind::gauge, 10.5));
  CHECK(reg.record("equity", metric_kind::gauge, 9.25));
  CHECK(reg.gauge("equity", {})->value() == 9.25);
  CHECK(!reg.record("equity", metric_kind::gauge, std::nan("")));
  CHECK(reg.record("latency_us", metric_kind::histogram, 40));
  CHECK(reg.record("latency_us", metric_kind::histogram, 60));
  CHECK(reg.histogram("latency_us", {})->snapshot().sum() == 100);
  // A name keeps its kind.
  CHECK(!reg.record("equity", metric_kind::counter, 1));
  CHECK(reg.kind_conflicts() == 1);
}
