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

namespace argus {

namespace {

/// A 64-bit integer given as a JSON number or a decimal string.
bool json_int(const json& j, int64_t& out) {
  if (j.is_number_integer()) {
    out = j.get<int64_t>();
    return true;
  }
  if (j.is_number_unsigned()) {
    auto u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX))
      return false;
    out = static_cast<int64_t>(u);
    return true;
  }
  if (!j.is_string())
    return false;
  const auto& s = j.get_ref<const std::string&>();
  if (s.empty() || s.size() > 20)
    return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size())
    return false;
  int64_t x = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    if (x > (INT64_MAX - (s[i] - '0')) / 10)
      return false;
    x = x * 10 + (s[i] - '0');
  }
  out = s[0] == '-' ? -x : x;
  return true;
}

std::string lower_hex(const json& j) {
  if (!j.is_string())
    return {};
  auto s = j.get<std::string>();
  for (auto& c : s)
    if (c >= 'A' && c <= 'F')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

/// One OTLP KeyValue as an attribute. @returns false when it has no key.
bool read_attribute(const json& kv, attribute& out) {
  if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string())
    return false;
  out = attribute{};
  out.key = kv["key"].get<std::string>();
  auto v = kv.value("value", json::object());
  if (!v.is_object())
    v = json::object();
  if (v.contains("stringValue") && v["stringValue"].is_string()) {
    out.text = v["stringValue"].get<std::string>();
  } else if (v.contains("intValue") && json_int(v["intValue"], out.integer)) {
    out.type = attribute_type::integer;
  } else if (v.contains("doubleValue") && v["doubleValue"].is_number()) {
    out.type = attribute_type::real;
    out.real = v["doubleValue"].get<double>();
  } else if (v.contains("boolValue") && v["boolValue"].is_boolean()) {
    out.type = attribute_type::boolean;
    out.boolean = v["boolValue"].get<bool>();
  } else if (!v.empty()) {
    // arrayValue, kvlistValue, bytesValue: kept as their JSON text.
    out.text
      = v.begin().value().dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return true;
}

std::vector<attribute> read_attributes(const json& xs) {
  std::vector<attribute> out;
  if (!xs.is_array())
    return out;
  for (const auto& kv : xs) {
    attribute a;
    if (read_attribute(kv, a))
      out.push_back(std::move(a));
  }
  return out;
}

/// An enum given as an integer or as its proto name.
int enum_value(const json& j, std::initializer_list<const char*> names) {
  if (j.is_number_integer())
    return j.get<int>();
  if (j.is_string()) {
    int i = 0;
    for (const char* n : names) {
      if (j.get_ref<const std::string&>() == n)
        return i;
      ++i;
    }
  }
  return -1;
}

component_type component_of(const json& resource) {
  if (!resource.is_object())
    return component_type::monitoring;
  auto attrs = read_attributes(resource.value("attributes", json::array()));
  component_type result = component_type::monitoring;
  for (const char* key : {"service.name", "argus.component"}) {
    for (const auto& a : attrs) {
      if (a.key != key || a.type != attribute_type::string)
        continue;
      auto name = a.text;
      auto dot = name.rfind('.');
      component_type c;
      if (parse_component_type(name, c)
          || (dot != std::string::npos
              && parse_component_type(name.substr(dot + 1), c)))
        result = c;
    }
  }
  return result;
}

/// Maps one OTLP span. @returns the reason it cannot be, or empty.
std::string read_span(const json& j, component_type component,
                      span_recorded& out) {
  if (!j.is_object())
    return "not an object";
  out = span_recorded{};
  out.component = component;
  out.trace_id = lower_hex(j.value("traceId", json{}));
  out.span_id = lower_hex(j.value("spanId", json{}));
  out.parent_span_id = lower_hex(j.value("parentSpanId", json{}));
  if (j.contains("name") && j["name"].is_string())
    out.operation = j["name"].get<std::string>();
  auto kind = enum_value(j.value("kind", json(0)),
                         {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                          "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                          "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"});
  if (kind < 0 || kind > 5)
    return "kind is not a span kind";
  out.kind = kind <= 1 ? span_kind::internal : static_cast<span_kind>(kind - 1);
  if (!json_int(j.value("startTimeUnixNano", json{}), out.start_ns)
      || !json_int(j.value("endTimeUnixNano", json{}), out.end_ns))
    return "startTimeUnixNano and endTimeUnixNano must be integers";
  auto status = j.value("status", json::object());
  if (status.is_object()) {
    auto code = enum_value(
      status.value("code", json(0)),
      {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"});
    if (code < 0 || code > 2)
      return "status.code is not a status code";
    out.status = static_cast<span_status>(code);
    if (status.contains("message") && status["message"].is_string())
      out.status_message = status["message"].get<std::string>();
  }
  std::string corr_text;
  for (auto& a : read_attributes(j.value("attributes", json::array()))) {
    if ((a.key == "argus.correlation_id" || a.key == "correlation_id")
        && a.type == attribute_type::string && corr_text.empty()) {
      corr_text = a.text;
      continue;
    }
    out.attributes.push_back(std::move(a));
  }
  if (corr_text.empty())
    corr_text = out.trace_id;
  auto corr = correlation_id::parse(corr_text);
  if (!corr)
    return "no usable correlation id (argus.correlation_id or the trace id)";
  out.hdr = make_header<span_recorded>(*corr);
  if (j.contains("events") && j["events"].is_array())
    for (const auto& e : j["events"]) {
      if (!e.is_object())
        continue;
      span_event ev;
      if (e.contains("name") && e["name"].is_string())
        ev.name = e["name"].get<std::string>();
      json_int(e.value("timeUnixNano", json{}), ev.time_ns);
      ev.attributes = read_attributes(e.value("attributes", json::array()));
      out.events.push_back(std::move(ev));
    }
  if (j.contains("links") && j["links"].is_array())
    for (const auto& l : j["links"])
      if (l.is_object())
        out.links.push_back({lower_hex(l.value("traceId", json{})),
                             lower_hex(l.value("spanId", json{}))});
  return {};
}

} // namespace

otlp_import from_otlp_json(const json& request) {
  otlp_import result;
  auto resources = request.is_object()
                     ? request.value("resourceSpans", json::array())
                     : json::array();
  if (!resources.is_array())
    return result;
  for (size_t r = 0; r < resources.size(); ++r) {
    const auto& rs = resources[r];
    if (!rs.is_object())
      continue;
    auto component = component_of(rs.value("resource", json::object()));
    auto scopes = rs.value("scopeSpans", json::array());
    if (!scopes.is_array())
      continue;
    for (size_t s = 0; s < scopes.size(); ++s) {
      if (!scopes[s].is_object())
        continue;
      auto spans = scopes[s].value("spans", json::array());
      if (!spans.is_array())
        continue;
      for (size_t i = 0; i < spans.size(); ++i) {
        span_recorded x;
        auto why = read_span(spans[i], component, x);
        auto where = "resourceSpans[" + std::to_string(r) + "].scopeSpans["
                     + std::to_string(s) + "].spans[" + std::to_string(i) + "]";
        if (why.empty()) {
          result.spans.push_back(std::move(x));
          result.where.push_back(std::move(where));
        } else {
          result.rejected.push_back(where + ": " + why);
        }
      }
    }
  }
  return result;
}

} // namespace argus
