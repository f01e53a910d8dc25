// Metrics recording (issue 4) side by side with prometheus-cpp (Debian's
// prometheus-cpp-dev), the peer, in the same run. Run on demand:
//   build/tools/bench_metrics --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Targets: counter increment through a handle <= 1.0x prometheus-cpp's
// Counter::Increment; histogram observe <= 0.5x prometheus-cpp's
// Histogram::Observe with 10 buckets; also with 2 threads on one series.

#include "actors/metrics_cells.hpp"

#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace {

prometheus::Registry& registry() {
  static prometheus::Registry r;
  return r;
}

prometheus::Counter& prom_counter() {
  static auto& family
    = prometheus::BuildCounter().Name("orders_total").Register(registry());
  static auto& c = family.Add({{"venue", "binance"}});
  return c;
}

prometheus::Histogram& prom_histogram() {
  static auto& family = prometheus::BuildHistogram()
                          .Name("order_latency_us")
                          .Register(registry());
  static auto& h = family.Add({{"venue", "binance"}},
                              prometheus::Histogram::BucketBoundaries{
                                1, 2, 5, 10, 20, 50, 100, 200, 500, 1000});
  return h;
}

argus::counter_cell& argus_counter() {
  static argus::counter_cell c;
  return c;
}

argus::histogram_cell& argus_histogram() {
  static argus::histogram_cell h;
  return h;
}

/// Latencies in us cycling over the buckets' range, as a bot's would.
double sample(int64_t i) {
  static constexpr double xs[]
    = {0.7, 1.5, 3, 7, 15, 42, 80, 150, 420, 900, 1200, 33, 12, 6, 2.5, 64};
  return xs[i & 15];
}

void prometheus_counter_increment(benchmark::State& state) {
  auto& c = prom_counter();
  for (auto _ : state)
    c.Increment();
}
BENCHMARK(prometheus_counter_increment)->Threads(1)->Threads(2);

void argus_counter_add(benchmark::State& state) {
  auto& c = argus_counter();
  for (auto _ : state)
    c.add();
}
BENCHMARK(argus_counter_add)->Threads(1)->Threads(2);

void prometheus_histogram_observe(benchmark::State& state) {
  auto& h = prom_histogram();
  int64_t i = 0;
  for (auto _ : state)
    h.Observe(sample(i++));
}
BENCHMARK(prometheus_histogram_observe)->Threads(1)->Threads(2);

void argus_histogram_observe(benchmark::State& state) {
  auto& h = argus_histogram();
  int64_t i = 0;
  for (auto _ : state)
    h.observe(sample(i++));
}
BENCHMARK(argus_histogram_observe)->Threads(1)->Threads(2);

} // namespace

BENCHMARK_MAIN();
