#include "runtime/gateway/live/feed.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace argus;
using namespace argus::gateway::live;
using nlohmann::json;

namespace {

/// A client subscribed to `t` with `filter_json`.
std::shared_ptr<connection> client(hub& h, topic t,
                                   std::string filter_json = "{}") {
  auto c = h.attach({}, {});
  std::string error;
  auto r
    = parse_request(R"({"op":"subscribe","topic":")" + std::string{to_string(t)}
                      + R"(","filter":)" + filter_json + "}",
                    error);
  REQUIRE_MESSAGE(r, error);
  c->subscribe(t, r->with);
  return c;
}

std::vector<json> drain(connection& c) {
  std::vector<json> out;
  while (auto f = c.take())
    out.push_back(json::parse(*f->text));
  return out;
}

request_summary finished_request(const std::string& corr,
                                 const std::string& component,
                                 int64_t duration_ns,
                                 const std::string& status) {
  request_summary x;
  x.hdr.corr = *correlation_id::parse(corr);
  x.operation = "place_order";
  x.status = status;
  x.component = component;
  x.path = component + ">exchange";
  x.duration_ns = duration_ns;
  return x;
}

} // namespace

TEST_CASE("finished requests go to the traces clients whose filter they "
          "match, numbered per topic, with their correlation id") {
  hub h;
  auto all = client(h, topic::traces);
  auto slow_errors
    = client(h, topic::traces, R"({"min_duration_ms":5,"errors_only":true})");
  auto analyst = client(h, topic::traces, R"({"component":"analyst"})");
  publish(h, finished_request("r1", "analyst", 1'000'000, "completed"));
  publish(h, finished_request("r2", "strategist", 9'000'000, "failed"));
  publish(h, finished_request("r3", "analyst", 9'000'000, "failed"));

  auto got = drain(*all);
  REQUIRE(got.size() == 3);
  CHECK(got[0]["type"] == "request");
  CHECK(got[0]["topic"] == "traces");
  CHECK(got[0]["corr"] == "r1");
  CHECK(got[0]["path"] == "analyst>exchange");
  CHECK(got[0]["duration_ns"] == 1'000'000);
  CHECK(got[1]["seq"].get<uint64_t>() == got[0]["seq"].get<uint64_t>() + 1);
  CHECK(got[2]["seq"].get<uint64_t>() == got[1]["seq"].get<uint64_t>() + 1);

  auto slow = drain(*slow_errors);
  REQUIRE(slow.size() == 2);
  CHECK(slow[0]["corr"] == "r2");
  CHECK(slow[1]["corr"] == "r3");
  auto mine = drain(*analyst);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0]["corr"] == "r1");
  CHECK(mine[1]["corr"] == "r3");
}

TEST_CASE("no request is rendered while no client subscribes to traces") {
  hub h;
  auto other = client(h, topic::alerts);
  CHECK(publish(h, finished_request("r1", "analyst", 1, "completed")) == 0);
  CHECK(h.stats().published[static_cast<size_t>(topic::traces)] == 0);
  CHECK(drain(*other).empty());
}

TEST_CASE("alerts carry their change - a level filter still hears the "
          "resolution and the retraining request of its model") {
  hub h;
  auto high = client(h, topic::alerts, R"({"severity":"high","model":"m1"})");
  drift_alert a;
  a.model = {"m1", "v2"};
  a.feature = "spread";
  a.method = "ks+psi";
  a.score = 0.4;
  a.p_value = 0.001;
  a.level = severity::high;
  a.message = "fired: spread psi 0.4";
  publish(h, a);
  a.level = severity::medium;
  a.message = "fired: volume psi 0.2";
  publish(h, a); // below the filter
  a.level = severity::none;
  a.message = "resolved: spread psi 0.01";
  publish(h, a);
  retrain_requested r;
  r.model = {"m1", "v2"};
  r.trigger = "critical_drift";
  r.reason = "score 0.9";
  publish(h, r);
  r.model = {"m2", "v1"};
  publish(h, r); // another model

  auto got = drain(*high);
  REQUIRE(got.size() == 3);
  CHECK(got[0]["type"] == "drift_alert");
  CHECK(got[0]["change"] == "fired");
  CHECK(got[0]["severity"] == "high");
  CHECK(got[0]["model_id"] == "m1");
  CHECK(got[1]["change"] == "resolved");
  CHECK(got[2]["type"] == "retrain_requested");
  CHECK(got[2]["trigger"] == "critical_drift");
}

TEST_CASE("tracking changes and views are filtered by kind - a view is "
          "inserted whole") {
  hub h;
  auto regimes = client(h, topic::tracking, R"({"kind":["regimes"]})");
  regime_changed rc;
  rc.hdr.corr = *correlation_id::parse("obs_7");
  rc.from = "bull";
  rc.to = "volatile";
  rc.confidence = 0.8;
  publish(h, rc);
  feature_rank_changed fr;
  fr.model_id = "m1";
  fr.feature = "spread";
  fr.from_rank = 3;
  fr.to_rank = 1;
  publish(h, fr);
  tracking_view v;
  v.kind = tracking_view_kind::regimes;
  v.body = R"({"current":"volatile","transitions":{"bull":{"volatile":1}}})";
  publish(h, v);

  auto got = drain(*regimes);
  REQUIRE(got.size() == 2);
  CHECK(got[0]["type"] == "regime_changed");
  CHECK(got[0]["corr"] == "obs_7");
  CHECK(got[0]["to"] == "volatile");
  CHECK(got[1]["type"] == "tracking_view");
  CHECK(got[1]["kind"] == "regimes");
  CHECK(got[1]["view"]["transitions"]["bull"]["volatile"] == 1);
  // The feature change was published (seq taken) for others.
  CHECK(got[1]["seq"].get<uint64_t>() == got[0]["seq"].get<uint64_t>() + 2);
}

TEST_CASE("status: a component message for each change of state or "
          "restarts, then the snapshot") {
  hub h;
  auto c = client(h, topic::status);
  integration_status st;
  st.time_ns = 1;
  component_status tracer;
  tracer.id = "tracer";
  tracer.state = component_state::running;
  component_status ml = tracer;
  ml.id = "ml_monitor";
  st.components = {tracer, ml};
  publish(h, st, std::nullopt);
  auto first = drain(*c);
  REQUIRE(first.size() == 3); // both new, then the snapshot
  CHECK(first[0]["type"] == "component");
  CHECK(first[2]["type"] == "status");
  CHECK(first[2]["components"].size() == 2);

  auto before = st;
  st.components[1].state = component_state::restarting;
  st.components[1].restarts = 1;
  st.components[1].last_error = "boom";
  publish(h, st, before);
  auto second = drain(*c);
  REQUIRE(second.size() == 2);
  CHECK(second[0]["id"] == "ml_monitor");
  CHECK(second[0]["state"] == "restarting");
  CHECK(second[0]["was"] == "running");
  CHECK(second[0]["restarts"] == 1);
  CHECK(second[0]["last_error"] == "boom");

  publish(h, st, st);
  auto third = drain(*c);
  REQUIRE(third.size() == 1); // nothing changed: the snapshot only
  CHECK(third[0]["type"] == "status");
}

TEST_CASE("the dashboard's pushed snapshot is the metrics message, its text "
          "inserted whole - other views are not published") {
  hub h;
  auto c = client(h, topic::metrics);
  metrics_view v;
  v.kind = metrics_view_kind::dashboard;
  v.body = R"({"time_ns":7,"performance":{"total_pnl":12.5}})";
  CHECK(publish(h, v) == 1);
  v.kind = metrics_view_kind::prometheus;
  v.body = "argus_up 1\n";
  CHECK(publish(h, v) == 0);
  auto got = drain(*c);
  REQUIRE(got.size() == 1);
  CHECK(got[0]["type"] == "metrics");
  CHECK(got[0]["seq"] == 1);
  CHECK(got[0]["dashboard"]["performance"]["total_pnl"] == 12.5);
  REQUIRE(h.last(topic::metrics));
  CHECK(json::parse(*h.last(topic::metrics)) == got[0]);
}
