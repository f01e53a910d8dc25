#pragma once

#include "messages/interfaces.hpp"
#include "storage/sqlite_store.hpp"

#include <spdlog/logger.h>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

namespace argus::storage {

/// Everything the storage writer needs (mapped from `config::storage_config`).
struct storage_writer_config {
  writer_options db;
  /// Commit as soon as this many rows are pending.
  size_t batch_max_rows = 1000;
  /// Commit at least this often while rows are pending.
  std::chrono::milliseconds batch_interval{200};
  /// Rows held while SQLite fails; newer rows beyond this are dropped.
  size_t max_pending_rows = 200'000;
  /// Age after which rows of a table are deleted.
  std::map<table_id, std::chrono::seconds> retention;
  std::chrono::milliseconds retention_interval{60'000};
  size_t retention_batch_rows = 1000;
};

/// State of the storage writer: plain data and pure steps (time arrives as an
/// argument), so it is tested without an actor system.
struct storage_writer_state {
  static inline const char* name = "storage_writer";

  storage_writer_state() = default;
  storage_writer_state(const storage_writer_state&) = delete;
  storage_writer_state& operator=(const storage_writer_state&) = delete;

  /// Tries a last commit of whatever is still pending.
  ~storage_writer_state();

  /// Opens the database. Must succeed before anything else is called.
  caf::error init(storage_writer_config config,
                  std::shared_ptr<spdlog::logger> logger, int64_t now_ns);

  /// Buffers rows. Rows beyond `max_pending_rows` are dropped and counted.
  /// @returns the number of rows dropped.
  size_t add(std::vector<db_row>&& rows, int64_t now_ns);

  /// @returns whether a batch is due without waiting for the tick.
  bool batch_full() const noexcept {
    return pending.size() >= cfg.batch_max_rows;
  }

  /// Commits every pending row in one transaction. On failure the rows stay
  /// pending, the error is counted and kept, and the writer reports itself
  /// degraded until a commit succeeds again.
  caf::error commit(int64_t now_ns);

  /// Runs one retention step per table whose interval has passed.
  void retention_step(int64_t now_ns);

  /// @returns this component's status, with counters.
  component_status status(const message_header& hdr) const;

  storage_writer_config cfg;
  std::unique_ptr<sqlite_store> store;
  std::shared_ptr<spdlog::logger> log;
  std::vector<db_row> pending;
  /// When the oldest pending row arrived (storage lag), 0 if none.
  int64_t oldest_pending_ns = 0;
  int64_t started_at_ns = 0;
  int64_t last_retention_ns = 0;
  uint64_t received_rows = 0;
  uint64_t committed_rows = 0;
  uint64_t committed_batches = 0;
  uint64_t dropped_rows = 0;
  /// `dropped_rows` when the last flush was answered.
  uint64_t dropped_rows_at_flush = 0;

  /// @returns an error if rows were dropped since the last call (the flush
  /// that covers them must not acknowledge), and starts counting over.
  caf::error dropped_since_flush();
  uint64_t failed_commits = 0;
  uint64_t retention_deleted_rows = 0;
  /// The last commit's error; none while healthy.
  caf::error last_error;
  std::string last_error_text;
  /// Generation of the periodic tick (a stale tick is ignored).
  uint64_t tick_generation = 0;
};

/// Spawns the only writer of the SQLite file.
storage_writer_actor::behavior_type storage_writer(
  storage_writer_actor::stateful_pointer<storage_writer_state> self,
  storage_writer_config cfg, std::shared_ptr<spdlog::logger> log);

} // namespace argus::storage
