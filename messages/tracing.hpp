#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace argus {

/// The bot's component types (spec: `advanced_tracer.component_types`).
enum class component_type : uint8_t {
  analyst,
  strategist,
  tactician,
  supervisor,
  exchange,
  database,
  gui,
  monitoring,
};

/// @returns the spec's lower-case name, e.g. `"analyst"`.
const char* to_string(component_type x);

/// Parses a spec component name; @returns false for an unknown name.
bool parse_component_type(std::string_view name, component_type& out);

/// OpenTelemetry's span kinds (same numbering as the OTLP enum minus one).
enum class span_kind : uint8_t { internal, server, client, producer, consumer };

/// OpenTelemetry's status codes.
enum class span_status : uint8_t { unset, ok, error };

/// The type held by an `attribute`.
enum class attribute_type : uint8_t { string, integer, real, boolean };

/// One typed key/value pair on a span or event.
struct attribute {
  std::string key;
  attribute_type type = attribute_type::string;
  std::string text;
  int64_t integer = 0;
  double real = 0.0;
  bool boolean = false;

  ARGUS_FIELDS(attribute, key, type, text, integer, real, boolean)
};

/// A timed annotation inside a span.
struct span_event {
  std::string name;
  int64_t time_ns = 0;
  std::vector<attribute> attributes;

  ARGUS_FIELDS(span_event, name, time_ns, attributes)
};

/// OpenTelemetry's semantic conventions for an exception: an event named
/// `exception_event_name` with these attributes.
inline constexpr std::string_view exception_event_name = "exception";
inline constexpr std::string_view exception_type_key = "exception.type";
inline constexpr std::string_view exception_message_key = "exception.message";

/// A causal link to another span (many fills -> one order).
struct span_link {
  std::string trace_id; // 32 lowercase hex digits
  std::string span_id;  // 16 lowercase hex digits

  ARGUS_FIELDS(span_link, trace_id, span_id)
};

/// One finished span, as the bot's client hands it to the tracer.
struct span_recorded {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string trace_id;       // 32 lowercase hex digits
  std::string span_id;        // 16 lowercase hex digits
  std::string parent_span_id; // empty for a root span
  component_type component = component_type::monitoring;
  std::string operation;
  span_kind kind = span_kind::internal;
  span_status status = span_status::unset;
  std::string status_message;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<attribute> attributes;
  std::vector<span_event> events;
  std::vector<span_link> links;

  ARGUS_FIELDS(span_recorded, hdr, trace_id, span_id, parent_span_id, component,
               operation, kind, status, status_message, start_ns, end_ns,
               attributes, events, links)
};

/// The bot started handling a request (spec: `trace_request` enter).
struct request_started {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string operation;
  int64_t time_ns = 0;
  std::vector<attribute> metadata;

  ARGUS_FIELDS(request_started, hdr, operation, time_ns, metadata)
};

/// The bot finished handling a request (spec: `trace_request` exit).
struct request_finished {
  static constexpr uint16_t version = 1;
  message_header hdr;
  int64_t time_ns = 0;
  bool success = true;
  std::string error_type;
  std::string error_message;

  ARGUS_FIELDS(request_finished, hdr, time_ns, success, error_type,
               error_message)
};

/// A request the correlation manager saw finish, for its subscribers (the
/// live `traces` topic). Sent when the response arrives and again each time
/// spans collected later extend its path (`revision` counts those).
struct request_summary {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::string operation;
  /// completed, failed, late or orphan.
  std::string status;
  /// `analyst>strategist>exchange`.
  std::string path;
  /// The component of its root span (its first), if a span was seen.
  std::string component;
  int64_t started_ns = 0;
  int64_t finished_ns = 0;
  int64_t duration_ns = 0;
  uint64_t spans = 0;
  uint64_t error_spans = 0;
  std::string error_type;
  std::string error_message;
  uint32_t revision = 0;

  ARGUS_FIELDS(request_summary, hdr, operation, status, path, component,
               started_ns, finished_ns, duration_ns, spans, error_spans,
               error_type, error_message, revision)
};

/// Request starts and ends handed to the correlation manager together.
struct request_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<request_started> started;
  std::vector<request_finished> finished;

  ARGUS_FIELDS(request_batch, hdr, started, finished)

  size_t size() const noexcept {
    return started.size() + finished.size();
  }

  bool empty() const noexcept {
    return size() == 0;
  }
};

/// A span's footprint on its request, as the tracer tells the correlation
/// manager: which component did something, and when.
struct component_touch {
  correlation_id corr;
  component_type component = component_type::monitoring;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool error = false;
  /// The span's id and its parent's (0: none), as 64-bit integers, so the
  /// correlation manager can find the request's critical path.
  uint64_t span = 0;
  uint64_t parent = 0;
  /// For an error span: its `exception.type` attribute (or "error") and its
  /// status message.
  std::string error_type;
  std::string error_message;

  ARGUS_FIELDS(component_touch, corr, component, start_ns, end_ns, error, span,
               parent, error_type, error_message)
};

/// Footprints of the spans the tracer took in one round.
struct component_touches {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<component_touch> touches;

  ARGUS_FIELDS(component_touches, hdr, touches)
};

/// Latency figures of a set of requests (nearest-rank percentiles).
struct latency_summary {
  uint64_t count = 0;
  int64_t p50_ns = 0;
  int64_t p95_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;

  ARGUS_FIELDS(latency_summary, count, p50_ns, p95_ns, p99_ns, max_ns)
};

/// Requests that took one component path (e.g. `analyst>strategist>exchange`).
struct path_statistics {
  std::string path;
  latency_summary latency;
  uint64_t failed = 0;

  ARGUS_FIELDS(path_statistics, path, latency, failed)
};

/// One error of a request: a failed span, or the failed response itself
/// (component "request").
struct request_error {
  std::string component;
  std::string type;
  std::string message;
};

/// A request as the statistics see it; built from memory by the correlation
/// manager and read from the `correlation_tracking` table by the storage
/// reader, so live and offline figures are computed the same way.
struct request_outline {
  std::string corr;
  /// open, completed, failed, timed_out, late or orphan.
  std::string status;
  std::string path;
  int64_t duration_ns = 0;
  /// When the response came (from the database: its rank by response
  /// time); orders the most recent samples.
  int64_t finished_ns = 0;
  /// Critical-path time per component.
  std::vector<std::pair<std::string, int64_t>> critical;
  std::vector<request_error> errors;
};

/// Where the requests' time went: one component's share of the critical
/// paths (performance analysis).
struct component_time {
  std::string component;
  /// Time on the critical path spent in the component's own spans (not in
  /// the children it waited for), summed over the requests.
  int64_t critical_ns = 0;
  /// Of all requests' critical-path time, in [0, 1].
  double share = 0;
  /// Requests whose critical path went through the component.
  uint64_t requests = 0;

  ARGUS_FIELDS(component_time, component, critical_ns, share, requests)
};

/// Errors of the same kind in the same component (debug aggregation).
struct error_group_summary {
  /// The component whose span failed; "request" for a failed response with
  /// no failed span.
  std::string component;
  std::string type;
  std::string message;
  uint64_t count = 0;
  /// The most recent few, to look at with `argusctl trace`.
  std::vector<std::string> samples;

  ARGUS_FIELDS(error_group_summary, component, type, message, count, samples)
};

/// The correlation manager's statistics over the requests it holds.
struct correlation_statistics {
  static constexpr uint16_t version = 1;
  message_header hdr;
  /// Requests by status: open, completed, failed, timed_out, late, orphan.
  std::map<std::string, uint64_t> by_status;
  latency_summary latency;
  std::vector<path_statistics> paths;
  /// Requests dropped from memory to stay within max_correlation_history.
  uint64_t evicted = 0;
  /// Per component, largest share first (enable_performance_analysis).
  std::vector<component_time> critical_path;
  /// Most frequent first (enable_debug_aggregation).
  std::vector<error_group_summary> errors;

  ARGUS_FIELDS(correlation_statistics, hdr, by_status, latency, paths, evicted,
               critical_path, errors)
};

/// Latency of one operation of one component, from every span (sampled or
/// not).
struct operation_latency {
  component_type component = component_type::monitoring;
  std::string operation;
  latency_summary latency;
  uint64_t errors = 0;

  ARGUS_FIELDS(operation_latency, component, operation, latency, errors)
};

/// The tracer's live latency statistics over a window.
struct operation_latencies {
  static constexpr uint16_t version = 1;
  message_header hdr;
  int64_t window_ns = 0;
  std::vector<operation_latency> operations;

  ARGUS_FIELDS(operation_latencies, hdr, window_ns, operations)
};

/// Spans received over the wire, handed to the tracer together.
struct span_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<span_recorded> spans;

  ARGUS_FIELDS(span_batch, hdr, spans)

  size_t size() const noexcept {
    return spans.size();
  }

  bool empty() const noexcept {
    return spans.empty();
  }
};

/// The spans of one trace, as `export_trace_data(cid)` writes them in
/// msgpack (and reads them back).
struct trace_exported {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<span_recorded> spans;

  ARGUS_FIELDS(trace_exported, hdr, spans)
};

} // namespace argus

ARGUS_MSGPACK_ENUM(argus::component_type, argus::component_type::monitoring)
ARGUS_MSGPACK_ENUM(argus::span_kind, argus::span_kind::consumer)
ARGUS_MSGPACK_ENUM(argus::span_status, argus::span_status::error)
ARGUS_MSGPACK_ENUM(argus::attribute_type, argus::attribute_type::boolean)
