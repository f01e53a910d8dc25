#include "actors/tracer/latency.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

namespace {

constexpr int64_t minute = 60'000'000'000;

/// Within the histogram's 1 % relative error.
bool near(int64_t measured, double exact) {
  return std::abs(static_cast<double>(measured) - exact) <= 0.01 * exact + 1;
}

} // namespace

TEST_CASE("a latency summary gives nearest-rank percentiles and the max") {
  log_histogram h;
  CHECK(summarize(h).count == 0);
  for (int i = 1; i <= 1000; ++i)
    h.record(i * 1000.0);
  auto s = summarize(h);
  CHECK(s.count == 1000);
  CHECK(near(s.p50_ns, 500'000));
  CHECK(near(s.p95_ns, 950'000));
  CHECK(near(s.p99_ns, 990'000));
  CHECK(s.max_ns == 1'000'000);
}

TEST_CASE("the latency book merges the minutes a window covers, per "
          "component and operation, slowest first") {
  latency_book book{minute, 5};
  auto t0 = 10 * minute;
  // Minute 0: fast orders; minute 2: slow ones, one failing.
  for (int i = 0; i < 100; ++i)
    book.record(component_type::tactician, "place_order", t0 + i, 1'000, false);
  for (int i = 0; i < 100; ++i)
    book.record(component_type::tactician, "place_order", t0 + 2 * minute + i,
                9'000, i == 0);
  book.record(component_type::analyst, "features", t0 + 2 * minute, 20'000,
              false);
  auto now = t0 + 2 * minute + minute / 2;
  // The last minute sees the slow orders only.
  auto last = book.summarize(now, minute);
  REQUIRE(last.size() == 2);
  CHECK(last[0].operation == "features"); // p99 20 µs first
  CHECK(last[1].operation == "place_order");
  CHECK(last[1].latency.count == 100);
  CHECK(near(last[1].latency.p50_ns, 9'000));
  CHECK(last[1].errors == 1);
  // Three minutes see both.
  auto all = book.summarize(now, 3 * minute);
  REQUIRE(all.size() == 2);
  CHECK(all[1].latency.count == 200);
  CHECK(near(all[1].latency.p50_ns, 1'000));
  CHECK(all[1].latency.max_ns == 9'000);
}

TEST_CASE("the latency book forgets a minute once its slot is reused, and "
          "ignores spans older than the slot's minute") {
  latency_book book{minute, 2};
  book.record(component_type::exchange, "fill", 0, 5'000, true);
  // Two minutes later the same slot holds the new minute.
  book.record(component_type::exchange, "fill", 2 * minute, 7'000, false);
  auto s = book.summarize(2 * minute + 1, 10 * minute);
  REQUIRE(s.size() == 1);
  CHECK(s[0].latency.count == 1);
  CHECK(s[0].errors == 0);
  // A late span of the forgotten minute does not come back.
  book.record(component_type::exchange, "fill", 10, 5'000, true);
  CHECK(book.summarize(2 * minute + 1, 10 * minute)[0].latency.count == 1);
}

TEST_CASE("the latency book keeps a bounded number of operations and counts "
          "the spans of the rest") {
  latency_book book{minute, 2, 2};
  book.record(component_type::analyst, "a", 0, 1, false);
  book.record(component_type::analyst, "b", 0, 1, false);
  book.record(component_type::analyst, "c", 0, 1, false);
  book.record(component_type::strategist, "a", 0, 1, false);
  CHECK(book.operations() == 2);
  CHECK(book.untracked() == 2);
  // A known operation still records.
  book.record(component_type::analyst, "a", 1, 1, false);
  CHECK(book.untracked() == 2);
}
