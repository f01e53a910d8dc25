#pragma once

#include "messages/header.hpp"

#include <cstdint>
#include <map>
#include <string>
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

  ARGUS_FIELDS(component_touch, corr, component, start_ns, end_ns, error)
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

  ARGUS_FIELDS(correlation_statistics, hdr, by_status, latency, paths, evicted)
};

/// Spans received over the wire, handed to the tracer together.
struct span_batch {
  static constexpr uint16_t version = 1;
  message_header hdr;
  std::vector<span_recorded> spans;

  ARGUS_FIELDS(span_batch, hdr, spans)
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
