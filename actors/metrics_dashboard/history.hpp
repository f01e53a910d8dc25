#pragma once

// A metric's history: the points memory holds, and older ones from the
// database. Reading the database can take as long as the history is deep,
// so it runs in a reader actor on its own thread; the dashboard's handlers
// never wait for SQLite.

#include "messages/metrics.hpp"
#include "storage/reader.hpp"

#include <caf/typed_actor.hpp>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace argus {

/// @returns the view of `q`'s history from the points in `memory` and the
///          older ones in `stored` (points memory also holds are taken from
///          memory), by series then time.
metrics_view history_view(const metrics_query& q,
                          std::vector<metric_point> memory,
                          std::vector<metric_point> stored, int64_t now_ns);

/// @returns the part of `q` that memory does not cover (older than
///          `oldest_in_memory`, which is 0 when memory holds none), or
///          nothing when memory covers it all.
std::optional<metrics_query> stored_part(const metrics_query& q,
                                         int64_t oldest_in_memory);

/// Answers the stored part of a history query: the request carries the
/// part to read and a view holding the points from memory; the reply is
/// the whole view.
using history_reader_actor = caf::typed_actor<
  caf::replies_to<metrics_query, metrics_view>::with<metrics_view>>;

struct history_reader_state {
  static inline const char* name = "metrics_history_reader";

  std::string database_path;
  /// Opened at the first query, kept open, reopened after a failure.
  std::unique_ptr<storage::db_reader> reader;
  std::shared_ptr<spdlog::logger> log;

  /// @returns the stored points of `part` (none when the database cannot
  ///          be read, which is logged).
  std::vector<metric_point> read(const metrics_query& part);
};

/// Spawn detached: every read blocks its thread.
history_reader_actor::behavior_type history_reader(
  history_reader_actor::stateful_pointer<history_reader_state> self,
  std::string database_path, std::shared_ptr<spdlog::logger> log);

} // namespace argus
