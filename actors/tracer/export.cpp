#include "actors/tracer/export.hpp"

#include "actors/common/trace_tree.hpp"
#include "messages/codec.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

namespace argus {

namespace {

using nlohmann::json;

/// OTLP's AnyValue for one attribute (64-bit integers are strings in the
/// protobuf JSON mapping).
json otlp_value(const attribute& a) {
  switch (a.type) {
    case attribute_type::string:
      return {{"stringValue", a.text}};
    case attribute_type::integer:
      return {{"intValue", std::to_string(a.integer)}};
    case attribute_type::real:
      return {{"doubleValue", a.real}};
    case attribute_type::boolean:
      return {{"boolValue", a.boolean}};
  }
  return {{"stringValue", a.text}};
}

json otlp_attributes(const std::vector<attribute>& xs) {
  json result = json::array();
  for (const auto& a : xs)
    result.push_back({{"key", a.key}, {"value", otlp_value(a)}});
  return result;
}

json otlp_string_attribute(const std::string& key, const std::string& value) {
  return {{"key", key}, {"value", {{"stringValue", value}}}};
}

json plain_value(const attribute& a) {
  switch (a.type) {
    case attribute_type::string:
      return a.text;
    case attribute_type::integer:
      return a.integer;
    case attribute_type::real:
      return a.real;
    case attribute_type::boolean:
      return a.boolean;
  }
  return a.text;
}

const char* status_name(span_status x) {
  switch (x) {
    case span_status::unset:
      return "unset";
    case span_status::ok:
      return "ok";
    case span_status::error:
      return "error";
  }
  return "unset";
}

json otlp_span(const span_recorded& s) {
  json span{
    {"traceId", s.trace_id},
    {"spanId", s.span_id},
    {"name", s.operation},
    // OTLP numbers span kinds from 1 (SPAN_KIND_INTERNAL); 0 is unspecified.
    {"kind", static_cast<int>(s.kind) + 1},
    {"startTimeUnixNano", std::to_string(s.start_ns)},
    {"endTimeUnixNano", std::to_string(s.end_ns)},
  };
  if (!s.parent_span_id.empty())
    span["parentSpanId"] = s.parent_span_id;
  auto attrs = otlp_attributes(s.attributes);
  attrs.push_back(
    otlp_string_attribute("argus.correlation_id", s.hdr.corr.str()));
  span["attributes"] = std::move(attrs);
  json events = json::array();
  for (const auto& e : s.events)
    events.push_back({{"timeUnixNano", std::to_string(e.time_ns)},
                      {"name", e.name},
                      {"attributes", otlp_attributes(e.attributes)}});
  if (!events.empty())
    span["events"] = std::move(events);
  json links = json::array();
  for (const auto& l : s.links)
    links.push_back({{"traceId", l.trace_id}, {"spanId", l.span_id}});
  if (!links.empty())
    span["links"] = std::move(links);
  json status{{"code", static_cast<int>(s.status)}};
  if (!s.status_message.empty())
    status["message"] = s.status_message;
  span["status"] = std::move(status);
  return span;
}

} // namespace

json to_otlp_json(const std::vector<span_recorded>& spans,
                  const std::string& service_namespace) {
  // Group by component, keeping the components' order stable.
  std::map<int, std::vector<const span_recorded*>> by_component;
  for (const auto& s : spans)
    by_component[static_cast<int>(s.component)].push_back(&s);
  json resource_spans = json::array();
  for (const auto& [component, members] : by_component) {
    auto name = to_string(static_cast<component_type>(component));
    json out = json::array();
    for (auto s : members)
      out.push_back(otlp_span(*s));
    resource_spans.push_back(
      {{"resource",
        {{"attributes",
          json::array(
            {otlp_string_attribute("service.name",
                                   service_namespace + "." + name),
             otlp_string_attribute("service.namespace", service_namespace),
             otlp_string_attribute("argus.component", name)})}}},
       {"scopeSpans",
        json::array({{{"scope", {{"name", "argus"}, {"version", "0.1.0"}}},
                      {"spans", std::move(out)}}})}});
  }
  return {{"resourceSpans", std::move(resource_spans)}};
}

json to_trace_json(const std::vector<span_recorded>& spans) {
  auto tree = build_trace_tree(spans);
  json out = json::array();
  for (const auto& n : tree.nodes) {
    const auto& s = spans[n.span];
    json attrs = json::object();
    for (const auto& a : s.attributes)
      attrs[a.key] = plain_value(a);
    out.push_back({{"span_id", s.span_id},
                   {"parent_span_id", s.parent_span_id},
                   {"component", to_string(s.component)},
                   {"operation", s.operation},
                   {"depth", n.depth},
                   {"start_offset_ns", n.start_offset_ns},
                   {"duration_ns", n.duration_ns},
                   {"self_ns", n.self_ns},
                   {"critical", n.critical},
                   {"status", status_name(s.status)},
                   {"status_message", s.status_message},
                   {"attributes", std::move(attrs)}});
  }
  json critical = json::array();
  for (auto n : tree.critical_path)
    critical.push_back(spans[tree.nodes[n].span].span_id);
  json result{{"span_count", spans.size()},
              {"start_ns", tree.start_ns},
              {"duration_ns", tree.duration_ns()},
              {"spans", std::move(out)},
              {"critical_path", std::move(critical)}};
  if (!spans.empty()) {
    result["correlation_id"] = spans.front().hdr.corr.str();
    result["trace_id"] = spans.front().trace_id;
  }
  return result;
}

std::string render_waterfall(const std::vector<span_recorded>& spans,
                             size_t bar_width) {
  if (spans.empty())
    return "no spans\n";
  auto tree = build_trace_tree(spans);
  auto ms = [](int64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f ms", static_cast<double>(ns) / 1e6);
    return std::string{buf};
  };
  auto pad = [](std::string x, size_t n) {
    if (x.size() < n)
      x.append(n - x.size(), ' ');
    return x;
  };
  auto total = std::max<int64_t>(1, tree.duration_ns());
  std::string out;
  out += "trace " + spans.front().trace_id + "  correlation "
         + spans.front().hdr.corr.str() + "  " + std::to_string(spans.size())
         + " spans  " + ms(tree.duration_ns()) + "  critical path "
         + std::to_string(tree.critical_path.size()) + " spans (*)\n";
  out += pad("OFFSET", 12) + pad("DURATION", 12) + pad("SELF", 12) + "  "
         + pad("SPAN", 44) + "TIMELINE\n";
  for (const auto& n : tree.nodes) {
    const auto& s = spans[n.span];
    std::string name(2 * std::min<uint32_t>(n.depth, 10), ' ');
    name += to_string(s.component);
    name += " ";
    name += s.operation;
    auto from = static_cast<size_t>(n.start_offset_ns
                                    * static_cast<int64_t>(bar_width) / total);
    auto len = static_cast<size_t>(n.duration_ns
                                   * static_cast<int64_t>(bar_width) / total);
    from = std::min(from, bar_width - 1);
    len = std::max<size_t>(1, std::min(len, bar_width - from));
    std::string bar(bar_width, ' ');
    for (size_t i = from; i < from + len; ++i)
      bar[i] = '#';
    out += pad(ms(n.start_offset_ns), 12) + pad(ms(n.duration_ns), 12)
           + pad(ms(n.self_ns), 12) + (n.critical ? "* " : "  ") + pad(name, 44)
           + "|" + bar + "|";
    if (s.status == span_status::error)
      out += "  ERROR " + s.status_message;
    out += "\n";
  }
  return out;
}

std::string to_trace_msgpack(const correlation_id& corr,
                             const std::vector<span_recorded>& spans) {
  return codec::encode(
    trace_exported{make_header<trace_exported>(corr), spans});
}

caf::expected<trace_exported> trace_from_msgpack(std::string_view bytes) {
  return codec::decode<trace_exported>(bytes);
}

} // namespace argus
