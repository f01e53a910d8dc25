// Reports in a running engine. Run on demand (never from ctest):
//   build/tools/bench_reports --benchmark_repetitions=5
//
// report_pdf/FILLS_PER_DAY
//   A performance_summary PDF over 30 days of stored fills (FILLS_PER_DAY a
//   day, round trips on three symbols and two strategies), read, built,
//   rendered and written with the scheduler's own code (render_report),
//   while the engine records 20k spans/s from a bot thread (the other core
//   busy draining). Target: <= 1 s. Counters: fills (in the period),
//   bytes (of the PDF), reports_ok (runs that produced a PDF: every
//   iteration must, or the figure does not count).
//
// spans_while_rendering/RATE
//   The persisted-spans rate of one run with and without reports rendering:
//   a bot thread records RATE spans/s (every trace sampled, so every span is
//   a row) for 4 s with nothing else, then 4 s while another thread renders
//   performance_summary PDFs back to back. Each phase is flushed before the
//   next; each rate is the rows committed while its phase ran over the
//   phase's time (what storage kept up with, not what it caught up after).
//   The reports are asked of the engine (`generate_report`, as the API
//   asks), so its scheduler's worker renders them. Counters:
//   persisted_per_s_idle, persisted_per_s_rendering, ratio (target >= 0.9),
//   reports (rendered during the second phase), kept (rows over spans
//   recorded, summed over both phases: 2 when every span was stored),
//   dropped (spans lost to a full thread buffer, target 0).

#include "actors/report_scheduler/runner.hpp"
#include "messages/time.hpp"
#include "runtime/correlation.hpp"
#include "runtime/span.hpp"

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "tools/bench/bench_engine.hpp"

namespace {

using namespace argus;
using clock_type = std::chrono::steady_clock;
namespace rs = report_scheduler;

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t day = 86'400 * sec;
constexpr int days = 30;

/// Stores 30 days of fills ending now through the engine's client (the
/// dashboard stores them), waiting for room when the queue is full.
/// @returns the period's start.
int64_t store_fills(bench::bench_engine& fx, int per_day) {
  std::mt19937_64 rng{42};
  std::uniform_real_distribution<double> unit{0, 1};
  const char* symbols[] = {"BTCUSDT", "ETHUSDT", "SOLUSDT"};
  const char* tags[] = {"momentum", "mean_reversion"};
  const double prices[] = {30000, 2000, 60};
  auto now = wall_clock_ns();
  auto from = now - days * day;
  int n = 0;
  auto put = [&](trade_executed x) {
    while (!fx.eng.client().record(x))
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
  };
  for (int d = 0; d < days; ++d)
    for (int k = 0; k < per_day / 2; ++k) {
      auto s = static_cast<size_t>(unit(rng) * 3);
      auto t = from + d * day + (k * 2 + 1) * (day / per_day);
      auto price = prices[s] * (1 + 0.02 * (unit(rng) - 0.5));
      auto exit = price * (1 + 0.01 * (unit(rng) - 0.45));
      trade_executed open;
      open.trade_id = "t" + std::to_string(++n);
      open.order_id = "o" + std::to_string(n);
      open.symbol = symbols[s];
      open.side = trade_side::buy;
      open.quantity = 1;
      open.price = price;
      open.fee = price * 0.0004;
      open.strategy_tag = tags[k % 2];
      open.time_ns = t;
      auto close = open;
      close.trade_id = "t" + std::to_string(++n);
      close.order_id = "o" + std::to_string(n);
      close.side = trade_side::sell;
      close.price = exit;
      close.fee = exit * 0.0004;
      close.realized_pnl = exit - price;
      close.exit_reason = "target";
      close.time_ns = t + day / per_day / 2;
      put(open);
      put(close);
    }
  fx.eng.flush(std::chrono::minutes{2});
  return from;
}

rs::run_settings settings_of(bench::bench_engine& fx) {
  rs::run_settings s;
  s.database_path = fx.db_path();
  s.output_directory = (fx.dir / "reports").string();
  s.trading.starting_capital = 100'000;
  return s;
}

/// A bot thread recording `rate` spans/s in 1 ms chunks until stopped.
struct span_load {
  engine& eng;
  double rate;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> recorded{0};
  std::thread thread{[this] {
    run();
  }};

  void run() {
    runtime::correlation_source ids{11};
    auto per_chunk = static_cast<uint64_t>(rate / 1000);
    auto next = clock_type::now();
    correlation_id corr = ids.next();
    uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      for (uint64_t i = 0; i < per_chunk; ++i, ++n) {
        if (n % 6 == 0)
          corr = ids.next();
        runtime::scoped_span s{
          eng.client().span(component_type::analyst, "feature_engineering",
                            corr)};
        s.set("features_generated", int64_t{50});
        s.set("strategy_applied", "momentum_based");
      }
      recorded.store(n, std::memory_order_relaxed);
      next += std::chrono::milliseconds{1};
      std::this_thread::sleep_until(next);
    }
  }

  void join() {
    stop.store(true);
    if (thread.joinable())
      thread.join();
  }

  ~span_load() {
    join();
  }
};

rs::run_job pdf_job(int64_t from, int64_t to) {
  rs::run_job job;
  job.type = "performance_summary";
  job.format = config::report_format::pdf;
  job.period = {from, to, "Europe/Berlin"};
  return job;
}

void report_pdf(benchmark::State& state) {
  bench::bench_engine fx{"argus-bench-reports", 1 << 15,
                         [](config::engine_config& c) {
                           c.advanced_tracer.trace_sampling_rate = 0.1;
                         }};
  if (!fx.start(state))
    return;
  auto from = store_fills(fx, static_cast<int>(state.range(0)));
  auto to = wall_clock_ns();
  auto settings = settings_of(fx);
  span_load load{fx.eng, 20'000};
  uint64_t ok = 0;
  uint64_t fills = 0;
  size_t bytes = 0;
  uint64_t sequence = 0;
  for (auto _ : state) {
    auto job = pdf_job(from, to);
    job.sequence = ++sequence;
    auto r = rs::render_report(job, settings, std::nullopt, wall_clock_ns());
    if (!r) {
      state.SkipWithError(describe(r.error()).c_str());
      break;
    }
    ++ok;
    bytes = r->bytes.size();
    fills = r->doc.figures["performance"]["overall"].value("fills", uint64_t{0});
  }
  load.join();
  state.counters["reports_ok"] = static_cast<double>(ok);
  state.counters["fills"] = static_cast<double>(fills);
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(report_pdf)
  ->Arg(100)
  ->Arg(1000)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

int64_t span_rows(const std::string& db) {
  SQLite::Database conn{db, SQLite::OPEN_READONLY};
  conn.setBusyTimeout(5000);
  return conn.execAndGet("SELECT count(*) FROM spans").getInt64();
}

void spans_while_rendering(benchmark::State& state) {
  bench::bench_engine fx{"argus-bench-reports-spans", 1 << 15,
                         [](config::engine_config& c) {
                           c.advanced_tracer.trace_sampling_rate = 1.0;
                         }};
  if (!fx.start(state))
    return;
  auto from = store_fills(fx, 1000);
  auto rate = static_cast<double>(state.range(0));
  const auto phase = std::chrono::seconds{4};
  for (auto _ : state) {
    double kept = 0;
    auto phase_rate = [&](bool rendering, uint64_t& reports) {
      auto before = span_rows(fx.db_path());
      auto start = clock_type::now();
      std::atomic<bool> stop{false};
      std::thread renderer;
      // Reports asked of the engine, as the API asks: its scheduler's
      // worker renders them on a thread of its own.
      if (rendering)
        renderer = std::thread{[&] {
          while (!stop.load()) {
            report_requested req;
            req.report_type = "performance_summary";
            req.format = "pdf";
            req.range_start_ns = from;
            req.range_end_ns = wall_clock_ns();
            auto g = fx.eng.generate_report(req, std::chrono::minutes{1});
            if (g && g->status == "generated")
              ++reports;
          }
        }};
      uint64_t recorded = 0;
      {
        span_load load{fx.eng, rate};
        std::this_thread::sleep_for(phase);
        load.join();
        recorded = load.recorded.load();
      }
      // Rows committed while the phase ran, not after: the rate storage
      // kept up with.
      auto during = span_rows(fx.db_path()) - before;
      auto elapsed
        = std::chrono::duration<double>(clock_type::now() - start).count();
      stop.store(true);
      if (renderer.joinable())
        renderer.join();
      fx.eng.flush(std::chrono::minutes{2});
      kept += static_cast<double>(span_rows(fx.db_path()) - before)
              / static_cast<double>(std::max<uint64_t>(recorded, 1));
      return static_cast<double>(during) / elapsed;
    };
    uint64_t idle_reports = 0;
    uint64_t reports = 0;
    auto idle = phase_rate(false, idle_reports);
    auto busy = phase_rate(true, reports);
    state.counters["persisted_per_s_idle"] = idle;
    state.counters["persisted_per_s_rendering"] = busy;
    state.counters["ratio"] = idle > 0 ? busy / idle : 0;
    state.counters["reports"] = static_cast<double>(reports);
    // Rows over spans recorded, both phases (2.0: every span stored).
    state.counters["kept"] = kept;
  }
  state.counters["dropped"] = static_cast<double>(
    fx.component_counter("tracer", "dropped_buffer_full"));
}
BENCHMARK(spans_while_rendering)
  ->Arg(50'000)
  ->Arg(200'000)
  ->Iterations(1)
  ->Unit(benchmark::kSecond)
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
