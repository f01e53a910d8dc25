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
  /// Commit as soon as this many rows are pending; also the most rows one
  /// transaction holds, so a backlog goes in as space allows (a full disk
  /// that frees a little takes the backlog chunk by chunk).
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

  /// Commits every pending row, at most `batch_max_rows` per transaction,
  /// oldest first. A row SQLite refuses for good is set aside (counted and
  /// logged) and every other row of its batch committed. On any other
  /// failure the rows not yet committed stay pending, the error is counted
  /// and kept, and the writer reports itself degraded until a commit
  /// succeeds again. On a full disk the write-ahead log is checkpointed
  /// and truncated first, so space that returns is used at once.
  caf::error commit(int64_t now_ns);

  /// Commits what is pending before the writer exits, logging what could
  /// not be committed.
  void final_commit(int64_t now_ns);

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
  /// Rows SQLite refused for good (a constraint, a type, their size).
  uint64_t rejected_rows = 0;
  /// `dropped_rows` and `rejected_rows` when the last flush was answered.
  uint64_t dropped_rows_at_flush = 0;
  uint64_t rejected_rows_at_flush = 0;
  /// Why the first row rejected since the last flush was refused.
  std::string first_rejection;

  /// @returns an error if rows were dropped or rejected since the last call
  /// (the flush that covers them must not acknowledge), and starts counting
  /// over.
  caf::error lost_since_flush();
  uint64_t failed_commits = 0;
  uint64_t retention_deleted_rows = 0;
  /// The last commit's error; none while healthy.
  caf::error last_error;
  std::string last_error_text;
  /// Generation of the periodic tick (a stale tick is ignored).
  uint64_t tick_generation = 0;

private:
  struct chunk_result {
    /// Rows from the front of the chunk that are done with: committed or
    /// set aside.
    size_t done;
    caf::error err;
  };

  /// Writes `count` pending rows from `first` in one transaction; if SQLite
  /// refuses a row, halves the range until the row is alone and sets it
  /// aside.
  chunk_result write_isolating(size_t first, size_t count, int64_t now_ns);

  void set_aside(const db_row& row, const caf::error& reason);
};

/// Spawns the only writer of the SQLite file.
storage_writer_actor::behavior_type storage_writer(
  storage_writer_actor::stateful_pointer<storage_writer_state> self,
  storage_writer_config cfg, std::shared_ptr<spdlog::logger> log);

} // namespace argus::storage
