#pragma once

// A real engine on a temporary database, its logs in a ring buffer.

#include "runtime/engine.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace argus::test {

struct engine_fixture {
  temp_dir dir;
  config::engine_config cfg;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> logs
    = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);

  engine_fixture() {
    cfg.storage.path = dir.file("engine.db");
    cfg.runtime.threads = 2;
  }

  engine_options options() {
    engine_options opts;
    opts.log_sinks.push_back(logs);
    opts.log_level = "debug";
    return opts;
  }

  int64_t rows(const std::string& table) {
    SQLite::Database db{cfg.storage.path, SQLite::OPEN_READONLY};
    return db.execAndGet("SELECT count(*) FROM " + table).getInt64();
  }
};

} // namespace argus::test
