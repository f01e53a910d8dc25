#include "actors/tracer/export.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include "tests/support/eventually.hpp"
#include "tests/support/gateway_fixture.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::test;
using nlohmann::json;

namespace {

json regime_event(const std::string& corr, const std::string& regime) {
  return {{"type", "regime_recorded"},
          {"body",
           {{"hdr", {{"corr", corr}}},
            {"regime_type", regime},
            {"regime_confidence", 0.75},
            {"regime_probabilities", {{regime, 0.75}, {"SIDEWAYS", 0.25}}}}}};
}

/// One OTLP span as the JS SDK sends it (uppercase-insensitive hex ids,
/// times as strings, a root without `parentSpanId`).
json sdk_span(const std::string& trace, const std::string& span,
              const std::string& parent, const std::string& name,
              int64_t start_ns, int64_t end_ns) {
  json s{{"traceId", trace},
         {"spanId", span},
         {"name", name},
         {"kind", 2},
         {"startTimeUnixNano", std::to_string(start_ns)},
         {"endTimeUnixNano", std::to_string(end_ns)},
         {"attributes",
          {{{"key", "argus.correlation_id"},
            {"value", {{"stringValue", "otlp-req-1"}}}},
           {{"key", "http.status_code"}, {"value", {{"intValue", 200}}}},
           {{"key", "orders"}, {"value", {{"intValue", "12"}}}}}},
         {"status", {{"code", 1}}}};
  if (!parent.empty())
    s["parentSpanId"] = parent;
  return s;
}

json sdk_request(std::vector<json> spans) {
  return {{"resourceSpans",
           {{{"resource",
              {{"attributes",
                {{{"key", "service.name"},
                  {"value", {{"stringValue", "ares.strategist"}}}}}}}},
             {"scopeSpans",
              {{{"scope", {{"name", "@opentelemetry/sdk-trace-base"}}},
                {"spans", spans}}}}}}}};
}

/// Sends `body` with chunked transfer encoding, as the SDKs do.
std::string chunked_post(const std::string& path, const std::string& token,
                         const std::string& body) {
  std::string req = "POST " + path
                    + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + token
                    + "\r\nContent-Type: application/json\r\n"
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += 700) {
    auto piece = body.substr(at, 700);
    char len[16];
    std::snprintf(len, sizeof(len), "%zx", piece.size());
    req += std::string{len} + "\r\n" + piece + "\r\n";
  }
  return req + "0\r\n\r\n";
}

} // namespace

TEST_CASE("OTLP JSON read back from argus's own export is the same spans") {
  span_recorded a;
  a.hdr.corr = *correlation_id::parse("round-trip-1");
  a.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  a.span_id = "00f067aa0ba902b7";
  a.component = component_type::tactician;
  a.operation = "size_order";
  a.kind = span_kind::client;
  a.status = span_status::error;
  a.status_message = "venue refused";
  a.start_ns = 1'796'190'000'000'000'000;
  a.end_ns = a.start_ns + 5'000'000;
  a.attributes = {{"qty", attribute_type::integer, {}, -3, 0, false},
                  {"px", attribute_type::real, {}, 0, 101.25, false},
                  {"venue", attribute_type::string, "binance", 0, 0, false},
                  {"ioc", attribute_type::boolean, {}, 0, 0, true}};
  a.events = {{"exception",
               a.start_ns + 10,
               {{"exception.type", attribute_type::string, "std::runtime_error",
                 0, 0, false}}}};
  a.links = {{"5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"}};
  auto b = a;
  b.span_id = "00f067aa0ba902b8";
  b.parent_span_id = a.span_id;
  b.component = component_type::exchange;
  b.status = span_status::unset;
  b.status_message.clear();
  b.events.clear();
  b.links.clear();
  b.kind = span_kind::server;
  auto back = from_otlp_json(to_otlp_json({a, b}));
  CHECK(back.rejected.empty());
  REQUIRE(back.spans.size() == 2);
  for (auto& s : back.spans) {
    // The export has no header version or time of its own; compare the rest.
    const auto& want = s.span_id == a.span_id ? a : b;
    CAPTURE(s.span_id);
    CHECK(s.hdr.corr == want.hdr.corr);
    CHECK(s.trace_id == want.trace_id);
    CHECK(s.parent_span_id == want.parent_span_id);
    CHECK(s.component == want.component);
    CHECK(s.operation == want.operation);
    CHECK(s.kind == want.kind);
    CHECK(s.status == want.status);
    CHECK(s.status_message == want.status_message);
    CHECK(s.start_ns == want.start_ns);
    CHECK(s.end_ns == want.end_ns);
    CHECK(s.attributes == want.attributes);
    CHECK(s.events == want.events);
    CHECK(s.links == want.links);
  }
}

TEST_CASE("OTLP JSON as SDKs send it: either hex case, numbers or strings, "
          "enum names, a trace id as the correlation id when none is given") {
  auto root = sdk_span("5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174",
                       "", "decide", 1'000, 2'000);
  root["kind"] = "SPAN_KIND_CONSUMER";
  root["status"] = {{"code", "STATUS_CODE_ERROR"}, {"message", "late"}};
  root["attributes"] = json::array();
  auto bad_kind = sdk_span("5b8efff798038103d269b633813fc60c",
                           "00f067aa0ba902b7", "", "x", 1, 2);
  bad_kind["kind"] = 9;
  auto bad_time = sdk_span("5b8efff798038103d269b633813fc60c",
                           "00f067aa0ba902b8", "", "x", 1, 2);
  bad_time["startTimeUnixNano"] = "soon";
  auto got = from_otlp_json(sdk_request({root, bad_kind, bad_time}));
  REQUIRE(got.spans.size() == 1);
  const auto& s = got.spans[0];
  CHECK(s.trace_id == "5b8efff798038103d269b633813fc60c");
  CHECK(s.span_id == "eee19b7ec3c1b174");
  CHECK(s.parent_span_id.empty());
  CHECK(s.kind == span_kind::consumer);
  CHECK(s.status == span_status::error);
  CHECK(s.status_message == "late");
  CHECK(s.component == component_type::strategist);
  CHECK(s.hdr.corr.str() == "5b8efff798038103d269b633813fc60c");
  REQUIRE(got.rejected.size() == 2);
  CHECK(got.rejected[0]
        == "resourceSpans[0].scopeSpans[0].spans[1]: kind is not a span kind");
  CHECK(got.rejected[1].find("spans[2]: startTimeUnixNano")
        != std::string::npos);
  CHECK(from_otlp_json(json::array()).spans.empty());
  CHECK(from_otlp_json(json{{"resourceSpans", 3}}).spans.empty());
}

TEST_CASE("POST /api/events?wait=durable answers after COMMIT, per event: "
          "every accepted event is in SQLite, every refused one has its "
          "reason") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  json batch = json::array();
  for (int i = 0; i < 1000; ++i)
    batch.push_back(regime_event("http-ev-" + std::to_string(i),
                                 i % 2 ? "BULL_TREND" : "SIDEWAYS"));
  // Refused ones, at known places: an unknown type, a field of the wrong
  // type, invalid UTF-8 cannot be written in JSON so a span without ids
  // stands for the wire's rules, and a flush that belongs in the query.
  batch[10] = {{"type", "no_such_event"}, {"body", json::object()}};
  batch[20]
    = {{"type", "regime_recorded"}, {"body", {{"regime_confidence", "high"}}}};
  batch[30] = {{"type", "span_recorded"},
               {"body", {{"operation", "x"}, {"start_ns", 5}, {"end_ns", 1}}}};
  batch[40] = json::array({"flush_requested", json::object()});
  batch[50] = 42;
  const auto& op = tokens_by_role.at(gateway::role::operator_);
  auto res = exchange(
    fx.port(), post_request("/api/events?wait=durable", op, batch.dump()));
  REQUIRE(raw_connection::status_of(res) == 200);
  auto body = json::parse(body_of(res));
  CHECK(body["accepted"] == 995);
  CHECK(body["dropped"] == 0);
  CHECK(body["durable"] == true);
  REQUIRE(body["rejected"].size() == 5);
  std::vector<int> where;
  for (const auto& r : body["rejected"]) {
    where.push_back(r["index"]);
    CHECK_FALSE(r["reason"].get<std::string>().empty());
  }
  CHECK(where == std::vector<int>{10, 20, 30, 40, 50});
  CHECK(body["rejected"][0]["reason"].get<std::string>().find("no_such_event")
        != std::string::npos);
  CHECK(body["rejected"][3]["reason"].get<std::string>().find("wait=durable")
        != std::string::npos);
  // Durable means in the file now, not eventually.
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT count(*) FROM row_correlation WHERE table_name "
                      "= 'regime_tracking' AND correlation_id LIKE 'http-ev-%'")
          .getInt64()
        == 995);
  // A viewer may not ingest; bad bodies are refused with what is wrong.
  CHECK(
    raw_connection::status_of(exchange(
      fx.port(), post_request("/api/events",
                              tokens_by_role.at(gateway::role::viewer), "[]")))
    == 403);
  auto malformed
    = exchange(fx.port(), post_request("/api/events", op, "[{\"type\":"));
  CHECK(raw_connection::status_of(malformed) == 400);
  CHECK(json::parse(body_of(malformed))["detail"].get<std::string>().find(
          "malformed JSON at byte 10")
        == 0);
  CHECK(raw_connection::status_of(
          exchange(fx.port(), post_request("/api/events", op, "{\"x\":1}")))
        == 400);
  CHECK(raw_connection::status_of(exchange(
          fx.port(), post_request("/api/events?wait=forever", op, "[]")))
        == 400);
  auto not_json = post_request("/api/events", op, "[]");
  not_json.replace(not_json.find("application/json"), 16, "text/plain");
  CHECK(raw_connection::status_of(exchange(fx.port(), not_json)) == 415);
  // Without ?wait the answer comes at once.
  auto quick = exchange(
    fx.port(),
    post_request("/api/events", op,
                 json::array({regime_event("http-q", "BEAR_TREND")}).dump()));
  CHECK(raw_connection::status_of(quick) == 202);
  // offered = accepted + rejected + dropped, on /metrics by door.
  auto metrics = body_of(exchange(
    fx.port(),
    get_request("/metrics", tokens_by_role.at(gateway::role::viewer))));
  auto series = [&](const char* outcome) {
    return "argus_http_ingested_total{door=\"events\",outcome=\""
           + std::string{outcome} + "\"} ";
  };
  CHECK(metrics.find(series("accepted") + "996\n") != std::string::npos);
  CHECK(metrics.find(series("rejected") + "5\n") != std::string::npos);
  CHECK(metrics.find(series("dropped") + "0\n") != std::string::npos);
}

TEST_CASE("OTLP/HTTP JSON posted as an SDK sends it (chunked) is traced, and "
          "argusctl shows the trace") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  const auto& op = tokens_by_role.at(gateway::role::operator_);
  int64_t t0 = 1'796'190'000'000'000'000;
  auto request = sdk_request(
    {sdk_span("5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174", "",
              "decide", t0, t0 + 5'000'000),
     sdk_span("5b8efff798038103d269b633813fc60c", "00f067aa0ba902b7",
              "eee19b7ec3c1b174", "size_order", t0 + 1'000'000, t0 + 3'000'000),
     // Reversed times: refused, and said so in partialSuccess.
     sdk_span("5b8efff798038103d269b633813fc60c", "00f067aa0ba902b8",
              "eee19b7ec3c1b174", "broken", t0 + 9, t0 + 1)});
  auto res
    = exchange(fx.port(), chunked_post("/v1/traces", op, request.dump()));
  REQUIRE(raw_connection::status_of(res) == 200);
  auto body = json::parse(body_of(res));
  CHECK(body["partialSuccess"]["rejectedSpans"] == "1");
  CHECK(body["partialSuccess"]["errorMessage"].get<std::string>().find(
          "spans[2]: span ends before it starts")
        != std::string::npos);
  REQUIRE(fx.eng->flush());
  REQUIRE(fx.eng->stop() == caf::none);
  auto r
    = run({ARGUSCTL_PATH, "trace", "otlp-req-1", "--db", fx.cfg.storage.path});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("2 spans") != std::string::npos);
  CHECK(r.out.find("strategist decide") != std::string::npos);
  CHECK(r.out.find("size_order") != std::string::npos);
  CHECK(r.out.find("broken") == std::string::npos);
}

TEST_CASE("OTLP/HTTP refuses protobuf and compressed bodies with a hint, and "
          "a full success answers {}") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  const auto& op = tokens_by_role.at(gateway::role::operator_);
  auto proto = post_request("/v1/traces", op, "\x0a\x00");
  proto.replace(proto.find("application/json"), 16, "application/x-protobuf");
  auto res = exchange(fx.port(), proto);
  CHECK(raw_connection::status_of(res) == 415);
  CHECK(body_of(res).find("http/json") != std::string::npos);
  auto gz = post_request("/v1/traces", op, "{}", "Content-Encoding: gzip\r\n");
  CHECK(raw_connection::status_of(exchange(fx.port(), gz)) == 415);
  int64_t t0 = 1'796'190'000'000'000'000;
  auto ok = exchange(
    fx.port(),
    post_request(
      "/v1/traces", op,
      sdk_request({sdk_span("4bf92f3577b34da6a3ce929d0e0e4736",
                            "00f067aa0ba902b7", "", "one", t0, t0 + 10)})
        .dump()));
  CHECK(raw_connection::status_of(ok) == 200);
  CHECK(body_of(ok) == "{}");
}
