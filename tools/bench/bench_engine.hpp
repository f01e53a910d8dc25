#pragma once

// An engine on a fresh database in a scratch directory, quiet, removed
// afterwards: what every engine-level benchmark runs against.

#include "runtime/engine.hpp"

#include <spdlog/sinks/null_sink.h>

#include <filesystem>
#include <functional>

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
