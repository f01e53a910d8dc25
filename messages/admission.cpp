#include "messages/admission.hpp"

#include "messages/error.hpp"
#include "messages/trace_context.hpp"

namespace argus {

namespace {

/// The first 32 bytes of a sender's text, for an error message.
std::string excerpt(const std::string& text) {
  return text.size() <= 32 ? text : text.substr(0, 32) + "...";
}

} // namespace

const char* to_string(span_defect x) {
  switch (x) {
    case span_defect::no_trace_id:
      return "no_trace_id";
    case span_defect::bad_trace_id:
      return "bad_trace_id";
    case span_defect::bad_span_id:
      return "bad_span_id";
    case span_defect::bad_parent_span_id:
      return "bad_parent_span_id";
    case span_defect::missing_time:
      return "missing_time";
    case span_defect::reversed_times:
      return "reversed_times";
  }
  return "unknown";
}

std::optional<span_defect> admit(span_recorded& x) {
  if (x.trace_id.empty()) {
    if (x.hdr.corr.empty())
      return span_defect::no_trace_id;
    x.trace_id = trace_id_for(x.hdr.corr).hex();
  } else if (!trace_id::from_hex(x.trace_id)) {
    return span_defect::bad_trace_id;
  }
  if (!span_id::from_hex(x.span_id))
    return span_defect::bad_span_id;
  if (!x.parent_span_id.empty() && !span_id::from_hex(x.parent_span_id))
    return span_defect::bad_parent_span_id;
  if (x.start_ns <= 0 || x.end_ns <= 0)
    return span_defect::missing_time;
  if (x.end_ns < x.start_ns)
    return span_defect::reversed_times;
  return std::nullopt;
}

std::string describe(span_defect defect, const span_recorded& x) {
  switch (defect) {
    case span_defect::no_trace_id:
      return "span has neither a trace_id nor a correlation id";
    case span_defect::bad_trace_id:
      return "span trace_id '" + excerpt(x.trace_id)
             + "' is not 32 lowercase hex digits (not all zero)";
    case span_defect::bad_span_id:
      return "span span_id '" + excerpt(x.span_id)
             + "' is not 16 lowercase hex digits (not all zero)";
    case span_defect::bad_parent_span_id:
      return "span parent_span_id '" + excerpt(x.parent_span_id)
             + "' is not 16 lowercase hex digits";
    case span_defect::missing_time:
      return "span start_ns and end_ns must both be set (got "
             + std::to_string(x.start_ns) + " and " + std::to_string(x.end_ns)
             + ")";
    case span_defect::reversed_times:
      return "span ends before it starts (start_ns "
             + std::to_string(x.start_ns) + ", end_ns "
             + std::to_string(x.end_ns) + ")";
  }
  return "span is invalid";
}

caf::error admit(inbound_event& x) {
  if (auto span = std::get_if<span_recorded>(&x))
    if (auto defect = admit(*span))
      return caf::make_error(ec::invalid_argument, describe(*defect, *span));
  return caf::none;
}

} // namespace argus
