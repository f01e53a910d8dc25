#pragma once

// `export_trace_data(cid)`: one trace as OTLP/JSON (so Jaeger or Grafana
// Tempo import the file as is), as argus's own JSON (the tree, for people and
// the REST API), or as msgpack (lossless, for tools).

#include "messages/tracing.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace argus {

/// The spans as an OTLP `ExportTraceServiceRequest` in the protobuf JSON
/// mapping of opentelemetry-proto: `resourceSpans` -> `scopeSpans` ->
/// `spans`; ids as lowercase hex, times as decimal strings of nanoseconds,
/// enums as integers. One resource per component type, whose
/// `service.name` is `<service_namespace>.<component>`, so each component
/// shows up as its own service.
nlohmann::json to_otlp_json(const std::vector<span_recorded>& spans,
                            const std::string& service_namespace = "ares");

/// What `from_otlp_json` read: the spans it could map, and for each one it
/// could not, where it was and why.
struct otlp_import {
  std::vector<span_recorded> spans;
  /// Where each of `spans` was: `resourceSpans[0].scopeSpans[1].spans[2]`.
  std::vector<std::string> where;
  /// `resourceSpans[0].scopeSpans[1].spans[2]: ...`
  std::vector<std::string> rejected;
};

/// Reads an OTLP `ExportTraceServiceRequest` in the protobuf JSON mapping,
/// as OpenTelemetry SDKs send it with `http/json`: ids as hex (either
/// case), times and 64-bit integers as decimal strings or numbers, enums as
/// integers or their names, unknown fields ignored. The component is the
/// resource's `argus.component`, else its `service.name` (or the part after
/// its last '.') when that names one, else `monitoring`. The correlation id
/// is the span's `argus.correlation_id` (or `correlation_id`) attribute,
/// which is then not kept as an attribute, else the trace id. Attribute
/// values that are arrays, maps or bytes are kept as their JSON text. The
/// spans are not validated further here: admission does that.
otlp_import from_otlp_json(const nlohmann::json& request);

/// The spans as argus's JSON: the tree in waterfall order with depth, start
/// offset, duration, self time, status, attributes and the critical path.
nlohmann::json to_trace_json(const std::vector<span_recorded>& spans);

/// The spans as a text waterfall for a terminal: one line per span in tree
/// order, indented by depth, with offset, duration, self time, a bar of
/// `bar_width` columns proportional to the span's place in the trace, `*`
/// on the critical path and the error message of failed spans.
std::string render_waterfall(const std::vector<span_recorded>& spans,
                             size_t bar_width = 40);

/// The spans as msgpack (a `trace_exported` body).
std::string to_trace_msgpack(const correlation_id& corr,
                             const std::vector<span_recorded>& spans);

/// Reads what `to_trace_msgpack` wrote (bounded, as every decode).
caf::expected<trace_exported> trace_from_msgpack(std::string_view bytes);

} // namespace argus
