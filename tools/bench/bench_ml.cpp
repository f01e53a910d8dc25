// ML monitor hot paths. Run on demand:
//   build/tools/bench_ml --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Targets: KS on 2 x 100 000 samples <= 15 ms; PSI against a stored
// reference in O(bins) per check; a streaming detector update <= 50 ns per
// sample; observing a 50-feature vector from the bot's thread never blocks.

#include "actors/ml_monitor/detectors.hpp"
#include "actors/ml_monitor/drift.hpp"
#include "actors/ml_monitor/windows.hpp"

#include <random>

#include "tools/bench/bench_engine.hpp"
#include <benchmark/benchmark.h>

namespace {

std::vector<double> normal_sample(uint64_t seed, size_t n, double shift) {
  std::mt19937_64 rng{seed};
  std::normal_distribution<double> d{shift, 1.0};
  std::vector<double> xs(n);
  for (auto& x : xs)
    x = d(rng);
  return xs;
}

void ks_2samp_100k(benchmark::State& state) {
  auto a = normal_sample(1, 100000, 0.0);
  auto b = normal_sample(2, 100000, 0.01);
  for (auto _ : state)
    benchmark::DoNotOptimize(argus::drift::ks_2samp(a, b));
}
BENCHMARK(ks_2samp_100k)->Unit(benchmark::kMillisecond);

/// A PSI check against a stored reference, from the window's bin counts.
void psi_check_stored_reference(benchmark::State& state) {
  argus::feature_reference ref{static_cast<size_t>(state.range(0))};
  ref.set_baseline(normal_sample(3, static_cast<size_t>(state.range(0)), 0));
  argus::feature_window win{static_cast<size_t>(state.range(0))};
  int64_t t = 0;
  for (auto x : normal_sample(4, static_cast<size_t>(state.range(0)), 0.2))
    win.observe(x, ++t, &ref);
  for (auto _ : state)
    benchmark::DoNotOptimize(win.psi(ref));
}
BENCHMARK(psi_check_stored_reference)->Arg(1000)->Arg(100000);

/// One observation into a feature's current window (ring + bin count).
void feature_window_observe(benchmark::State& state) {
  argus::feature_reference ref{1000};
  ref.set_baseline(normal_sample(5, 1000, 0));
  argus::feature_window win{1000};
  auto xs = normal_sample(6, 4096, 0.1);
  int64_t t = 0;
  for (auto _ : state) {
    win.observe(xs[static_cast<size_t>(t) & 4095], t, &ref);
    ++t;
  }
}
BENCHMARK(feature_window_observe);

template <class Detector>
void detector_update(benchmark::State& state) {
  Detector d;
  std::mt19937_64 rng{7};
  std::vector<double> xs(4096);
  for (auto& x : xs)
    x = std::bernoulli_distribution{0.2}(rng) ? 1.0 : 0.0;
  size_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(d.update(xs[i++ & 4095]));
}
BENCHMARK_TEMPLATE(detector_update, argus::adwin);
BENCHMARK_TEMPLATE(detector_update, argus::page_hinkley);
BENCHMARK_TEMPLATE(detector_update, argus::ddm);

/// The bot's thread: a 50-feature vector handed to the engine.
void client_record_features_50(benchmark::State& state) {
  argus::bench::bench_engine b{"argus-bench-ml", 1 << 16};
  if (!b.start(state))
    return;
  argus::features_observed x;
  x.model = {"gradient_boost", "v3"};
  for (int i = 0; i < 50; ++i)
    x.numeric["feature_" + std::to_string(i)] = i * 0.5;
  uint64_t dropped_before = b.eng.client().counters().dropped_queue_full;
  for (auto _ : state)
    benchmark::DoNotOptimize(b.eng.client().record(x));
  state.counters["dropped"] = static_cast<double>(
    b.eng.client().counters().dropped_queue_full - dropped_before);
}
BENCHMARK(client_record_features_50)->Iterations(50000);

} // namespace

BENCHMARK_MAIN();
