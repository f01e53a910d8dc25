// Sustained tracing: spans recorded from one bot thread at a paced
// rate, through the real tracer and storage writer, into SQLite with its
// correlation-id index. Run on demand (never from ctest), one benchmark per
// process so that the peak RSS figure is that benchmark's:
//   build/tools/bench_sustained --benchmark_filter='sustained_spans/1000000/'
//   build/tools/bench_sustained --benchmark_filter='sustained_spans/250000/'
// ARGUS_BENCH_SECONDS sets the recording time (default 10 s);
// ARGUS_BENCH_BATCH_ROWS overrides storage.batch_max_rows and
// ARGUS_BENCH_RING advanced_tracer.thread_buffer_spans;
// ARGUS_BENCH_HTTP_PORT turns the HTTP API on at that port, with the viewer
// token ARGUS_BENCH_TOKEN (tools/bench/http/spans_under_load.sh puts it
// under API load).
//
// Counters:
//   recorded_per_s  spans the bot thread recorded per second (the pace held)
//   dropped         spans lost because a thread buffer was full (target: 0)
//   persisted_per_s rows in the spans table / (recording + catch-up time)
//   catch_up_ms     from the last span recorded to everything committed
//   probe_p50_ms, probe_p99_ms
//                   record -> queryable: a probe span every 20 ms, polled for
//                   with a read-only connection (target p99 <= 250 ms)
//   rss_peak_mb     the process's peak resident memory (VmHWM)
//   bot_ns_per_span the bot thread's time inside its recording loops (steady
//                   clock around each 1 ms chunk, pacing sleeps excluded)
//                   over spans recorded: a span's start, two attributes and
//                   end, target <= 100 ns. (The thread CPU clock ticks too
//                   coarsely on this VM for chunks of 10 spans.)
//   first_span_ns   of that, the first span of each chunk (mean): the span
//                   that finds the caches and TLB cold after the sleep
//   later_span_ns   the other spans of a chunk (mean), warm
// The span figure's setting is a running engine that keeps what it samples
// (10 %), at 10k, 100k and 1M spans/s, e.g.
//   build/tools/bench_sustained --benchmark_filter='sustained_spans/10000/10/'

#include "messages/trace_context.hpp"
#include "runtime/correlation.hpp"
#include "runtime/span.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/bench_engine.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_to_record() {
  if (auto env = std::getenv("ARGUS_BENCH_SECONDS"))
    return std::max(0.5, std::atof(env));
  return 10.0;
}

/// Peak resident set size of this process, in MiB.
double rss_peak_mb() {
  std::ifstream in{"/proc/self/status"};
  std::string key;
  while (in >> key) {
    if (key == "VmHWM:") {
      double kb = 0;
      in >> kb;
      return kb / 1024;
    }
    in.ignore(1 << 10, '\n');
  }
  return 0;
}

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           clock_type::now().time_since_epoch())
    .count();
}

double percentile(std::vector<double> xs, double q) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(q * static_cast<double>(xs.size()) + 0.999);
  return xs[std::clamp<size_t>(rank, 1, xs.size()) - 1];
}

/// Records probe spans (of sampled traces, so they are kept) and measures
/// how long each takes to show up in the database.
struct probe {
  argus::engine& eng;
  std::string db;
  double rate;
  std::atomic<bool> stop{false};
  std::vector<double> latencies_ms;
  uint64_t lost = 0;
  std::thread thread{[this] {
    run();
  }};

  void run() {
    SQLite::Database conn{db, SQLite::OPEN_READONLY};
    conn.setBusyTimeout(1000);
    SQLite::Statement q{conn, "SELECT 1 FROM spans WHERE correlation_id = ?"};
    for (int i = 0; !stop.load(); ++i) {
      // A correlation id whose trace the sampler keeps.
      std::string id = "probe-" + std::to_string(i);
      // With sampling off, an error span (always kept) is the probe.
      for (int k = 0; rate > 0; ++k) {
        id = "probe-" + std::to_string(i) + "-" + std::to_string(k);
        auto corr = *argus::correlation_id::parse(id);
        if (argus::sampled(argus::trace_id_for(corr), rate))
          break;
      }
      auto corr = *argus::correlation_id::parse(id);
      auto t0 = clock_type::now();
      {
        auto s
          = eng.client().span(argus::component_type::monitoring, "probe", corr);
        if (rate <= 0)
          s.error("probe");
      }
      bool found = false;
      while (!found && clock_type::now() - t0 < std::chrono::seconds{5}) {
        q.reset();
        q.bind(1, id);
        found = q.executeStep();
        if (!found)
          std::this_thread::sleep_for(std::chrono::milliseconds{1});
      }
      if (found)
        latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(clock_type::now() - t0)
            .count());
      else
        ++lost;
      std::this_thread::sleep_until(t0 + std::chrono::milliseconds{20});
    }
  }

  ~probe() {
    stop.store(true);
    thread.join();
  }
};

/// range(0): spans per second; range(1): trace_sampling_rate in percent.
void sustained_spans(benchmark::State& state) {
  auto rate = static_cast<double>(state.range(0));
  auto sampling = static_cast<double>(state.range(1)) / 100.0;
  auto seconds = seconds_to_record();
  size_t ring_spans = 0;
  argus::bench::bench_engine fx{
    "argus-bench-sustained", 1 << 14, [&](argus::config::engine_config& c) {
      c.advanced_tracer.trace_sampling_rate = sampling;
      if (auto env = std::getenv("ARGUS_BENCH_RING"))
        c.advanced_tracer.thread_buffer_spans = std::strtoul(env, nullptr, 10);
      if (auto env = std::getenv("ARGUS_BENCH_BATCH_ROWS"))
        c.storage.batch_max_rows = std::strtoul(env, nullptr, 10);
      // The HTTP API on, for a run under API load (tools/bench/http/
      // spans_under_load.sh) and the run without it that it compares to.
      if (auto port = std::getenv("ARGUS_BENCH_HTTP_PORT")) {
        c.gateway.enabled = true;
        c.gateway.port = static_cast<uint16_t>(std::strtoul(port, nullptr, 10));
        auto token = std::getenv("ARGUS_BENCH_TOKEN");
        c.gateway.tokens["bench"] = {"viewer",
                                     argus::config::secret{token ? token : ""}};
      }
      ring_spans = c.advanced_tracer.thread_buffer_spans;
    }};
  if (!fx.start(state))
    return;
  auto& eng = fx.eng;
  // The steady state, not the first seconds: every page of this thread's
  // ring touched once.
  fx.warm_span_ring(ring_spans);
  argus::runtime::correlation_source ids{7};
  for (auto _ : state) {
    uint64_t recorded = 0;
    int64_t bot_ns = 0;
    int64_t first_span_ns = 0;
    uint64_t chunks = 0;
    double catch_up_ms = 0;
    std::vector<double> probe_ms;
    uint64_t probes_lost = 0;
    auto start = clock_type::now();
    auto end = start
               + std::chrono::duration_cast<clock_type::duration>(
                 std::chrono::duration<double>(seconds));
    {
      probe p{eng, fx.db_path(), sampling};
      // Paced in 1 ms chunks: record the chunk's spans, then sleep.
      auto per_chunk = static_cast<uint64_t>(rate / 1000);
      auto next = start;
      argus::correlation_id corr = ids.next();
      while (next < end) {
        auto chunk_start = steady_ns();
        for (uint64_t i = 0; i < per_chunk; ++i, ++recorded) {
          if (i == 1)
            first_span_ns += steady_ns() - chunk_start;
          if (recorded % 6 == 0)
            corr = ids.next(); // a request of six spans
          argus::runtime::scoped_span s{eng.client().span(
            argus::component_type::analyst, "feature_engineering", corr)};
          s.set("features_generated", int64_t{50});
          s.set("strategy_applied", "momentum_based");
        }
        bot_ns += steady_ns() - chunk_start;
        ++chunks;
        next += std::chrono::milliseconds{1};
        std::this_thread::sleep_until(next);
      }
      auto recorded_at = clock_type::now();
      p.stop.store(true);
      p.thread.join();
      p.thread = std::thread{[] {}};
      if (!eng.flush(std::chrono::minutes{5})) {
        state.SkipWithError("flush failed");
        return;
      }
      catch_up_ms = std::chrono::duration<double, std::milli>(clock_type::now()
                                                              - recorded_at)
                      .count();
      probe_ms = p.latencies_ms;
      probes_lost = p.lost;
    }
    auto elapsed
      = std::chrono::duration<double>(clock_type::now() - start).count();
    SQLite::Database conn{fx.db_path(), SQLite::OPEN_READONLY};
    auto persisted = conn.execAndGet("SELECT count(*) FROM spans").getInt64();
    state.counters["recorded_per_s"] = static_cast<double>(recorded) / seconds;
    state.counters["dropped"] = static_cast<double>(
      fx.component_counter("tracer", "dropped_buffer_full"));
    state.counters["persisted"] = static_cast<double>(persisted);
    state.counters["persisted_per_s"]
      = static_cast<double>(persisted) / elapsed;
    state.counters["catch_up_ms"] = catch_up_ms;
    state.counters["probe_p50_ms"] = percentile(probe_ms, 0.50);
    state.counters["probe_p99_ms"] = percentile(probe_ms, 0.99);
    state.counters["probes_lost"] = static_cast<double>(probes_lost);
    state.counters["rss_peak_mb"] = rss_peak_mb();
    state.counters["first_span_ns"]
      = chunks > 0
          ? static_cast<double>(first_span_ns) / static_cast<double>(chunks)
          : 0.0;
    state.counters["later_span_ns"]
      = recorded > chunks ? static_cast<double>(bot_ns - first_span_ns)
                              / static_cast<double>(recorded - chunks)
                          : 0.0;
    state.counters["bot_ns_per_span"]
      = recorded > 0
          ? static_cast<double>(bot_ns) / static_cast<double>(recorded)
          : 0.0;
  }
}
BENCHMARK(sustained_spans)
  ->Args({10'000, 10})
  ->Args({100'000, 10})
  ->Args({1'000'000, 10})
  ->Args({1'000'000, 0})
  ->Args({200'000, 100})
  ->Args({250'000, 100})
  ->Iterations(1)
  ->Unit(benchmark::kSecond)
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
