// What a restart of argus costs the metrics dashboard with a year of a
// bot's fills in its database. Run on demand:
//   build/tools/bench_restart --benchmark_repetitions=5 \
//     --benchmark_report_aggregates_only=true
// Setup, untimed, once: a year of fills (ARGUS_BENCH_FILLS_PER_DAY a day,
// 1 000 by default: 365 000 fills over five symbols and three strategies)
// written as the storage writer writes them, with the trading state the
// dashboard stored at its last minute tick before the end (a crash: the
// fills of the last minute are not in it).
// Target: the dashboard's start under 100 ms. Benchmarks:
//   engine_start_year_of_fills   an engine started on that database until
//                                the dashboard answers its status (its
//                                reload is done by then), then stopped
//                                untimed; reports the fills it read and
//                                the fills its figures cover;
//   trading_load_year_of_fills   the dashboard's load alone (stored state
//                                and the fills after it);
//   trading_replay_year_of_fills the peer: every stored fill read and
//                                folded into a book (what a start did
//                                before the state was stored).

#include "actors/metrics_dashboard/trading_store.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/readers/metrics.hpp"
#include "storage/rows.hpp"
#include "storage/sqlite_store.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>

#include "tools/bench/bench_engine.hpp"
#include <benchmark/benchmark.h>

namespace {

using namespace argus;

constexpr int64_t sec = 1'000'000'000;
constexpr int64_t day = 86'400 * sec;

int fills_per_day() {
  const char* text = std::getenv("ARGUS_BENCH_FILLS_PER_DAY");
  int n = text ? std::atoi(text) : 1000;
  return n < 1 ? 1 : n;
}

/// The scratch directory holding the year's database, made once.
struct year_of_fills {
  std::filesystem::path dir
    = std::filesystem::temp_directory_path() / "argus_bench_restart";
  std::string path = (dir / "bench.db").string();
  uint64_t fills = 0;

  year_of_fills() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    storage::writer_options opts;
    opts.path = path;
    auto store = storage::sqlite_store::open(opts);
    if (!store)
      std::abort();
    const char* symbols[]
      = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"};
    const char* tags[] = {"momentum", "mean_revert", "breakout"};
    std::mt19937_64 rng{7};
    std::uniform_real_distribution<double> unit{0, 1};
    const auto per_day = fills_per_day();
    const int64_t end = wall_clock_ns() - 30 * sec;
    const int64_t start = end - 365 * day;
    const int64_t step = day / per_day;
    trading_book book;
    bool saved = false;
    std::vector<db_row> rows;
    for (int64_t t = start; t < end; t += step) {
      trade_executed x;
      auto k = fills++;
      x.trade_id = "t" + std::to_string(k);
      x.symbol = symbols[k % 5];
      x.strategy_tag = tags[k % 3];
      x.side = k % 2 ? trade_side::sell : trade_side::buy;
      x.quantity = 0.1 + unit(rng);
      x.price = 100 * (1 + unit(rng));
      x.fee = 0.001 * x.quantity * x.price;
      x.realized_pnl = k % 2 ? (unit(rng) - 0.48) * 5 : 0;
      x.exit_reason = k % 2 ? "take_profit" : "";
      x.time_ns = t;
      book.add(x);
      rows.push_back(storage::to_row(x));
      // The last minute tick's state, a minute before the end.
      if (!saved && t >= end - 60 * sec) {
        rows.push_back(trading_state_row(book, t));
        saved = true;
      }
      if (rows.size() >= 10000) {
        if ((*store)->write(rows.data(), rows.size(), t))
          std::abort();
        rows.clear();
      }
    }
    if (!saved)
      rows.push_back(trading_state_row(book, end));
    if ((*store)->write(rows.data(), rows.size(), end))
      std::abort();
  }

  ~year_of_fills() {
    std::filesystem::remove_all(dir);
  }
};

year_of_fills& data() {
  static year_of_fills y;
  return y;
}

void engine_start_year_of_fills(benchmark::State& state) {
  auto& y = data();
  uint64_t read = 0;
  uint64_t covered = 0;
  for (auto _ : state) {
    config::engine_config cfg;
    cfg.storage.path = y.path;
    engine eng{cfg, bench::bench_engine::quiet()};
    if (auto err = eng.start()) {
      state.SkipWithError(describe(err).c_str());
      return;
    }
    auto st = eng.status();
    state.PauseTiming();
    if (!st) {
      state.SkipWithError("no status");
      return;
    }
    for (const auto& c : st->components)
      if (c.id == "metrics_dashboard") {
        read = c.counters.at("reloaded_trades");
        covered = c.counters.at("trades_total");
      }
    static_cast<void>(eng.stop());
    state.ResumeTiming();
  }
  state.counters["fills_read"] = static_cast<double>(read);
  state.counters["fills_covered"] = static_cast<double>(covered);
  state.counters["fills_stored"] = static_cast<double>(y.fills);
}
BENCHMARK(engine_start_year_of_fills)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

void trading_load_year_of_fills(benchmark::State& state) {
  auto& y = data();
  auto reader = storage::db_reader::open(y.path);
  uint64_t read = 0;
  uint64_t covered = 0;
  for (auto _ : state) {
    trading_book book;
    auto loaded = load_trading(**reader, book);
    if (!loaded || !loaded->from_state) {
      state.SkipWithError("no stored state");
      return;
    }
    read = loaded->fills_read;
    covered = book.fills();
    benchmark::DoNotOptimize(book.overall());
  }
  state.counters["fills_read"] = static_cast<double>(read);
  state.counters["fills_covered"] = static_cast<double>(covered);
}
BENCHMARK(trading_load_year_of_fills)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

void trading_replay_year_of_fills(benchmark::State& state) {
  auto& y = data();
  auto reader = storage::db_reader::open(y.path);
  uint64_t covered = 0;
  for (auto _ : state) {
    trading_book book;
    auto fills = storage::trades(**reader, ~size_t{0} >> 1);
    if (!fills) {
      state.SkipWithError("cannot read fills");
      return;
    }
    for (const auto& x : *fills)
      book.add(x);
    covered = book.fills();
    benchmark::DoNotOptimize(book.overall());
  }
  state.counters["fills_covered"] = static_cast<double>(covered);
}
BENCHMARK(trading_replay_year_of_fills)
  ->Unit(benchmark::kMillisecond)
  ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
