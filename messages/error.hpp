#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>

#include <cstdint>
#include <string>

namespace argus {

/// The engine's error codes. Append-only: numbers are pinned per range and
/// never reused, because they cross process boundaries inside `caf::error`.
enum class ec : uint8_t {
  /// Not an error.
  none = 0,
  // -- generic (1..9) --------------------------------------------------------
  /// An error without a more specific code.
  unspecified = 1,
  /// A caller passed a value outside the accepted domain.
  invalid_argument = 2,
  /// A message announced a schema version this build cannot read.
  unsupported_version = 3,
  /// An operation did not finish within its deadline.
  timeout = 4,
  /// A bounded queue or history was full and the item was dropped.
  capacity_exceeded = 5,
  // -- config (10..19) -------------------------------------------------------
  /// The configuration is syntactically valid but semantically wrong.
  invalid_config = 10,
  /// A required configuration key or environment variable is missing.
  missing_config_key = 11,
  /// The configuration file could not be read or parsed.
  config_parse_error = 12,
  // -- storage (20..29) ------------------------------------------------------
  /// SQLite failed (I/O error, disk full, read-only, corrupt file).
  storage_failure = 20,
  /// The database is locked by another connection.
  storage_busy = 21,
  /// The database was written by a newer, unknown schema version.
  schema_mismatch = 22,
  /// The database file is full (disk or configured size budget).
  storage_full = 23,
  /// SQLite refused one row (a constraint, a type, its size) for good: the
  /// row is set aside, counted and logged, and the rest are committed.
  row_rejected = 24,
  // -- messaging (30..39) ----------------------------------------------------
  /// No record exists for the given correlation id.
  unknown_correlation = 30,
  /// A frame or message broke the wire protocol (malformed, oversized).
  protocol_violation = 31,
  /// A correlation id was empty, too long or had non-printable bytes.
  invalid_correlation_id = 32,
  // -- supervision (40..49) --------------------------------------------------
  /// A component is not running.
  component_down = 40,
  /// A component crashed more often than its restart budget allows.
  restart_limit_reached = 41,
  /// The engine is shutting down and accepts no more work.
  shutting_down = 42,
  // -- reports (50..59) ------------------------------------------------------
  /// A report could not be built or rendered.
  report_failed = 50,
  /// A report could not be delivered by e-mail.
  delivery_failed = 51,
};

/// @returns the enumerator name of `x`, e.g. `"storage_busy"`.
std::string to_string(ec x);

/// Renders an `argus` error category code for `caf::error` output.
std::string render_error_code(uint8_t code, const caf::message& context);

/// Renders any error for logs and status without an actor system at hand:
/// `argus::storage_full: <context>` for ours, CAF's own text otherwise.
std::string describe(const caf::error& x);

} // namespace argus

CAF_ERROR_CODE_ENUM(argus::ec, "argus")
