// Metrics recording side by side with prometheus-cpp (Debian's
// prometheus-cpp-dev), the peer, in the same run. Run on demand:
//   build/tools/bench_metrics --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Targets: counter increment through a handle <= 1.0x prometheus-cpp's
// Counter::Increment; histogram observe <= 0.5x prometheus-cpp's
// Histogram::Observe with 10 buckets; also with 2 threads on one series.
// And, on a running engine: >= 1M samples/s from one thread with the
// dashboard's rollups kept current (the dashboard scrapes every 100 ms
// here, 50x more often than the default), reporting how many samples the
// rollups still missed at the end (`rollup_missing`, must be 0).

#include "actors/metrics_dashboard/cells.hpp"

#include <chrono>
#include <thread>

#include "tools/bench/bench_engine.hpp"
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
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

/// The number of observations the dashboard's open `window` holds for every
/// series named `name`.
uint64_t rolled_up(argus::engine& eng, const std::string& name,
                   const std::string& window) {
  auto body = eng.dashboard_data();
  if (!body)
    return 0;
  uint64_t n = 0;
  auto dashboard = nlohmann::json::parse(*body);
  for (const auto& m : dashboard["metrics"])
    if (m["name"] == name && m["windows"].contains(window))
      n += m["windows"][window]["count"].get<uint64_t>();
  return n;
}

/// The dashboard updates every 100 ms (50x the default); no tracing.
void scrape_often(argus::config::engine_config& cfg) {
  cfg.metrics_dashboard.update_interval = std::chrono::milliseconds{100};
  cfg.advanced_tracer.enable_tracing = false;
}

/// A counter increment through a handle resolved from a running engine's
/// client, as the bot records: the cell's add plus the handle's check that
/// its engine still runs (after stop a handle records nothing, counted).
void engine_counter_handle_inc(benchmark::State& state) {
  static argus::bench::bench_engine b{"argus-bench-counter-handle", 1 << 14,
                                      scrape_often};
  static bool started = b.start(state);
  if (!started)
    return;
  auto h = b.eng.client().counter("orders_total", {{"venue", "binance"}});
  for (auto _ : state)
    h.inc();
  state.counters["after_stop"]
    = static_cast<double>(b.eng.client().counters().metric_records_after_stop);
}
BENCHMARK(engine_counter_handle_inc)->Threads(1);

/// Samples through pre-resolved handles into 64 series, one thread, while
/// the dashboard scrapes and rolls up every 100 ms.
void engine_samples_with_rollups(benchmark::State& state) {
  argus::bench::bench_engine b{"argus-bench-metrics", 1 << 14, scrape_often};
  if (!b.start(state))
    return;
  std::vector<argus::runtime::histogram_handle> series;
  for (int i = 0; i < 64; ++i)
    series.push_back(b.eng.client().histogram("bench_latency_seconds",
                                              {{"series", std::to_string(i)}}));
  uint64_t i = 0;
  for (auto _ : state) {
    series[i & 63].observe(sample(static_cast<int64_t>(i)) * 1e-6);
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  // Current: within two update intervals every sample is in the rollups.
  std::this_thread::sleep_for(std::chrono::milliseconds{250});
  auto rolled = rolled_up(b.eng, "bench_latency_seconds", "1d");
  state.counters["rollup_missing"]
    = static_cast<double>(rolled >= i ? 0 : i - rolled);
}
BENCHMARK(engine_samples_with_rollups)
  ->MinTime(2.0)
  ->Unit(benchmark::kNanosecond)
  ->UseRealTime();

/// Samples as events (`metric_sampled`, what arrives over the wire):
/// through the client queue and the dispatcher to the dashboard.
void engine_sample_events(benchmark::State& state) {
  argus::bench::bench_engine b{"argus-bench-metric-events", 1 << 16,
                               scrape_often};
  if (!b.start(state))
    return;
  argus::metric_sampled x;
  x.name = "bench_spread_bps";
  x.kind = argus::metric_kind::gauge;
  x.labels = {{"symbol", "BTCUSDT"}};
  uint64_t i = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    x.value = static_cast<double>(i++ & 1023);
    b.eng.client().record(x);
  }
  // Processed, not just queued: the flush returns once the dashboard took
  // every accepted sample.
  static_cast<void>(b.eng.flush());
  auto seconds
    = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
        .count();
  auto c = b.eng.client().counters();
  state.counters["processed_per_second"]
    = static_cast<double>(c.accepted) / seconds;
  state.counters["dropped_share"]
    = static_cast<double>(c.dropped_queue_full) / static_cast<double>(i);
}
BENCHMARK(engine_sample_events)
  ->MinTime(2.0)
  ->Unit(benchmark::kNanosecond)
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
