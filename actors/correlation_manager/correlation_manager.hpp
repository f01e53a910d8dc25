#pragma once

#include "actors/common/trace_tree.hpp"
#include "config/components.hpp"
#include "messages/interfaces.hpp"

#include <spdlog/logger.h>

#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace argus {

/// Where a request is in its life.
enum class request_status : uint8_t {
  open,
  completed,
  failed,
  /// Open past `correlation_timeout`.
  timed_out,
  /// Its response arrived after it had timed out.
  late,
  /// A response for a request nobody saw start.
  orphan,
};

const char* to_string(request_status x);

/// Nearest-rank p50, p95, p99 and max of `xs` (durations in ns).
latency_summary summarize_latencies(std::vector<int64_t> xs);

/// Counts by status, latency percentiles overall and per component path,
/// where the time goes (critical-path share per component, when
/// `performance`) and errors grouped by component, type and message with
/// the `samples` most recent correlation ids (when `debug`).
correlation_statistics
summarize_requests(const std::vector<request_outline>& requests,
                   bool performance = true, bool debug = true,
                   size_t samples = 5);

/// One span of a request: who, and where in the request's span tree.
struct request_span {
  component_type component = component_type::monitoring;
  span_extent extent;
};

/// What the correlation manager knows about one request.
struct request_record {
  /// Errors kept per request; the rest are counted in `error_spans` only.
  static constexpr size_t max_errors = 16;

  correlation_id corr;
  std::string operation;
  request_status status = request_status::open;
  int64_t started_ns = 0;
  int64_t finished_ns = 0;
  /// Every span of the request, for its path and critical path.
  std::vector<request_span> spans;
  uint64_t error_spans = 0;
  /// A failed span of the request.
  struct span_error {
    uint64_t span = 0;
    uint64_t parent = 0;
    request_error error;
  };
  /// Errors of its spans (up to `max_errors`).
  std::vector<span_error> span_errors;
  std::string error_type;
  std::string error_message;
  std::vector<attribute> metadata;

  /// @returns the components the request went through, in time order,
  ///          consecutive repeats collapsed: `analyst>strategist>exchange`.
  std::string component_path() const;

  /// @returns per component (in path order), the time of the request's
  ///          critical path spent in that component's own spans.
  std::vector<std::pair<std::string, int64_t>> critical_time() const;

  /// @returns where the request failed: its failed spans that have no
  ///          failed child (a parent failing because its child did is not
  ///          another error), or else the failed response as one error.
  std::vector<request_error> errors() const;

  /// @returns the request as the statistics see it.
  request_outline outline() const;

  /// @returns finish minus start, or 0 while open.
  int64_t duration_ns() const noexcept {
    return finished_ns > started_ns ? finished_ns - started_ns : 0;
  }
};

/// State of the CORRELATION MANAGER: request/response pairs per correlation
/// id (spec table `correlation_tracking`), timeouts, late responses and
/// orphans, and statistics per component path. Pure: time arrives as
/// arguments, so timeouts are tested without waiting.
struct correlation_manager_state {
  static inline const char* name = "correlation_manager";

  void init(config::correlation_manager_config config, int64_t now_ns);

  /// A request started. @returns its row.
  db_row start(const request_started& x);

  /// A request ended: completed or failed; `late` if it had timed out;
  /// `orphan` if it never started. @returns its row.
  db_row finish(const request_finished& x);

  /// A span of a request: extends its component path.
  void touch(const component_touch& x);

  /// Marks requests open longer than `correlation_timeout` as timed out.
  /// @returns their rows, plus those of finished requests whose path grew
  ///          since their row was written (spans are collected a little
  ///          after the response).
  std::vector<db_row> sweep(int64_t now_ns);

  /// @returns the rows of finished requests whose path grew since written.
  std::vector<db_row> take_dirty();

  /// @returns a summary of each request that finished, or whose path grew
  ///          after it finished, since the last call (none unless
  ///          `announcing`: nobody asked).
  std::vector<request_summary> take_announcements();

  /// @returns what subscribers are told about `r`.
  static request_summary summary_of(const request_record& r);

  correlation_statistics statistics(const message_header& hdr) const;

  component_status status(const message_header& hdr) const;

  /// @returns the record of `corr`, or nullptr.
  const request_record* find(const correlation_id& corr) const;

  /// @returns the `correlation_tracking` row of `x`.
  static db_row to_row(const request_record& x);

  config::correlation_manager_config cfg;
  std::unordered_map<correlation_id, request_record> records;
  /// Insertion order of `records`, for evicting the oldest.
  std::deque<correlation_id> order;
  /// Finished requests touched after their row was written.
  std::vector<correlation_id> dirty;
  int64_t started_at_ns = 0;
  uint64_t evicted = 0;
  uint64_t started_count = 0;
  uint64_t finished_count = 0;
  storage_writer_actor storage;
  std::shared_ptr<spdlog::logger> log;
  uint64_t tick_generation = 0;
  /// Requests to announce (finished, or grown after finishing), and how
  /// often each was announced; collected only while `announcing`.
  bool announcing = false;
  std::vector<correlation_id> to_announce;
  std::unordered_map<correlation_id, uint32_t> announced;
  std::vector<caf::actor> subscribers;

private:
  request_record& record_for(const correlation_id& corr);
};

correlation_manager_actor::behavior_type correlation_manager(
  correlation_manager_actor::stateful_pointer<correlation_manager_state> self,
  config::correlation_manager_config cfg, storage_writer_actor storage,
  std::shared_ptr<spdlog::logger> log);

} // namespace argus
