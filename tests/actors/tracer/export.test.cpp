#include "actors/tracer/export.hpp"

#include "messages/error.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "tests/messages/samples.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

namespace {

std::vector<span_recorded> sample_trace() {
  auto root = test::sample_span_recorded();
  root.parent_span_id.clear();
  root.span_id = "00f067aa0ba902b7";
  root.component = component_type::analyst;
  root.operation = "feature_engineering";
  root.kind = span_kind::server;
  root.status = span_status::ok;
  root.status_message.clear();
  root.start_ns = 1'700'000'000'000'000'000;
  root.end_ns = root.start_ns + 5'000'000;
  root.links.clear();
  auto child = test::sample_span_recorded();
  child.parent_span_id = root.span_id;
  child.span_id = "a3ce929d0e0e4736";
  child.component = component_type::exchange;
  child.operation = "order_submission";
  child.start_ns = root.start_ns + 1'000'000;
  child.end_ns = root.start_ns + 4'000'000;
  return {root, child};
}

} // namespace

TEST_CASE("OTLP/JSON export follows the opentelemetry-proto JSON mapping") {
  auto spans = sample_trace();
  auto j = to_otlp_json(spans);
  REQUIRE(j["resourceSpans"].size() == 2); // one resource per component
  const auto& rs = j["resourceSpans"][1];
  const auto& res_attrs = rs["resource"]["attributes"];
  CHECK(res_attrs[0]["key"] == "service.name");
  CHECK(res_attrs[0]["value"]["stringValue"] == "ares.exchange");
  REQUIRE(rs["scopeSpans"].size() == 1);
  CHECK(rs["scopeSpans"][0]["scope"]["name"] == "argus");
  const auto& span = rs["scopeSpans"][0]["spans"][0];
  CHECK(span["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(span["spanId"] == "a3ce929d0e0e4736");
  CHECK(span["parentSpanId"] == "00f067aa0ba902b7");
  CHECK(span["name"] == "order_submission");
  CHECK(span["kind"] == 3); // SPAN_KIND_CLIENT
  // 64-bit integers are decimal strings in the protobuf JSON mapping.
  CHECK(span["startTimeUnixNano"] == "1700000000001000000");
  CHECK(span["endTimeUnixNano"] == "1700000000004000000");
  CHECK(span["status"]["code"] == 2); // STATUS_CODE_ERROR
  CHECK(span["status"]["message"] == "exchange rejected");
  const auto& attrs = span["attributes"];
  CHECK(attrs[0]["key"] == "features_generated");
  CHECK(attrs[0]["value"]["intValue"] == "50");
  CHECK(attrs[1]["value"]["stringValue"] == "momentum_based");
  CHECK(attrs[2]["value"]["doubleValue"] == 0.25);
  CHECK(attrs[3]["value"]["boolValue"] == true);
  CHECK(attrs.back()["key"] == "argus.correlation_id");
  CHECK(attrs.back()["value"]["stringValue"] == "req_123");
  CHECK(span["events"][0]["name"] == "retry");
  CHECK(span["events"][0]["timeUnixNano"] == "1700000000001000000");
  CHECK(span["links"][0]["spanId"] == "00f067aa0ba902b8");
  // The root has no parentSpanId and an OK status without message.
  const auto& root = j["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  CHECK(!root.contains("parentSpanId"));
  CHECK(root["kind"] == 2); // SPAN_KIND_SERVER
  CHECK(root["status"]["code"] == 1);
  CHECK(!root["status"].contains("message"));
}

TEST_CASE("argus trace JSON carries the tree and the critical path") {
  auto j = to_trace_json(sample_trace());
  CHECK(j["correlation_id"] == "req_123");
  CHECK(j["duration_ns"] == 5'000'000);
  REQUIRE(j["spans"].size() == 2);
  CHECK(j["spans"][1]["depth"] == 1);
  CHECK(j["spans"][1]["start_offset_ns"] == 1'000'000);
  CHECK(j["spans"][0]["self_ns"] == 2'000'000);
  CHECK(j["spans"][1]["attributes"]["features_generated"] == 50);
  CHECK(j["critical_path"]
        == nlohmann::json::array({"00f067aa0ba902b7", "a3ce929d0e0e4736"}));
}

TEST_CASE("msgpack export round-trips to the same spans") {
  auto spans = sample_trace();
  auto bytes = to_trace_msgpack(*correlation_id::parse("req_123"), spans);
  auto back = trace_from_msgpack(bytes);
  REQUIRE_MESSAGE(back, to_string(back.error()));
  CHECK(back->hdr.corr.view() == "req_123");
  CHECK(back->spans == spans);
  auto truncated = trace_from_msgpack(std::string_view{bytes}.substr(0, 10));
  REQUIRE(!truncated);
  CHECK(truncated.error() == ec::protocol_violation);
}

TEST_CASE("the waterfall shows one line per span, indented, with the "
          "critical path and errors") {
  auto text = render_waterfall(sample_trace(), 20);
  std::istringstream in{text};
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].find("correlation req_123") != std::string::npos);
  CHECK(lines[0].find("2 spans  5.000 ms") != std::string::npos);
  CHECK(lines[2].find("* analyst feature_engineering") != std::string::npos);
  CHECK(lines[2].find("|####################|") != std::string::npos);
  CHECK(lines[3].find("*   exchange order_submission") != std::string::npos);
  // Offset 1 ms of 5 -> column 4; 3 ms long -> 12 columns.
  CHECK(lines[3].find("|    ############    |") != std::string::npos);
  CHECK(lines[3].find("ERROR exchange rejected") != std::string::npos);
  CHECK(render_waterfall({}) == "no spans\n");
}
