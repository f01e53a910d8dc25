#pragma once

// An engine on a fresh database in a scratch directory, quiet, removed
// afterwards: what every engine-level benchmark runs against.

#include "runtime/engine.hpp"

#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <benchmark/benchmark.h>

namespace argus::bench {

struct bench_engine {
  std::filesystem::path dir;
  argus::engine eng;

  /// @param tune adjusts the config before the engine is built.
  bench_engine(const char* name, size_t queue_capacity,
               const std::function<void(config::engine_config&)>& tune = {})
      : dir(std::filesystem::temp_directory_path() / name),
        eng(make_config(dir, queue_capacity, tune), quiet()) {
  }

  ~bench_engine() {
    static_cast<void>(eng.stop());
    std::filesystem::remove_all(dir);
  }

  bench_engine(const bench_engine&) = delete;
  bench_engine& operator=(const bench_engine&) = delete;

  bool start(benchmark::State& state) {
    if (auto err = eng.start()) {
      state.SkipWithError(describe(err).c_str());
      return false;
    }
    return true;
  }

  /// @returns a counter of a component's status (0 when absent).
  uint64_t component_counter(const char* component, const char* name) {
    auto st = eng.status();
    if (!st)
      return 0;
    for (const auto& c : st->components)
      if (c.id == component) {
        auto it = c.counters.find(name);
        return it == c.counters.end() ? 0 : it->second;
      }
    return 0;
  }

  /// Waits, untimed, until the engine has taken everything the bot handed
  /// it (client queue empty, every span the threads recorded received by
  /// the tracer), so that a repetition starts with room: a benchmark of the
  /// accepted path never runs into a queue the one before left full.
  void settle() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
    while (std::chrono::steady_clock::now() < deadline) {
      if (eng.client().counters().queued == 0
          && component_counter("tracer", "received")
               >= component_counter("tracer", "recorded_by_threads"))
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    }
  }

  /// Records one ring's worth of spans on the calling thread, a few at a
  /// time with the tracer keeping up: a bot that has run for a few seconds
  /// has touched every page of its ring once (the first touch of each is a
  /// page fault, a cost of the first seconds, not of the steady state).
  void warm_span_ring(size_t ring_spans) {
    const auto corr = eng.client().new_correlation_id();
    for (size_t i = 0; i < ring_spans; ++i) {
      auto s = eng.client().span(component_type::analyst, "warm_up", corr);
      s.set("i", static_cast<int64_t>(i));
      if (i % 1024 == 1023)
        settle();
    }
    settle();
  }

  /// What a benchmark's calls did, counted from the engine: `accepted`
  /// (share of calls the engine took, must be 1) and `dropped`.
  struct acceptance {
    bench_engine& fx;
    bool spans;
    uint64_t dropped_before;

    acceptance(bench_engine& fx, bool spans)
        : fx(fx), spans(spans), dropped_before(dropped()) {
    }

    uint64_t dropped() {
      return spans ? fx.component_counter("tracer", "dropped_buffer_full")
                   : fx.eng.client().counters().dropped_queue_full;
    }

    void report(benchmark::State& state) {
      auto lost = static_cast<double>(dropped() - dropped_before);
      auto calls = static_cast<double>(state.iterations());
      state.counters["dropped"] = lost;
      state.counters["accepted"] = calls > 0 ? 1.0 - lost / calls : 0.0;
    }
  };

  std::string db_path() const {
    return (dir / "bench.db").string();
  }

  static config::engine_config
  make_config(const std::filesystem::path& dir, size_t queue_capacity,
              const std::function<void(config::engine_config&)>& tune) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    config::engine_config cfg;
    cfg.storage.path = (dir / "bench.db").string();
    cfg.runtime.client_queue_capacity = queue_capacity;
    if (tune)
      tune(cfg);
    return cfg;
  }

  static engine_options quiet() {
    engine_options opts;
    opts.log_sinks.push_back(std::make_shared<spdlog::sinks::null_sink_mt>());
    return opts;
  }
};

} // namespace argus::bench
