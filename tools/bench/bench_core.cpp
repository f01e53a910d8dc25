// Benchmarks of the engine's hot paths. Run on demand (never from ctest):
//   build/tools/bench_core --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Figures, machine and command go to docs/PERFORMANCE.md.

#include "messages/codec.hpp"
#include "runtime/bounded_queue.hpp"
#include "runtime/correlation.hpp"
#include "runtime/engine.hpp"
#include "runtime/span.hpp"

#include <spdlog/sinks/null_sink.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <benchmark/benchmark.h>

namespace {

argus::regime_recorded sample_regime() {
  argus::regime_recorded x;
  x.hdr.corr = *argus::correlation_id::parse("req_123");
  x.regime_type = "BULL_TREND";
  x.regime_confidence = 0.85;
  x.regime_probabilities
    = {{"BULL_TREND", 0.6}, {"BEAR_TREND", 0.2}, {"SIDEWAYS", 0.2}};
  x.regime_features = {"price_momentum", "volatility"};
  x.regime_indicators = {{"momentum_score", 0.7}, {"volatility_score", 0.3}};
  x.regime_transition_probability = 0.1;
  x.time_ns = 1'700'000'000'000'000'000;
  return x;
}

/// An engine on a fresh database in a scratch directory, quiet, removed
/// afterwards.
struct bench_engine {
  std::filesystem::path dir;
  argus::engine eng;

  bench_engine(const char* name, size_t queue_capacity)
      : dir(std::filesystem::temp_directory_path() / name),
        eng(make_config(dir, queue_capacity), quiet()) {
  }

  ~bench_engine() {
    static_cast<void>(eng.stop());
    std::filesystem::remove_all(dir);
  }

  bool start(benchmark::State& state) {
    if (auto err = eng.start()) {
      state.SkipWithError(argus::describe(err).c_str());
      return false;
    }
    return true;
  }

  static argus::config::engine_config
  make_config(const std::filesystem::path& dir, size_t queue_capacity) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    argus::config::engine_config cfg;
    cfg.storage.path = (dir / "bench.db").string();
    cfg.runtime.client_queue_capacity = queue_capacity;
    return cfg;
  }

  static argus::engine_options quiet() {
    argus::engine_options opts;
    opts.log_sinks.push_back(std::make_shared<spdlog::sinks::null_sink_mt>());
    return opts;
  }
};

void correlation_id_mint(benchmark::State& state) {
  argus::runtime::correlation_source ids{1};
  for (auto _ : state)
    benchmark::DoNotOptimize(ids.next());
}
BENCHMARK(correlation_id_mint);

void queue_push_pop(benchmark::State& state) {
  argus::runtime::bounded_queue<argus::inbound_event> q{1024};
  argus::inbound_event in{sample_regime()};
  argus::inbound_event out;
  for (auto _ : state) {
    auto copy = in;
    q.try_push(copy);
    q.try_pop(out);
  }
}
BENCHMARK(queue_push_pop);

void codec_encode_regime(benchmark::State& state) {
  argus::inbound_event ev{sample_regime()};
  for (auto _ : state)
    benchmark::DoNotOptimize(argus::codec::encode_event(ev));
}
BENCHMARK(codec_encode_regime);

void codec_decode_regime(benchmark::State& state) {
  auto bytes
    = argus::codec::encode_event(argus::inbound_event{sample_regime()});
  for (auto _ : state)
    benchmark::DoNotOptimize(argus::codec::decode_event(bytes));
}
BENCHMARK(codec_decode_regime);

/// The bot's cost of recording one event through the client (copy, queue
/// push and, now and then, a wake-up message), with the engine running
/// behind it.
void client_record_regime(benchmark::State& state) {
  bench_engine fx{"argus-bench", 1 << 16};
  if (!fx.start(state))
    return;
  auto& eng = fx.eng;
  auto x = sample_regime();
  for (auto _ : state)
    benchmark::DoNotOptimize(eng.client().record_regime_tracking(x));
  state.counters["dropped"]
    = static_cast<double>(eng.client().counters().dropped_queue_full);
}
// Fewer iterations than the queue holds, so every call takes the accepted
// path (the drop path is cheaper and would flatter the figure).
BENCHMARK(client_record_regime)->Iterations(50000);

/// Sustained throughput of the whole pipeline: client -> dispatcher ->
/// tracker -> storage writer -> SQLite COMMIT. Each iteration records a
/// batch the queue can hold and waits for the flush ack.
void engine_pipeline_regime(benchmark::State& state) {
  bench_engine fx{"argus-bench-pipeline", 1 << 14};
  if (!fx.start(state))
    return;
  auto& eng = fx.eng;
  auto x = sample_regime();
  int64_t accepted = 0;
  for (auto _ : state) {
    for (int i = 0; i < 10000; ++i)
      accepted += eng.client().record_regime_tracking(x);
    if (!eng.flush()) {
      state.SkipWithError("flush failed");
      break;
    }
  }
  state.SetItemsProcessed(accepted);
}
BENCHMARK(engine_pipeline_regime)->Unit(benchmark::kMillisecond)->UseRealTime();

/// A tracer stand-in: drains every ring on its own thread, as the tracer
/// actor does, so recording measures the accepted path.
struct span_drainer {
  argus::span_buffers buffers{1024};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> drained{0};
  std::thread thread{[this] {
    while (!stop.load(std::memory_order_relaxed)) {
      auto n = buffers.drain(4096, [](argus::span_slot& s) {
        delete s.overflow;
      });
      drained.fetch_add(n, std::memory_order_relaxed);
      if (n == 0)
        std::this_thread::yield();
    }
  }};
  ~span_drainer() {
    stop.store(true);
    thread.join();
  }
};

span_drainer& shared_drainer() {
  static span_drainer d;
  return d;
}

/// Issue 3's hot path: start and end a span with two attributes on the bot's
/// thread (target: <= 100 ns median).
void span_start_end_2_attributes(benchmark::State& state) {
  auto& d = shared_drainer();
  auto corr = *argus::correlation_id::parse("req_123");
  auto dropped_before = d.buffers.dropped();
  for (auto _ : state) {
    argus::runtime::scoped_span s{d.buffers, argus::component_type::analyst,
                                  "feature_engineering", corr};
    s.set("features_generated", int64_t{50});
    s.set("strategy_applied", "momentum_based");
  }
  state.counters["dropped"]
    = static_cast<double>(d.buffers.dropped() - dropped_before);
}
BENCHMARK(span_start_end_2_attributes);
BENCHMARK(span_start_end_2_attributes)->Threads(2);

} // namespace

BENCHMARK_MAIN();
