#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace argus {

/// The tables the storage writer fills. Numbers are pinned (append only).
enum class table_id : uint8_t {
  correlation_tracking = 0,
  model_behavior_tracking = 1,
  report_history = 2,
  ensemble_tracking = 3,
  regime_tracking = 4,
  spans = 5,
  metric_points = 6,
  trades = 7,
  decision_steps = 8,
  drift_results = 9,
  drift_alerts = 10,
  model_performance = 11,
  retrain_requests = 12,
  trading_state = 13,
  audit_log = 14,
  report_configs = 15,
  report_entries = 16,
};

/// The highest table id.
inline constexpr table_id last_table_id = table_id::report_entries;

/// @returns the SQL table name.
const char* to_string(table_id x);

/// One SQL value: NULL, INTEGER, REAL or TEXT.
struct db_value {
  enum class kind_t : uint8_t { null, integer, real, text };
  kind_t kind = kind_t::null;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;

  static db_value null() {
    return {};
  }
  static db_value of(int64_t x) {
    db_value r;
    r.kind = kind_t::integer;
    r.integer = x;
    return r;
  }
  static db_value of(double x) {
    db_value r;
    r.kind = kind_t::real;
    r.real = x;
    return r;
  }
  static db_value of(std::string x) {
    db_value r;
    r.kind = kind_t::text;
    r.text = std::move(x);
    return r;
  }

  ARGUS_FIELDS(db_value, kind, integer, real, text)
};

/// One row for one table; `values` follow the table's insert column order
/// (see `storage/schema.hpp`). `corr` is stored with every row.
struct db_row {
  table_id table = table_id::spans;
  correlation_id corr;
  std::vector<db_value> values;

  ARGUS_FIELDS(db_row, table, corr, values)
};

/// Rows a component hands to the storage writer.
struct persist_rows {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<db_row> rows;

  ARGUS_FIELDS(persist_rows, hdr, rows)
};

/// The storage writer's answer to a flush: everything it had received before
/// the flush is committed.
struct flush_ack {
  static constexpr uint16_t version = 1;
  message_header hdr;
  /// Rows committed since the writer started.
  uint64_t committed_rows = 0;

  ARGUS_FIELDS(flush_ack, hdr, committed_rows)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::db_value::kind_t, argus::db_value::kind_t::text)
ARGUS_MSGPACK_ENUM(argus::table_id, argus::last_table_id)
