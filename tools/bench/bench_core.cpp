// Benchmarks of the engine's hot paths. Run on demand (never from ctest):
//   build/tools/bench_core --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Figures, machine and command go to docs/PERFORMANCE.md.

#include "actors/tracer/tracer.hpp"
#include "config/defaults.hpp"
#include "messages/codec.hpp"
#include "messages/trace_context.hpp"
#include "runtime/bounded_queue.hpp"
#include "runtime/correlation.hpp"
#include "runtime/engine.hpp"
#include "runtime/privacy/redactor.hpp"
#include "runtime/span.hpp"
#include "storage/rows.hpp"
#include "storage/sqlite_store.hpp"

#include <atomic>
#include <filesystem>
#include <thread>

#include "tools/bench/bench_engine.hpp"
#include "tools/bench/bench_events.hpp"
#include <benchmark/benchmark.h>

namespace {

/// The spec's regime example with a fixed time (codec figures compare
/// across sessions).
argus::regime_recorded sample_regime() {
  auto x = argus::bench::sample_regime();
  x.time_ns = 1'700'000'000'000'000'000;
  return x;
}

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
  argus::bench::bench_engine fx{"argus-bench", 1 << 16};
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

/// Anonymising one regime event as the dispatcher does (the default keys
/// and e-mail pattern plus two more patterns, a keyed hash).
void redact_regime_event(benchmark::State& state) {
  argus::config::privacy_config cfg;
  cfg.redact_patterns.push_back(R"(sk_live_[A-Za-z0-9]{24})");
  cfg.redact_patterns.push_back(R"(ACC-[0-9]{8})");
  cfg.hash_key = argus::config::secret{"bench"};
  auto r = argus::privacy::redactor::make(cfg);
  if (!r) {
    state.SkipWithError("no redactor");
    return;
  }
  argus::inbound_event ev{sample_regime()};
  for (auto _ : state) {
    (*r)->apply(ev);
    benchmark::DoNotOptimize(ev);
  }
}
BENCHMARK(redact_regime_event);

/// Sustained throughput of the whole pipeline: client -> dispatcher ->
/// tracker -> storage writer -> SQLite COMMIT. Each iteration records a
/// batch the queue can hold and waits for the flush ack. Arg 1: with the
/// default anonymisation; 0: with none configured.
void engine_pipeline_regime(benchmark::State& state) {
  argus::bench::bench_engine fx{"argus-bench-pipeline", 1 << 14,
                                [&](argus::config::engine_config& c) {
                                  if (state.range(0) == 0) {
                                    c.privacy.redact_keys.clear();
                                    c.privacy.redact_patterns.clear();
                                  }
                                }};
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
BENCHMARK(engine_pipeline_regime)
  ->Arg(0)
  ->Arg(1)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

/// A tracer stand-in: drains every ring on its own thread, as the tracer
/// actor does, so recording measures the accepted path.
struct span_drainer {
  explicit span_drainer(size_t ring) : buffers(ring) {
  }
  argus::span_buffers buffers;
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

/// One drainer per ring size, for the whole run.
span_drainer& shared_drainer(size_t ring) {
  static span_drainer small{1024};
  static span_drainer standard{
    argus::config::tracer_config{}.thread_buffer_spans};
  return ring <= 1024 ? small : standard;
}

/// The tracer's hot path: start and end a span with two attributes on the bot's
/// thread (target: <= 100 ns median). range(0): ring slots per thread, 1 024
/// (fits in L2) or the default `thread_buffer_spans`.
/// The bot records far faster than one drainer on a shared core can empty
/// the rings, and a dropped span is cheaper than an accepted one. So that
/// the figure is the accepted path's, the loop stops the clock whenever the
/// drainer is more than half a ring behind and waits for it (the tracer's
/// real pace is measured by bench_sustained). `accepted` is the share of
/// spans that went into a ring; it should be 1.
void span_start_end_2_attributes(benchmark::State& state) {
  auto ring = static_cast<size_t>(state.range(0));
  auto& d = shared_drainer(ring);
  auto corr = *argus::correlation_id::parse("req_123");
  auto dropped_before = d.buffers.dropped();
  int64_t i = 0;
  for (auto _ : state) {
    argus::runtime::scoped_span s{d.buffers, argus::component_type::analyst,
                                  "feature_engineering", corr};
    s.set("features_generated", int64_t{50});
    s.set("strategy_applied", "momentum_based");
    s.end();
    if (++i % 128 == 0
        && d.buffers.pushed() - d.drained.load(std::memory_order_relaxed)
             > ring / 2) {
      state.PauseTiming();
      while (d.buffers.pushed() - d.drained.load(std::memory_order_relaxed)
             > ring / 4)
        std::this_thread::yield();
      state.ResumeTiming();
    }
  }
  auto dropped = static_cast<double>(d.buffers.dropped() - dropped_before);
  state.counters["dropped"] = dropped;
  // Per thread; both threads' counters are summed by the report.
  state.counters["accepted"] = benchmark::Counter(
    1.0 - dropped / static_cast<double>(state.iterations() * state.threads()),
    benchmark::Counter::kAvgThreads);
}
BENCHMARK(span_start_end_2_attributes)
  ->Arg(1024)
  ->Arg(argus::config::tracer_config{}.thread_buffer_spans);
BENCHMARK(span_start_end_2_attributes)->Arg(1024)->Threads(2);

} // namespace

namespace {

/// A span of the `i / 6`-th request; correlation ids are random, as a bot's
/// (UUID-like) ids are, so index inserts land all over the index.
argus::span_recorded sample_span(int i) {
  static argus::runtime::correlation_source ids{11};
  static argus::correlation_id current = ids.next();
  if (i % 6 == 0)
    current = ids.next();
  argus::span_recorded x;
  x.hdr.corr = current;
  x.trace_id = argus::trace_id_for(x.hdr.corr).hex();
  x.span_id = "00f067aa0ba902b7";
  x.component = argus::component_type::analyst;
  x.operation = "feature_engineering";
  x.status = argus::span_status::ok;
  x.start_ns = 1'700'000'000'000'000'000 + i * 1000;
  x.end_ns = x.start_ns + 5000;
  x.attributes
    = {{"features_generated", argus::attribute_type::integer, {}, 50, 0, false},
       {"strategy_applied", argus::attribute_type::string, "momentum_based", 0,
        0, false}};
  return x;
}

/// A kept span becoming its row (the tracer's cost per persisted span).
void span_to_row(benchmark::State& state) {
  auto x = sample_span(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(argus::storage::to_row(x));
}
BENCHMARK(span_to_row);

/// The tracer's cost per span taken from a thread's buffer: kept (converted,
/// held in memory, turned into a row) or sampled out (counted only).
void tracer_take_span(benchmark::State& state) {
  argus::config::tracer_config cfg;
  cfg.trace_sampling_rate = static_cast<double>(state.range(0)) / 100.0;
  argus::tracer_state st;
  st.init(cfg, nullptr, 0);
  argus::span_buffers buffers{1024};
  argus::runtime::correlation_source ids{3};
  argus::span_slot slot;
  {
    argus::runtime::scoped_span s{buffers, argus::component_type::analyst,
                                  "feature_engineering", ids.next()};
    s.set("features_generated", int64_t{50});
    s.set("strategy_applied", "momentum_based");
    slot = s.slot();
    s.end();
  }
  int64_t i = 0;
  for (auto _ : state) {
    if (i++ % 6 == 0)
      slot.corr = ids.next();
    benchmark::DoNotOptimize(st.take(slot));
  }
}
BENCHMARK(tracer_take_span)->Arg(100)->Arg(10);

/// A store on a fresh database in a scratch directory, removed afterwards.
struct scratch_store {
  std::filesystem::path dir;
  std::unique_ptr<argus::storage::sqlite_store> store;

  explicit scratch_store(const char* name)
      : dir(std::filesystem::temp_directory_path() / name) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    argus::storage::writer_options opts;
    opts.path = (dir / "bench.db").string();
    if (auto opened = argus::storage::sqlite_store::open(opts))
      store = std::move(*opened);
  }

  ~scratch_store() {
    store.reset();
    std::filesystem::remove_all(dir);
  }

  /// Writes span rows `from` to `from + n` in one transaction.
  bool write_spans(int from, int n) {
    std::vector<argus::db_row> batch;
    batch.reserve(static_cast<size_t>(n));
    for (int k = 0; k < n; ++k)
      batch.push_back(argus::storage::to_row(sample_span(from + k)));
    return !store->write(batch, 0);
  }
};

/// Times commits of `rows` span rows each into a fresh store (building the
/// rows untimed).
void time_span_commits(benchmark::State& state, const char* name, int rows) {
  scratch_store fx{name};
  if (!fx.store) {
    state.SkipWithError("cannot open store");
    return;
  }
  std::vector<argus::db_row> batch;
  int i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    for (int k = 0; k < rows; ++k)
      batch.push_back(argus::storage::to_row(sample_span(i++)));
    state.ResumeTiming();
    if (fx.store->write(batch, 0)) {
      state.SkipWithError("write failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * rows);
}

/// The storage writer's cost per span row: batches of 5000 in one
/// transaction, into the spans table and its three indexes.
void storage_write_span_rows(benchmark::State& state) {
  time_span_commits(state, "argus-bench-store", 5000);
}
BENCHMARK(storage_write_span_rows)->Unit(benchmark::kMillisecond);

/// What one retention step holds the writer for: deleting the oldest
/// `retention_batch_rows` (1000) spans of a table of `range(0)` rows, half
/// of them past the cutoff; `storage_commit_1000_span_rows` is the commit
/// of as many new rows (the writer's ordinary work), for comparison in the
/// same run. The writer runs one such step per table per tick, so this is
/// the longest a commit waits for retention. `deleted_per_step` must be
/// 1000: a step that found nothing measured nothing.
void storage_retention_step(benchmark::State& state) {
  scratch_store fx{"argus-bench-retention"};
  if (!fx.store) {
    state.SkipWithError("cannot open store");
    return;
  }
  const auto rows = static_cast<int>(state.range(0));
  for (int i = 0; i < rows; i += 5000)
    if (!fx.write_spans(i, std::min(5000, rows - i))) {
      state.SkipWithError("fill failed");
      return;
    }
  // sample_span's times are 1 µs apart from a fixed start.
  const int64_t cutoff = 1'700'000'000'000'000'000 + int64_t{rows / 2} * 1000;
  size_t deleted = 0;
  for (auto _ : state) {
    auto n = fx.store->delete_older_than(
      argus::table_id::spans, cutoff,
      argus::config::defaults::retention_batch_rows);
    if (!n) {
      state.SkipWithError("retention failed");
      break;
    }
    deleted += *n;
  }
  state.counters["deleted_per_step"]
    = static_cast<double>(deleted) / static_cast<double>(state.iterations());
}
BENCHMARK(storage_retention_step)
  ->Arg(1'000'000)
  ->Iterations(200)
  ->Unit(benchmark::kMillisecond);

/// The writer's ordinary commit of 1000 span rows (see above).
void storage_commit_1000_span_rows(benchmark::State& state) {
  time_span_commits(state, "argus-bench-commit", 1000);
}
BENCHMARK(storage_commit_1000_span_rows)
  ->Iterations(200)
  ->Unit(benchmark::kMillisecond);

} // namespace

// What the dashboard's health sampling costs the engine: one status round
// (the supervisor asks every component and merges their answers), as the
// dashboard asks it every `update_interval` (5 s by default). CPU time is
// the engine's, read from the process clock around the timed rounds.
void engine_status_round(benchmark::State& state) {
  argus::bench::bench_engine fx{"argus-bench-status", 1 << 14};
  if (!fx.start(state))
    return;
  uint64_t answered = 0;
  for (auto _ : state) {
    auto st = fx.eng.status();
    if (!st) {
      state.SkipWithError("no status");
      return;
    }
    answered += st->components.size();
  }
  state.counters["components"] = benchmark::Counter(
    static_cast<double>(answered), benchmark::Counter::kAvgIterations);
}
BENCHMARK(engine_status_round)
  ->Unit(benchmark::kMicrosecond)
  ->MeasureProcessCPUTime()
  ->UseRealTime();

BENCHMARK_MAIN();
