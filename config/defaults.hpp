#pragma once

// Engine limits that the spec does not name. Spec defaults live beside their
// fields in `config/components.hpp`, so each value is written once.

#include <chrono>
#include <cstddef>

namespace argus::config::defaults {

using namespace std::chrono_literals;

/// A configuration file larger than this is refused unread.
inline constexpr size_t max_config_file_bytes = size_t{1} << 20;

/// Nesting deeper than this is refused (the spec's tree is 4 deep).
inline constexpr size_t max_config_depth = 32;

/// The SQLite file argusd writes when the config names none.
inline constexpr const char* database_path = "argus.db";

/// Rows per storage transaction at most.
inline constexpr size_t batch_max_rows = 1000;

/// Longest a row waits before its batch is committed.
inline constexpr std::chrono::milliseconds batch_interval = 50ms;

/// Rows the storage writer holds while SQLite is failing; beyond: dropped.
inline constexpr size_t max_pending_rows = 200'000;

/// How long a writer waits on a locked database before reporting busy.
inline constexpr std::chrono::milliseconds busy_timeout = 1000ms;

/// How often the retention sweep runs, and rows it deletes per step.
inline constexpr std::chrono::milliseconds retention_interval = 60'000ms;
inline constexpr size_t retention_batch_rows = 1000;

/// Events the client queue holds before it drops (and counts) new ones.
inline constexpr size_t client_queue_capacity = 16384;

/// Restart budget of the supervisor: at most `max_restarts` within
/// `restart_window`, with exponential backoff between attempts.
inline constexpr size_t max_restarts = 5;
inline constexpr std::chrono::milliseconds restart_window = 60'000ms;
inline constexpr std::chrono::milliseconds restart_backoff_initial = 100ms;
inline constexpr std::chrono::milliseconds restart_backoff_max = 10'000ms;

/// How long a graceful stop may take before the engine gives up waiting.
inline constexpr std::chrono::milliseconds shutdown_timeout = 10'000ms;

} // namespace argus::config::defaults
