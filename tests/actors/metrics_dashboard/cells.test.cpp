#include "actors/metrics_dashboard/cells.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <thread>
#include <vector>

using namespace argus;

TEST_CASE("counter cells add up every thread's increments, beyond the "
          "threads with a shard of their own too") {
  counter_cell c;
  // More threads than slots: the last ones share a shard.
  std::vector<std::thread> threads;
  for (int t = 0; t < 80; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i)
        c.add();
      c.add(10);
    });
  for (auto& t : threads)
    t.join();
  CHECK(c.value() == 80 * 5010);
}

TEST_CASE("threads that come and go give their slot back: the 200th thread "
          "still records into a shard of its own, and no count is lost") {
  counter_cell c;
  histogram_cell h;
  std::vector<size_t> slots;
  for (int t = 0; t < 200; ++t) {
    std::thread worker{[&] {
      slots.push_back(thread_slot());
      c.add(3);
      h.observe(1.0);
    }};
    worker.join();
  }
  for (auto slot : slots)
    CHECK_MESSAGE(!shared_slot(slot), "a thread took the shared slot");
  CHECK(c.value() == 600);
  CHECK(h.snapshot().count() == 200);
}

TEST_CASE("a histogram cell's snapshot is the log_histogram of the same "
          "values, from any number of threads") {
  histogram_cell cell;
  std::vector<log_histogram> parts(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<uint64_t>(t));
      std::lognormal_distribution<double> d{8.0, 2.0};
      for (int i = 0; i < 20000; ++i) {
        auto x = t == 3 ? -d(rng) : d(rng);
        cell.observe(x);
        parts[static_cast<size_t>(t)].record(x);
      }
    });
  for (auto& t : threads)
    t.join();
  log_histogram want;
  for (const auto& p : parts)
    want.merge(p);
  auto got = cell.snapshot();
  CHECK(got.count() == want.count());
  CHECK(got.min() == want.min());
  CHECK(got.max() == want.max());
  CHECK(got.sum() == doctest::Approx(want.sum()).epsilon(1e-9));
  for (double q = 0; q <= 1.0; q += 0.05)
    CHECK(got.quantile(q) == want.quantile(q));
}

TEST_CASE("a histogram cell counts zero, rejects NaN and keeps extremes "
          "exact") {
  histogram_cell cell;
  cell.observe(0.0);
  cell.observe(std::nan(""));
  cell.observe(std::numeric_limits<double>::infinity());
  cell.observe(1e30); // beyond the octaves kept: counted at the edge
  cell.observe(1e-30);
  auto h = cell.snapshot();
  CHECK(h.count() == 3);
  CHECK(h.rejected() == 2);
  CHECK(h.max() == 1e30);
  CHECK(h.min() == 0.0);
  CHECK(h.quantile(1.0) == 1e30); // clamped to the exact max
  CHECK(h.count_at_or_below(0.0) == 1);
}
