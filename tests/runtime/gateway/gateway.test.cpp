#include "runtime/gateway/gateway.hpp"

#include "config/load.hpp"
#include "runtime/engine.hpp"
#include "storage/audit.hpp"

#include <SQLiteCpp/Database.h>
#include <caf/scoped_actor.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/messages/samples.hpp"
#include "tests/support/certificates.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/gateway_fixture.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::test;
using gateway::role;

TEST_CASE("every route of the table answers each role as its least role "
          "says, through curl") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  const auto& routes = fx.eng->http_gateway()->routes().routes();
  // The spec's 18 endpoints are all in the table.
  for (auto [method, path] : {
         std::pair{"GET", "/api/metrics/dashboard"},
         {"GET", "/api/metrics/history/{name}"},
         {"GET", "/api/metrics/performance"},
         {"GET", "/api/metrics/system-health"},
         {"GET", "/api/tracing/correlation/{id}"},
         {"GET", "/api/tracing/performance"},
         {"GET", "/api/tracing/errors"},
         {"GET", "/api/ml/models"},
         {"GET", "/api/ml/drift"},
         {"GET", "/api/ml/features"},
         {"GET", "/api/ml/ensembles"},
         {"GET", "/api/reports/schedule"},
         {"GET", "/api/reports/history"},
         {"POST", "/api/reports/generate"},
         {"GET", "/api/tracking/ensembles"},
         {"GET", "/api/tracking/regimes"},
         {"GET", "/api/tracking/features"},
         {"GET", "/api/tracking/decisions"},
       }) {
    CAPTURE(path);
    CHECK(std::any_of(routes.begin(), routes.end(), [&](const auto& r) {
      return r.method == method && r.pattern == path;
    }));
  }
  size_t checked = 0;
  for (const auto& r : routes) {
    auto path = concrete(r.pattern);
    CAPTURE(r.method);
    CAPTURE(path);
    if (r.min_role == role::anyone) {
      // 200, or 204 for the favicon that is not there.
      auto status = fx.curl_status(r.method, path, "");
      CHECK((status == 200 || (path == "/favicon.ico" && status == 204)));
      ++checked;
      continue;
    }
    CHECK(fx.curl_status(r.method, path, "") == 401);
    CHECK(fx.curl_status(r.method, path, "not-a-token-of-this-engine") == 401);
    for (const auto& [granted, token] : tokens_by_role) {
      CAPTURE(to_string(granted));
      auto status = fx.curl_status(r.method, path, token);
      if (granted < r.min_role)
        CHECK(status == 403);
      else
        CHECK((status != 401 && status != 403 && status > 0));
      ++checked;
    }
  }
  CHECK(checked >= routes.size());
  // The tokens themselves never reach the logs.
  auto logs = fx.all_logs();
  for (const auto& [granted, token] : tokens_by_role)
    CHECK(logs.find(token) == std::string::npos);
  auto counters = fx.eng->http_gateway()->counters();
  CHECK(counters["auth_missing"] > 0);
  CHECK(counters["auth_invalid"] > 0);
  CHECK(counters["auth_forbidden"] > 0);
}

TEST_CASE("the spec's endpoints answer JSON with the engine's data") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  regime_recorded regime;
  regime.hdr.corr = *correlation_id::parse("gw-data-1");
  regime.regime_type = "BULL_TREND";
  regime.regime_confidence = 0.7;
  regime.regime_probabilities = {{"BULL_TREND", 0.7}, {"SIDEWAYS", 0.3}};
  REQUIRE(fx.eng->client().record_regime_tracking(regime));
  REQUIRE(fx.eng->flush());
  const auto& viewer = tokens_by_role.at(role::viewer);
  nlohmann::json regimes;
  CHECK(test::eventually([&] {
    auto res
      = test::exchange(fx.port(), get_request("/api/tracking/regimes", viewer));
    if (test::raw_connection::status_of(res) != 200)
      return false;
    regimes = nlohmann::json::parse(body_of(res), nullptr, false);
    return regimes.is_object() && regimes.value("current", "") == "BULL_TREND";
  }));
  auto status = test::exchange(fx.port(), get_request("/api/status", viewer));
  REQUIRE(test::raw_connection::status_of(status) == 200);
  CHECK(header_value(status, "Content-Type") == "application/json");
  auto st = nlohmann::json::parse(body_of(status));
  std::vector<std::string> ids;
  for (const auto& c : st["components"]) {
    ids.push_back(c["id"]);
    CHECK(c["state"] == "running");
  }
  CHECK(std::find(ids.begin(), ids.end(), "tracker") != ids.end());
  // The engine's own series appear at the dashboard's first health tick.
  std::string metrics;
  CHECK(test::eventually([&] {
    metrics = test::exchange(fx.port(), get_request("/metrics", viewer));
    return body_of(metrics).find("# TYPE argus_component_up gauge")
           != std::string::npos;
  }));
  CHECK(test::raw_connection::status_of(metrics) == 200);
  CHECK(header_value(metrics, "Content-Type")
        == "text/plain; version=0.0.4; charset=utf-8");
  // The API's own requests are counted by route and status.
  CHECK(body_of(metrics).find("argus_http_requests_total{code=\"200\",method="
                              "\"GET\",route=\"/api/tracking/regimes\"}")
        != std::string::npos);
  auto status_now = nlohmann::json::parse(
    body_of(test::exchange(fx.port(), get_request("/api/status", viewer))));
  CHECK(status_now["counters"]["gateway_requests"].get<uint64_t>() >= 3);
  auto ready = test::exchange(fx.port(), get_request("/readyz", viewer));
  CHECK(test::raw_connection::status_of(ready) == 200);
  auto bad = test::exchange(
    fx.port(), get_request("/api/tracking/regimes?limit=0", viewer));
  CHECK(test::raw_connection::status_of(bad) == 400);
  CHECK(header_value(bad, "Content-Type") == "application/problem+json");
  CHECK(nlohmann::json::parse(body_of(bad))["detail"].get<std::string>().find(
          "limit")
        == 0);
  auto reports
    = test::exchange(fx.port(), get_request("/api/reports/schedule", viewer));
  REQUIRE(test::raw_connection::status_of(reports) == 200);
  auto schedule = nlohmann::json::parse(body_of(reports));
  CHECK(schedule["reports"].size() == 4);
  CHECK(schedule["reports"][0]["next_run"].is_string());
  auto missing = test::exchange(
    fx.port(), get_request("/api/tracing/correlation/never-seen", viewer));
  CHECK(test::raw_connection::status_of(missing) == 404);
  auto unknown = test::exchange(fx.port(), get_request("/api/nope", viewer));
  CHECK(test::raw_connection::status_of(unknown) == 404);
  auto wrong = test::exchange(
    fx.port(), "DELETE /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: "
               "Bearer "
                 + viewer + "\r\nConnection: close\r\n\r\n");
  CHECK(test::raw_connection::status_of(wrong) == 405);
  CHECK(header_value(wrong, "Allow") == "GET");
}

TEST_CASE("a request's correlation id is echoed, and the request is traced "
          "as a monitoring span") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  const auto& viewer = tokens_by_role.at(role::viewer);
  auto res = test::exchange(
    fx.port(), get_request("/api/status", viewer,
                           "X-Correlation-ID: gw-trace-1\r\n"
                           "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-"
                           "00f067aa0ba902b7-01\r\n"));
  REQUIRE(test::raw_connection::status_of(res) == 200);
  CHECK(header_value(res, "X-Correlation-ID") == "gw-trace-1");
  REQUIRE(fx.eng->flush());
  trace_exported trace;
  CHECK(test::eventually([&] {
    auto t = fx.eng->trace(*correlation_id::parse("gw-trace-1"));
    if (!t || t->spans.empty())
      return false;
    trace = *t;
    return true;
  }));
  REQUIRE(trace.spans.size() == 1);
  const auto& s = trace.spans.front();
  CHECK(s.component == component_type::monitoring);
  CHECK(s.operation == "GET /api/status");
  CHECK(s.kind == span_kind::server);
  CHECK(s.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(s.parent_span_id == "00f067aa0ba902b7");
  // Without an id, one is minted and echoed; a malformed one is refused.
  auto minted = test::exchange(fx.port(), get_request("/healthz", ""));
  CHECK(header_value(minted, "X-Correlation-ID").size() == 32);
  auto bad = test::exchange(
    fx.port(),
    get_request("/healthz", "",
                "X-Correlation-ID: " + std::string(65, 'a') + "\r\n"));
  CHECK(test::raw_connection::status_of(bad) == 400);
}

TEST_CASE("the listener answers at its limits: 431, 413, 400 and 503, and "
          "keeps serving") {
  gateway_fixture fx{[](config::gateway_config& g) {
    g.max_header_bytes = 1024;
    g.max_body_bytes = 1024;
    g.max_connections = 3;
  }};
  REQUIRE(fx.start());
  const auto& op = tokens_by_role.at(role::operator_);
  // Request line and header fields of exactly `n` bytes, the blank line
  // that ends them included.
  auto sized_header = [&](size_t n) {
    std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    std::string tail = "\r\n\r\n";
    return head + std::string(n - head.size() - tail.size(), 'p') + tail;
  };
  for (size_t n : {1023u, 1024u}) {
    CAPTURE(n);
    CHECK(test::raw_connection::status_of(
            test::exchange(fx.port(), sized_header(n)))
          == 200);
  }
  CHECK(test::raw_connection::status_of(
          test::exchange(fx.port(), sized_header(1025)))
        == 431);
  auto post = [&](size_t body) {
    return "POST /api/reports/generate HTTP/1.1\r\nHost: x\r\n"
           "Authorization: Bearer "
           + op + "\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(body) + "\r\nConnection: close\r\n\r\n"
           + std::string(body, ' ');
  };
  // Within the limit the route answers (400: blanks are no JSON document).
  CHECK(test::raw_connection::status_of(test::exchange(fx.port(), post(1023)))
        == 400);
  CHECK(test::raw_connection::status_of(test::exchange(fx.port(), post(1024)))
        == 400);
  auto too_big = test::exchange(fx.port(), post(1025));
  CHECK(test::raw_connection::status_of(too_big) == 413);
  CHECK(header_value(too_big, "Content-Type") == "application/problem+json");
  CHECK(test::raw_connection::status_of(
          test::exchange(fx.port(), "NOT HTTP AT ALL\r\n\r\n"))
        == 400);
  {
    // Three idle connections fill the cap; the fourth is refused.
    test::raw_connection a{fx.port()}, b{fx.port()}, c{fx.port()};
    CHECK(test::eventually([&] {
      return fx.eng->http_gateway()->counters()["open_connections"] == 3;
    }));
    auto refused = test::exchange(fx.port(), get_request("/healthz", ""));
    CHECK(test::raw_connection::status_of(refused) == 503);
  }
  CHECK(test::eventually([&] {
    return test::raw_connection::status_of(
             test::exchange(fx.port(), get_request("/healthz", "")))
           == 200;
  }));
  auto counters = fx.eng->http_gateway()->counters();
  CHECK(counters["header_too_large"] == 1);
  CHECK(counters["body_too_large"] == 1);
  CHECK(counters["malformed"] == 1);
  CHECK(counters["connections_refused_cap"] >= 1);
}

TEST_CASE("repeated failed authentications from one address are answered "
          "429 with Retry-After") {
  gateway_fixture fx{[](config::gateway_config& g) {
    g.auth_failures_before_throttle = 3;
  }};
  REQUIRE(fx.start());
  for (int i = 0; i < 3; ++i)
    CHECK(
      test::raw_connection::status_of(test::exchange(
        fx.port(), get_request("/api/status", "guess-" + std::to_string(i))))
      == 401);
  // Now even the right token waits: the address is throttled.
  auto res = test::exchange(
    fx.port(), get_request("/api/status", tokens_by_role.at(role::viewer)));
  CHECK(test::raw_connection::status_of(res) == 429);
  auto wait = header_value(res, "Retry-After");
  REQUIRE_FALSE(wait.empty());
  CHECK(std::stoi(wait) > 0);
  CHECK(std::stoi(wait) <= 60);
  // The open route is not throttled.
  CHECK(test::raw_connection::status_of(
          test::exchange(fx.port(), get_request("/healthz", "")))
        == 200);
}

TEST_CASE("the gateway's configuration refuses what would expose the API") {
  config::gateway_config g;
  g.address = "0.0.0.0";
  auto issues = config::validate(g);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].path == "address");
  CHECK(issues[0].message.find("not a loopback address") != std::string::npos);
  g.allow_insecure_remote = true;
  CHECK(config::validate(g).empty());
  g = {};
  config::api_token t;
  t.role = "root";
  t.token = config::secret{"short"};
  g.tokens["x"] = t;
  issues = config::validate(g);
  REQUIRE(issues.size() == 2);
  CHECK(issues[0].path == "tokens.x.role");
  CHECK(issues[1].path == "tokens.x.token");
  CHECK(config::is_loopback_address("127.0.0.1"));
  CHECK(config::is_loopback_address("127.1.2.3"));
  CHECK(config::is_loopback_address("::1"));
  CHECK_FALSE(config::is_loopback_address("127.0.0.1.example.com"));
  CHECK_FALSE(config::is_loopback_address("10.0.0.1"));
}

TEST_CASE("an engine whose gateway cannot listen does not start, and says "
          "why") {
  gateway_fixture first;
  REQUIRE(first.start());
  gateway_fixture second{[&](config::gateway_config& g) {
    g.port = first.port();
  }};
  engine eng{second.cfg, second.options()};
  auto err = eng.start();
  REQUIRE(err);
  CHECK(caf::to_string(err).find("cannot listen on 127.0.0.1:"
                                 + std::to_string(first.port()))
        != std::string::npos);
  gateway_fixture no_tokens{[](config::gateway_config& g) {
    g.tokens.clear();
  }};
  engine eng2{no_tokens.cfg, no_tokens.options()};
  err = eng2.start();
  REQUIRE(err);
  CHECK(caf::to_string(err).find("no tokens configured") != std::string::npos);
}

TEST_CASE("traces export as OTLP or JSON and compare side by side, from "
          "memory and, after a restart, from the database") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  {
    for (auto [id, slow] : {std::pair{"cmp-a", false}, {"cmp-b", true}}) {
      auto corr = *correlation_id::parse(id);
      auto root
        = fx.eng->client().span(component_type::strategist, "decide", corr);
      {
        auto child
          = fx.eng->client().span(component_type::exchange, "send", corr);
        if (slow)
          std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
      if (slow) {
        auto extra
          = fx.eng->client().span(component_type::tactician, "size", corr);
      }
    }
    const auto& viewer = tokens_by_role.at(role::viewer);
    nlohmann::json otlp;
    CHECK(test::eventually([&] {
      auto res = test::exchange(
        fx.port(), get_request("/api/tracing/export/cmp-a", viewer));
      if (test::raw_connection::status_of(res) != 200)
        return false;
      otlp = nlohmann::json::parse(body_of(res));
      return true;
    }));
    REQUIRE(otlp.contains("resourceSpans"));
    size_t spans = 0;
    for (const auto& rs : otlp["resourceSpans"])
      for (const auto& ss : rs["scopeSpans"])
        spans += ss["spans"].size();
    CHECK(spans == 2);
    auto as_json = test::exchange(
      fx.port(), get_request("/api/tracing/export/cmp-a?format=json", viewer));
    CHECK(nlohmann::json::parse(body_of(as_json))["correlation_id"] == "cmp-a");
    CHECK(
      test::raw_connection::status_of(test::exchange(
        fx.port(), get_request("/api/tracing/export/cmp-a?format=xml", viewer)))
      == 400);
    nlohmann::json cmp;
    CHECK(test::eventually([&] {
      auto res = test::exchange(
        fx.port(), get_request("/api/tracing/compare?a=cmp-a&b=cmp-b", viewer));
      if (test::raw_connection::status_of(res) != 200)
        return false;
      cmp = nlohmann::json::parse(body_of(res));
      return cmp["only_in_b"].size() == 1;
    }));
    CHECK(cmp["only_in_b"][0]["component"] == "tactician");
    CHECK(cmp["only_in_a"].empty());
    REQUIRE(cmp["both"].size() == 2);
    // The slow child differs most.
    CHECK(cmp["both"][0]["difference_ns"].get<int64_t>() >= 19'000'000);
    REQUIRE(fx.eng->flush());
    REQUIRE(fx.eng->stop() == caf::none);
  }
  gateway_fixture again;
  again.cfg.storage.path = fx.cfg.storage.path;
  REQUIRE(again.start());
  auto res = test::exchange(again.port(),
                            get_request("/api/tracing/correlation/cmp-b",
                                        tokens_by_role.at(role::viewer)));
  REQUIRE(test::raw_connection::status_of(res) == 200);
  CHECK(nlohmann::json::parse(body_of(res))["correlation_id"] == "cmp-b");
}

TEST_CASE("stored spans are searched by component, operation, duration, "
          "status and attribute, a page at a time") {
  gateway_fixture fx;
  fx.cfg.advanced_tracer.trace_sampling_rate = 1.0;
  REQUIRE(fx.start());
  auto& c = fx.eng->client();
  for (int i = 0; i < 3; ++i) {
    auto s = c.span(component_type::exchange, "send_order",
                    *correlation_id::parse("search-" + std::to_string(i)));
    s.set("venue", i == 1 ? "binance" : "kraken");
    if (i == 2)
      s.error("rejected by venue");
    if (i == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{15});
  }
  {
    auto other = c.span(component_type::analyst, "features",
                        *correlation_id::parse("search-other"));
  }
  const auto& viewer = tokens_by_role.at(role::viewer);
  auto search = [&](const std::string& query) {
    auto res = test::exchange(
      fx.port(), get_request("/api/tracing/search?" + query, viewer));
    REQUIRE(test::raw_connection::status_of(res) == 200);
    return nlohmann::json::parse(body_of(res));
  };
  auto ids = [](const nlohmann::json& page) {
    std::vector<std::string> out;
    for (const auto& s : page["spans"])
      out.push_back(s["correlation_id"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(test::eventually([&] {
    return search("component=exchange")["spans"].size() == 3;
  }));
  CHECK(ids(search("operation=features"))
        == std::vector<std::string>{"search-other"});
  CHECK(ids(search("component=exchange&min_duration=10ms"))
        == std::vector<std::string>{"search-0"});
  CHECK(ids(search("component=exchange&max_duration=10ms"))
        == std::vector<std::string>{"search-1", "search-2"});
  CHECK(ids(search("status=error")) == std::vector<std::string>{"search-2"});
  CHECK(ids(search("attribute=venue:binance"))
        == std::vector<std::string>{"search-1"});
  // Pages of one: disjoint, all of them, then no next.
  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 4; ++page) {
    auto p = search("component=exchange&limit=1"
                    + (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& s : p["spans"])
      seen.push_back(s["correlation_id"]);
    if (p["next"].is_null())
      break;
    cursor = p["next"];
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"search-0", "search-1", "search-2"});
  for (auto bad : {"component=broker", "min_duration=fast", "status=ok",
                   "attribute=novalue", "cursor=12", "limit=5000"}) {
    CAPTURE(bad);
    CHECK(test::raw_connection::status_of(test::exchange(
            fx.port(),
            get_request(std::string{"/api/tracing/search?"} + bad, viewer)))
          == 400);
  }
}

TEST_CASE("every request and failed authentication is in the audit log, "
          "chained, without a token, and argusctl audit verify finds an "
          "edited row") {
  gateway_fixture fx;
  REQUIRE(fx.start());
  const auto& viewer = tokens_by_role.at(role::viewer);
  const auto& admin = tokens_by_role.at(role::admin);
  CHECK(fx.curl_status("GET", "/api/status", viewer) == 200);
  CHECK(fx.curl_status("GET", "/api/status", "") == 401);
  CHECK(fx.curl_status("GET", "/api/status", "not-a-token-of-ours-at-all")
        == 401);
  CHECK(fx.curl_status("POST", "/api/events", viewer) == 403);
  CHECK(fx.curl_status("GET", "/api/ml/models", admin) == 200);
  auto res = test::exchange(fx.port(),
                            get_request("/api/tracing/errors?since=1h", viewer,
                                        "X-Correlation-ID: audited-1\r\n"));
  CHECK(test::raw_connection::status_of(res) == 200);
  CHECK(test::eventually([&] {
    return fx.eng->http_gateway()->counters()["audit_recorded"] >= 6;
  }));
  auto db_path = fx.cfg.storage.path;
  REQUIRE_FALSE(fx.eng->stop());
  SQLite::Database db{db_path, SQLite::OPEN_READONLY};
  auto entries = storage::audit_entries(db, storage::audit_query{});
  REQUIRE(entries);
  REQUIRE(entries->size() == 6);
  std::map<std::string, int> by_event;
  for (const auto& e : *entries)
    ++by_event[e.record.event];
  CHECK(by_event["request"] == 3);
  CHECK(by_event["auth_failed"] == 3);
  // Newest first.
  const auto& last = (*entries)[0].record;
  CHECK(last.principal == "test-viewer");
  CHECK(last.role == "viewer");
  CHECK(last.method == "GET");
  CHECK(last.route == "/api/tracing/errors");
  CHECK(last.path == "/api/tracing/errors");
  CHECK(last.status == 200);
  CHECK(last.bytes_out > 0);
  CHECK(last.duration_ns > 0);
  CHECK(last.peer.rfind("127.0.0.1:", 0) == 0);
  CHECK((*entries)[0].correlation_id == "audited-1");
  const auto& forbidden = (*entries)[2].record;
  CHECK(forbidden.event == "auth_failed");
  CHECK(forbidden.status == 403);
  CHECK(forbidden.principal == "test-viewer");
  CHECK(forbidden.detail == "role viewer is below operator");
  CHECK(forbidden.bytes_in == 2);
  CHECK((*entries)[3].record.detail == "unknown token");
  CHECK((*entries)[4].record.detail == "no bearer token");
  // No token, in any form, anywhere in the file.
  {
    std::ifstream in{db_path, std::ios::binary};
    std::string bytes{std::istreambuf_iterator<char>{in}, {}};
    for (const auto& [r, token] : tokens_by_role)
      CHECK(bytes.find(token) == std::string::npos);
    CHECK(bytes.find("not-a-token-of-ours") == std::string::npos);
  }
  auto ok = test::run({ARGUSCTL_PATH, "audit", "verify", "--db", db_path});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok: 6 rows") != std::string::npos);
  auto listed = test::run({ARGUSCTL_PATH, "audit", "list", "--db", db_path,
                           "--event", "auth_failed", "-o", "json"});
  REQUIRE(listed.code == 0);
  auto j = nlohmann::json::parse(listed.out);
  CHECK(j.size() == 3);
  CHECK(j[0]["status"] == 403);
  {
    SQLite::Database rw{db_path, SQLite::OPEN_READWRITE};
    rw.exec("DROP TRIGGER audit_log_no_update");
    rw.exec("UPDATE audit_log SET principal = 'test-admin' WHERE id = 4");
  }
  auto broken = test::run({ARGUSCTL_PATH, "audit", "verify", "--db", db_path});
  CHECK(broken.code == 4);
  CHECK(broken.out.find("row 4 was changed") != std::string::npos);
}

TEST_CASE("the audit trail is bounded: records beyond its capacity are "
          "dropped and counted, never waited for") {
  std::mutex mtx;
  std::condition_variable cv;
  bool release = false;
  std::vector<db_row> stored;
  gateway::audit_trail trail{[&](std::vector<db_row>&& rows) -> size_t {
                               std::unique_lock<std::mutex> lock{mtx};
                               cv.wait(lock, [&] {
                                 return release;
                               });
                               for (auto& r : rows)
                                 stored.push_back(std::move(r));
                               // The writer takes all but one.
                               return rows.size() - 1;
                             },
                             5, std::chrono::milliseconds{1}, 2};
  storage::audit_record rec;
  rec.method = "GET";
  // The first two go to the blocked sink; five wait; the rest are dropped.
  trail.record(rec);
  trail.record(rec);
  CHECK(test::eventually([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
    for (int i = 0; i < 20; ++i)
      trail.record(rec);
    return trail.get_counters().dropped > 0;
  }));
  auto before = trail.get_counters();
  CHECK(before.recorded + before.dropped >= 22);
  CHECK(before.recorded <= 7);
  {
    std::lock_guard<std::mutex> guard{mtx};
    release = true;
  }
  cv.notify_all();
  trail.stop();
  auto after = trail.get_counters();
  // Every record is accounted for: taken, or dropped (by the trail or the
  // sink).
  CHECK(after.taken + after.dropped == after.recorded + before.dropped);
  CHECK(stored.size() == after.recorded);
  trail.record(rec);
  CHECK(trail.get_counters().dropped == after.dropped + 1);
}

TEST_CASE("an answer over a limit reaches a client that is still sending: "
          "the rest is drained before the connection closes") {
  gateway_fixture fx{[](config::gateway_config& g) {
    g.max_body_bytes = 1024;
  }};
  REQUIRE(fx.start());
  const auto& op = tokens_by_role.at(role::operator_);
  // A client that sends its whole 3 MiB body before it reads: closed at
  // once, the server's kernel would answer the body with a reset, and the
  // client's kernel would throw the 413 away with it.
  for (int i = 0; i < 3; ++i) {
    test::raw_connection c{fx.port()};
    REQUIRE(c.fd >= 0);
    size_t body = 3 * 1024 * 1024;
    CHECK(c.send_all("POST /api/events HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer "
                     + op
                     + "\r\nContent-Type: application/json\r\n"
                       "Content-Length: "
                     + std::to_string(body) + "\r\n\r\n"));
    CHECK(c.send_all(std::string(body, ' ')));
    auto res = c.read_response();
    CHECK(test::raw_connection::status_of(res) == 413);
  }
  CHECK(fx.eng->http_gateway()->counters()["body_too_large"] == 3);
}

TEST_CASE("with a certificate the listener speaks TLS only: a client that "
          "trusts the CA is served, others are refused") {
  test::certificates certs;
  auto [cert, key] = certs.issue("argusd");
  gateway_fixture fx{[&, cert = cert, key = key](config::gateway_config& g) {
    g.tls_certificate = cert;
    g.tls_key = key;
    // Off loopback is allowed with TLS (reached here through 127.0.0.1).
    g.address = "0.0.0.0";
  }};
  REQUIRE(config::validate(fx.cfg.gateway).empty());
  REQUIRE(fx.start());
  auto url = "https://127.0.0.1:" + std::to_string(fx.port());
  CHECK(fx.url().rfind("https://", 0) == 0);
  const auto& viewer = tokens_by_role.at(role::viewer);
  auto trusted
    = test::run({"/usr/bin/curl", "-s", "--cacert", certs.ca, "-H",
                 "Authorization: Bearer " + viewer, url + "/api/status"});
  REQUIRE(trusted.code == 0);
  auto status = nlohmann::json::parse(trusted.out);
  CHECK(status.contains("components"));
  // TLS 1.2 and 1.3 are offered; 1.1 is not.
  CHECK(test::run({"/usr/bin/curl", "-s", "-o", "/dev/null", "--cacert",
                   certs.ca, "--tlsv1.2", "--tls-max", "1.2", url + "/healthz"})
          .code
        == 0);
  CHECK(test::run({"/usr/bin/curl", "-s", "-o", "/dev/null", "--cacert",
                   certs.ca, "--tlsv1.1", "--tls-max", "1.1", url + "/healthz"})
          .code
        != 0);
  // Not trusting the CA: curl refuses the certificate (60).
  CHECK(
    test::run({"/usr/bin/curl", "-s", "-o", "/dev/null", url + "/healthz"}).code
    == 60);
  // Plain HTTP to the TLS port gets no HTTP answer, and the listener goes on.
  auto plain = test::exchange(fx.port(), get_request("/healthz", ""));
  CHECK(test::raw_connection::status_of(plain) == 0);
  CHECK(test::eventually([&] {
    return fx.eng->http_gateway()->counters()["tls_handshake_failures"] >= 1;
  }));
  CHECK(test::run({"/usr/bin/curl", "-s", "-o", "/dev/null", "--cacert",
                   certs.ca, url + "/healthz"})
          .code
        == 0);
}

TEST_CASE("a certificate or key that cannot be used stops the engine from "
          "starting, naming the file") {
  test::certificates certs;
  auto [cert, key] = certs.issue("argusd");
  auto [other_cert, other_key] = certs.issue("other");
  struct case_t {
    std::string cert, key, expect;
  };
  for (const auto& c :
       {case_t{certs.dir.file("missing.pem"), key, "missing.pem"},
        case_t{cert, certs.dir.write("garbage.key", "not a key\n"),
               "garbage.key"},
        case_t{cert, other_key, "does not belong to the certificate"}}) {
    CAPTURE(c.expect);
    gateway_fixture fx{[&](config::gateway_config& g) {
      g.tls_certificate = c.cert;
      g.tls_key = c.key;
    }};
    engine eng{fx.cfg, fx.options()};
    auto err = eng.start();
    REQUIRE(err);
    INFO(caf::to_string(err));
    CHECK(caf::to_string(err).find(c.expect) != std::string::npos);
  }
}

namespace {

/// Every frame waiting for `c`, as JSON.
std::vector<nlohmann::json> frames_of(gateway::live::connection& c) {
  std::vector<nlohmann::json> result;
  while (auto f = c.take())
    result.push_back(nlohmann::json::parse(*f->text));
  return result;
}

/// @returns the handle of the running component `id` (invalid if none).
caf::actor running_component(engine& eng, const std::string& id) {
  caf::scoped_actor self{eng.system()};
  caf::actor result;
  self->request(eng.supervisor(), std::chrono::seconds{5}, atom::lookup_v)
    .receive(
      [&](component_directory& d) {
        if (auto found = d.find(id))
          result = *found;
      },
      [](caf::error&) {});
  return result;
}

} // namespace

TEST_CASE("a component that crashed and restarted still feeds its live "
          "topic: its replacement pushes to the listener again") {
  gateway_fixture fx;
  fx.cfg.monitoring_integration.restart_backoff_initial
    = std::chrono::milliseconds{100};
  REQUIRE(fx.start());
  auto& hub = fx.eng->http_gateway()->live();
  auto conn = hub.attach({}, {});
  gateway::live::filter regimes;
  regimes.kinds = {"regimes"};
  conn->subscribe(gateway::live::topic::tracking, regimes);
  auto regime_changes = [&] {
    std::vector<nlohmann::json> result;
    for (auto& f : frames_of(*conn))
      if (f.value("type", "") == "regime_changed")
        result.push_back(std::move(f));
    return result;
  };
  auto change_regime = [&](int64_t at_ns) {
    auto bull = test::sample_regime_recorded();
    bull.time_ns = at_ns;
    auto bear = bull;
    bear.regime_type = "BEAR_TREND";
    bear.time_ns = at_ns + 1'000'000'000;
    CHECK(fx.eng->client().record_regime_tracking(bull));
    CHECK(fx.eng->client().record_regime_tracking(bear));
  };
  change_regime(1'700'000'000'000'000'000);
  std::vector<nlohmann::json> heard;
  CHECK(test::eventually([&] {
    auto more = regime_changes();
    heard.insert(heard.end(), more.begin(), more.end());
    return !heard.empty();
  }));
  auto tracker = running_component(*fx.eng, "tracker");
  REQUIRE(tracker);
  {
    caf::scoped_actor self{fx.eng->system()};
    self->send_exit(tracker, caf::exit_reason::kill);
  }
  REQUIRE(test::eventually([&] {
    auto now = running_component(*fx.eng, "tracker");
    return now && now != tracker;
  }));
  heard.clear();
  change_regime(1'700'000'100'000'000'000);
  CHECK(test::eventually([&] {
    auto more = regime_changes();
    heard.insert(heard.end(), more.begin(), more.end());
    return !heard.empty();
  }));
  REQUIRE(!heard.empty());
  CHECK(heard.back()["to"] == "BEAR_TREND");
  hub.detach(conn);
}

TEST_CASE("with a certificate /ws is wss: argusctl follow trusting the CA "
          "streams the status topic, without it the connection is refused") {
  test::certificates certs;
  auto [cert, key] = certs.issue("argusd");
  gateway_fixture fx{[&, cert = cert, key = key](config::gateway_config& g) {
    g.tls_certificate = cert;
    g.tls_key = key;
  }};
  fx.cfg.metrics_dashboard.update_interval = std::chrono::seconds{1};
  REQUIRE(fx.start());
  auto url = "https://127.0.0.1:" + std::to_string(fx.port());
  const auto& viewer = tokens_by_role.at(role::viewer);
  auto followed
    = test::run({ARGUSCTL_PATH, "--server", url, "--token", viewer, "--ca-file",
                 certs.ca, "follow", "status", "-n", "2", "-o", "json"});
  INFO(followed.out, followed.err);
  REQUIRE(followed.code == 0);
  std::vector<nlohmann::json> lines;
  std::istringstream in{followed.out};
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 2);
  for (const auto& m : lines) {
    CHECK(m["topic"] == "status");
    CHECK(m["seq"].get<uint64_t>() >= 1);
  }
  CHECK(lines[1]["seq"].get<uint64_t>() > lines[0]["seq"].get<uint64_t>());
  // Not trusting the CA: refused at the TLS handshake, nothing streamed.
  auto untrusted = test::run({ARGUSCTL_PATH, "--server", url, "--token", viewer,
                              "follow", "status", "-n", "1"});
  CHECK(untrusted.code != 0);
  CHECK(untrusted.out.empty());
  CHECK(untrusted.err.find("certificate") != std::string::npos);
}
