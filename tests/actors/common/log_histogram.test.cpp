#include "actors/common/log_histogram.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "tests/support/quantiles.hpp"

using namespace argus;
using test::exact_quantile;

TEST_CASE("log_histogram buckets are monotonic and cut each octave in 64") {
  CHECK(log_histogram::bucket_of(1.0) < log_histogram::bucket_of(1.02));
  CHECK(log_histogram::bucket_of(1.0) == log_histogram::bucket_of(1.01));
  CHECK(log_histogram::bucket_of(2.0) - log_histogram::bucket_of(1.0) == 64);
  CHECK(log_histogram::bucket_of(-3.5) == log_histogram::bucket_of(3.5));
  for (double x : {1e-9, 0.3, 1.0, 7.25, 1e6, 3.3e12}) {
    auto b = log_histogram::bucket_of(x);
    CHECK(log_histogram::lower_bound(b) <= x);
    CHECK(x < log_histogram::lower_bound(b + 1));
  }
}

TEST_CASE("log_histogram quantiles stay within 1 % of the exact nearest-rank "
          "value") {
  std::mt19937_64 rng{42};
  std::lognormal_distribution<double> latency{10.0, 1.5};
  std::normal_distribution<double> pnl{0.0, 100.0};
  for (int dist = 0; dist < 2; ++dist) {
    log_histogram h;
    std::vector<double> xs;
    for (int i = 0; i < 20000; ++i) {
      auto x = dist == 0 ? latency(rng) : pnl(rng);
      xs.push_back(x);
      h.record(x);
    }
    for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
      auto want = exact_quantile(xs, q);
      auto got = h.quantile(q);
      CAPTURE(q);
      CHECK(std::abs(got - want) <= std::abs(want) * 0.0079);
    }
    CHECK(h.count() == xs.size());
    CHECK(h.min() == *std::min_element(xs.begin(), xs.end()));
    CHECK(h.max() == *std::max_element(xs.begin(), xs.end()));
  }
}

TEST_CASE("log_histogram merged from parts answers exactly like one that saw "
          "every value") {
  std::mt19937_64 rng{7};
  std::exponential_distribution<double> d{1e-3};
  log_histogram whole;
  log_histogram merged;
  for (int part = 0; part < 60; ++part) {
    log_histogram minute;
    // Parts with different ranges make the stores grow both ways.
    auto scale = part % 3 == 0 ? 1000.0 : part % 3 == 1 ? 0.001 : 1.0;
    for (int i = 0; i < 500; ++i) {
      auto x = d(rng) * scale;
      minute.record(x);
      whole.record(x);
    }
    merged.merge(minute);
  }
  CHECK(merged.count() == whole.count());
  CHECK(merged.buckets() == whole.buckets());
  for (double q = 0; q <= 1.0; q += 0.01)
    CHECK(merged.quantile(q) == whole.quantile(q));
  CHECK(merged.sum() == doctest::Approx(whole.sum()));
}

TEST_CASE("log_histogram handles zero, negatives, weights and bad values") {
  log_histogram h;
  h.record(0.0, 2);
  h.record(-5.0);
  h.record(5.0);
  h.record(std::nan(""));
  h.record(std::numeric_limits<double>::infinity());
  CHECK(h.count() == 4);
  CHECK(h.rejected() == 2);
  CHECK(h.sum() == 0.0);
  CHECK(h.quantile(0.0) == -5.0);
  CHECK(h.quantile(0.5) == 0.0);
  CHECK(h.quantile(1.0) == 5.0);
  CHECK(h.count_at_or_below(-1.0) == 1);
  CHECK(h.count_at_or_below(0.0) == 3);
  CHECK(h.count_at_or_below(100.0) == 4);
  std::vector<double> lows;
  h.for_each_bucket([&](double lo, double hi, uint64_t) {
    CHECK(lo <= hi);
    lows.push_back(lo);
  });
  CHECK(std::is_sorted(lows.begin(), lows.end()));
  h.clear();
  CHECK(h.empty());
  CHECK(h.quantile(0.5) == 0.0);
}

TEST_CASE("log_histogram since an earlier snapshot holds exactly the later "
          "values") {
  std::mt19937_64 rng{7};
  std::lognormal_distribution<double> dist{3.0, 1.0};
  log_histogram cumulative;
  std::vector<double> before;
  for (int i = 0; i < 5000; ++i) {
    before.push_back(dist(rng));
    cumulative.record(before.back());
  }
  auto snapshot = cumulative;
  std::vector<double> after;
  log_histogram direct;
  for (int i = 0; i < 3000; ++i) {
    after.push_back(dist(rng) * 4 - 20); // some negatives, too
    cumulative.record(after.back());
    direct.record(after.back());
  }
  auto delta = cumulative.since(snapshot);
  CHECK(delta.count() == after.size());
  CHECK(delta.sum() == doctest::Approx(direct.sum()).epsilon(1e-9));
  for (double q : {0.1, 0.5, 0.9, 0.99})
    CHECK(delta.quantile(q) == direct.quantile(q));
  auto [lo, hi] = std::minmax_element(after.begin(), after.end());
  CHECK(std::abs(delta.min() - *lo) <= std::abs(*lo) * 0.016);
  CHECK(std::abs(delta.max() - *hi) <= std::abs(*hi) * 0.016);
  CHECK(delta.min() <= *lo + 1e-12);
  CHECK(cumulative.since(cumulative).empty());
}
