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

/// @returns (component, operation, duration) of spans that started in
///          [from_ns, to_ns).
caf::expected<std::vector<std::tuple<std::string, std::string, int64_t>>>
span_durations(db_reader& r, int64_t from_ns, int64_t to_ns);

/// @returns the stored requests (`correlation_tracking`) that started since
///          `since_ns` (0: every one).
caf::expected<std::vector<request_outline>> requests(db_reader& r,
                                                     int64_t since_ns = 0);

/// @returns the stored spans of `corr`, by start time.
caf::expected<std::vector<span_recorded>> spans_for(db_reader& r,
                                                    const correlation_id& corr);

/// What `search_spans` looks for (Jaeger's trace search, over spans).
struct span_search {
  int64_t since_ns = 0;
  /// 0: no upper bound.
  int64_t until_ns = 0;
  std::string component;
  std::string operation;
  /// 0: no bound.
  int64_t min_duration_ns = 0;
  int64_t max_duration_ns = 0;
  bool errors_only = false;
  /// An attribute that must be present with this value (as text).
  std::string attribute_key;
  std::string attribute_value;
  size_t limit = 100;
  /// The cursor of the previous page (0: the first page).
  int64_t before_start_ns = 0;
  int64_t before_id = 0;
};

struct span_search_page {
  /// Newest first.
  std::vector<span_recorded> spans;
  /// Whether more match: the next page starts before this cursor.
  bool more = false;
  int64_t next_start_ns = 0;
  int64_t next_id = 0;
};

/// @returns the newest `limit` stored spans that match `filter`, by start
///          time then id, walking the start-time index.
caf::expected<span_search_page> search_spans(db_reader& r,
                                             const span_search& filter);

} // namespace argus::storage
