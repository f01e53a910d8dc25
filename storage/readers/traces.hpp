#pragma once

// Stored spans and requests: slowest traces, error groups, span durations,
// the requests the correlation manager wrote, one trace's spans.

#include "messages/tracing.hpp"
#include "storage/reader.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace argus::storage {

/// One trace, summarized (for "slowest traces").
struct trace_summary {
  std::string correlation_id;
  std::string trace_id;
  int64_t start_ns = 0;
  int64_t duration_ns = 0;
  int64_t spans = 0;
  int64_t errors = 0;
};

/// Error spans grouped by component and message.
struct error_group {
  std::string component;
  std::string message;
  int64_t count = 0;
  int64_t last_ns = 0;
  /// A few correlation ids to look at (`argusctl trace <id>`).
  std::vector<std::string> samples;
};

/// @returns the `limit` slowest traces that started at or after `since_ns`.
caf::expected<std::vector<trace_summary>>
slowest_traces(db_reader& r, int64_t since_ns, size_t limit);

/// @returns error spans since `since_ns`, grouped, most frequent first.
caf::expected<std::vector<error_group>>
error_groups(db_reader& r, int64_t since_ns, size_t limit);

/// @returns (component, operation, duration) of spans since `since_ns`.
caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
span_durations(db_reader& r, int64_t since_ns);

/// @returns the stored requests (`correlation_tracking`) that started since
///          `since_ns` (0: every one).
caf::expected<std::vector<request_outline>> requests(db_reader& r,
                                                     int64_t since_ns = 0);

/// @returns the stored spans of `corr`, by start time.
caf::expected<std::vector<span_recorded>> spans_for(db_reader& r,
                                                    const correlation_id& corr);

} // namespace argus::storage
