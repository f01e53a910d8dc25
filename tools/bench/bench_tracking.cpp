// The tracking hot path: the bot records an ensemble decision or a regime
// observation from its own thread. Target: no more than recording a span
// with the same number of fields. Run on demand (never from ctest):
//   build/tools/bench_tracking --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Each case builds its record from scratch on every iteration, as a bot
// does (the events in a function the compiler may inline, as a bot's
// would be), and hands it to a running engine's client: events go through the
// client queue, spans into the thread's span ring, both drained by the
// engine behind them. Figures, machine and command go to
// docs/PERFORMANCE.md.

#include "config/defaults.hpp"
#include "runtime/engine.hpp"

#include <thread>

#include "tools/bench/bench_engine.hpp"
#include "tools/bench/bench_events.hpp"
#include <benchmark/benchmark.h>

namespace {

using argus::component_type;

const auto corr = *argus::correlation_id::parse("req_123");

// Fewer iterations than the client queue (and a span ring) holds, and each
// repetition starts on a settled engine, so every call takes the accepted
// path (dropping is cheaper and would flatter the figure): `accepted` must
// be 1 and `dropped` 0, or the figure does not count.
constexpr int64_t iterations = 12000;

/// The client queue's default capacity.
constexpr size_t queue_capacity
  = argus::config::defaults::client_queue_capacity;

/// One engine for the whole run, with the default queue. Its cells and the
/// thread's span ring are first used once, as by a bot that has run for a
/// few seconds: the steady state, where the client queue recycles what the
/// bot allocated (see `bounded_queue::try_pop_copy`) and the ring's pages
/// are resident.
argus::bench::bench_engine& engine(benchmark::State& state) {
  static argus::bench::bench_engine fx{"argus-bench-tracking", queue_capacity};
  static bool started = [&] {
    if (!fx.start(state))
      return false;
    auto& c = fx.eng.client();
    for (size_t i = 0; i < 2 * queue_capacity; ++i)
      while (!c.record_regime_tracking(argus::bench::sample_regime()))
        std::this_thread::yield();
    fx.warm_span_ring(
      argus::config::engine_config{}.advanced_tracer.thread_buffer_spans);
    return static_cast<bool>(fx.eng.flush());
  }();
  if (!started)
    state.SkipWithError("engine did not start");
  return fx;
}

/// Runs `record(client)` as the timed loop on a settled engine and reports
/// how many calls it took (`spans`: count the span rings' drops, else the
/// client queue's).
template <class Record>
void run_accepted(benchmark::State& state, bool spans, Record record) {
  auto& fx = engine(state);
  auto& client = fx.eng.client();
  fx.settle();
  argus::bench::bench_engine::acceptance calls{fx, spans};
  for (auto _ : state)
    record(client);
  calls.report(state);
}

/// 12 fields: id, type, 3 predictions, 3 weights, final prediction,
/// confidence, meta-learner prediction and confidence.
void record_ensemble_event(benchmark::State& state) {
  run_accepted(state, false, [](auto& client) {
    benchmark::DoNotOptimize(
      client.record_ensemble_tracking(argus::bench::sample_ensemble()));
  });
}
BENCHMARK(record_ensemble_event)->Iterations(iterations);

/// A span with the same 12 fields as attributes: six of them fit the
/// span's inline slots, the other six take the allocating overflow path.
void record_span_12_attributes(benchmark::State& state) {
  run_accepted(state, true, [](auto& client) {
    auto s = client.span(component_type::analyst, "ensemble_decision", corr);
    s.set("ensemble_id", "ensemble_1");
    s.set("ensemble_type", "regime_ensemble");
    s.set("prediction.gradient_boost", 0.71);
    s.set("prediction.lstm", 0.64);
    s.set("prediction.random_forest", 0.58);
    s.set("weight.gradient_boost", 0.4);
    s.set("weight.lstm", 0.35);
    s.set("weight.random_forest", 0.25);
    s.set("final_prediction", "buy");
    s.set("confidence", 0.78);
    s.set("meta_learner_prediction", "hold");
    s.set("meta_learner_confidence", 0.66);
    s.end();
  });
}
BENCHMARK(record_span_12_attributes)->Iterations(iterations);

/// A span with as many attributes as fit inline (6): the allocation-free
/// span path, for scale against both events.
void record_span_6_attributes(benchmark::State& state) {
  run_accepted(state, true, [](auto& client) {
    auto s = client.span(component_type::analyst, "ensemble_decision", corr);
    s.set("ensemble_id", "ensemble_1");
    s.set("prediction.gradient_boost", 0.71);
    s.set("prediction.lstm", 0.64);
    s.set("prediction.random_forest", 0.58);
    s.set("final_prediction", "buy");
    s.set("confidence", 0.78);
    s.end();
  });
}
BENCHMARK(record_span_6_attributes)->Iterations(iterations);

/// 11 fields: type, confidence, 3 probabilities, 2 features, 2 indicators,
/// transition probability, duration.
void record_regime_event(benchmark::State& state) {
  run_accepted(state, false, [](auto& client) {
    benchmark::DoNotOptimize(
      client.record_regime_tracking(argus::bench::sample_regime()));
  });
}
BENCHMARK(record_regime_event)->Iterations(iterations);

/// A span with the same 11 fields as attributes.
void record_span_11_attributes(benchmark::State& state) {
  run_accepted(state, true, [](auto& client) {
    auto s
      = client.span(component_type::analyst, "regime_classification", corr);
    s.set("regime_type", "BULL_TREND");
    s.set("regime_confidence", 0.85);
    s.set("probability.BULL_TREND", 0.6);
    s.set("probability.BEAR_TREND", 0.2);
    s.set("probability.SIDEWAYS", 0.2);
    s.set("feature.0", "price_momentum");
    s.set("feature.1", "volatility");
    s.set("indicator.momentum_score", 0.7);
    s.set("indicator.volatility_score", 0.3);
    s.set("regime_transition_probability", 0.1);
    s.set("regime_duration", int64_t{3600});
    s.end();
  });
}
BENCHMARK(record_span_11_attributes)->Iterations(iterations);

} // namespace

BENCHMARK_MAIN();
