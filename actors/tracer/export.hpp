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
