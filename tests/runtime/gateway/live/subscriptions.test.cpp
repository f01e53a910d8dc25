#include "runtime/gateway/live/subscriptions.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace argus;
using namespace argus::gateway::live;

namespace {

request must_parse(const std::string& text) {
  std::string error;
  auto r = parse_request(text, error);
  INFO(text, " -> ", error);
  REQUIRE(r);
  return *r;
}

/// @returns the error reading `text` gives (empty: none).
std::string refusal(const std::string& text) {
  std::string error;
  auto r = parse_request(text, error);
  if (r)
    return {};
  CHECK_FALSE(error.empty());
  return error;
}

} // namespace

TEST_CASE("a traces subscription with a filter sees only the requests it "
          "asked for") {
  auto r = must_parse(R"({"op":"subscribe","topic":"traces","id":"a1",)"
                      R"("filter":{"component":"exchange",)"
                      R"("min_duration_ms":2.5,"errors_only":true}})");
  CHECK(r.what == request::op::subscribe);
  CHECK(r.on == topic::traces);
  CHECK(r.id == "a1");
  REQUIRE(r.with.component);
  CHECK(*r.with.component == component_type::exchange);
  CHECK(r.with.min_duration_ns == 2'500'000);
  CHECK(r.with.errors_only);
  subscriptions subs;
  subs.subscribe(r.on, r.with);
  message_facts slow_failed;
  slow_failed.component = component_type::exchange;
  slow_failed.duration_ns = 3'000'000;
  slow_failed.error = true;
  CHECK(subs.wants(topic::traces, slow_failed));
  auto other = slow_failed;
  other.component = component_type::analyst;
  CHECK_FALSE(subs.wants(topic::traces, other));
  auto fast = slow_failed;
  fast.duration_ns = 2'499'999;
  CHECK_FALSE(subs.wants(topic::traces, fast));
  auto ok = slow_failed;
  ok.error = false;
  CHECK_FALSE(subs.wants(topic::traces, ok));
  // Other topics are not subscribed.
  CHECK_FALSE(subs.wants(topic::alerts, slow_failed));
  CHECK(subs.unsubscribe(topic::traces));
  CHECK_FALSE(subs.unsubscribe(topic::traces));
  CHECK_FALSE(subs.wants(topic::traces, slow_failed));
}

TEST_CASE("alerts filter by least severity and model, tracking by kind, "
          "metrics by series, and no filter takes everything") {
  subscriptions subs;
  subs.subscribe(topic::alerts,
                 must_parse(R"({"op":"subscribe","topic":"alerts","filter":)"
                            R"({"severity":"high","model":"m1"}})")
                   .with);
  message_facts alert;
  alert.level = severity::critical;
  alert.model = "m1";
  CHECK(subs.wants(topic::alerts, alert));
  alert.level = severity::medium;
  CHECK_FALSE(subs.wants(topic::alerts, alert));
  // A resolution (no level of its own) still reaches a level filter.
  alert.notice = true;
  CHECK(subs.wants(topic::alerts, alert));
  alert.notice = false;
  alert.level = severity::high;
  alert.model = "m2";
  CHECK_FALSE(subs.wants(topic::alerts, alert));

  subs.subscribe(topic::tracking,
                 must_parse(R"({"op":"subscribe","topic":"tracking","filter":)"
                            R"({"kind":["regimes","ensembles"]}})")
                   .with);
  message_facts change;
  change.kind = "regimes";
  CHECK(subs.wants(topic::tracking, change));
  change.kind = "features";
  CHECK_FALSE(subs.wants(topic::tracking, change));

  subs.subscribe(topic::metrics,
                 must_parse(R"({"op":"subscribe","topic":"metrics","filter":)"
                            R"({"series":"equity"}})")
                   .with);
  message_facts sample;
  sample.series = "equity";
  CHECK(subs.wants(topic::metrics, sample));
  sample.series = "pnl";
  CHECK_FALSE(subs.wants(topic::metrics, sample));

  subs.subscribe(topic::status,
                 must_parse(R"({"op":"subscribe","topic":"status"})").with);
  CHECK(subs.wants(topic::status, message_facts{}));
  auto snap = must_parse(R"({"op":"snapshot","topic":"metrics"})");
  CHECK(snap.what == request::op::snapshot);
}

TEST_CASE("a malformed request is refused with the field and the reason, "
          "whatever its bytes") {
  CHECK(refusal("not json") == "the message is not JSON");
  CHECK(refusal("[1,2]").find("JSON object") != std::string::npos);
  CHECK(refusal(R"({"topic":"traces"})").find("op:") == 0);
  CHECK(refusal(R"({"op":"watch","topic":"traces"})").find("'watch'")
        != std::string::npos);
  CHECK(refusal(R"({"op":"subscribe","topic":"orders"})").find("topic:") == 0);
  CHECK(refusal(R"({"op":"subscribe"})").find("topic:") == 0);
  // A field of another topic's filter, or a typo, is not silently ignored.
  CHECK(refusal(R"({"op":"subscribe","topic":"traces",)"
                R"("filter":{"severity":"high"}})")
        == "filter.severity: not a filter of topic traces");
  CHECK(refusal(R"({"op":"subscribe","topic":"traces",)"
                R"("filter":{"component":"trader"}})")
        == "filter.component: no component is called 'trader'");
  CHECK(refusal(R"({"op":"subscribe","topic":"traces",)"
                R"("filter":{"min_duration_ms":-1}})")
          .find("filter.min_duration_ms:")
        == 0);
  CHECK(refusal(R"({"op":"subscribe","topic":"traces",)"
                R"("filter":{"errors_only":"yes"}})")
          .find("filter.errors_only:")
        == 0);
  CHECK(refusal(R"({"op":"subscribe","topic":"alerts",)"
                R"("filter":{"severity":"extreme"}})")
          .find("filter.severity:")
        == 0);
  CHECK(refusal(R"({"op":"subscribe","topic":"tracking",)"
                R"("filter":{"kind":["regimes","weather"]}})")
          .find("'weather'")
        != std::string::npos);
  CHECK(refusal(R"({"op":"unsubscribe","topic":"traces","filter":{}})")
        == "filter: only a subscribe takes one");
  CHECK(refusal(R"({"op":"subscribe","topic":"status","extra":1})")
        == "extra: not a field of a request");
  CHECK(refusal(R"({"op":"subscribe","topic":"status","id":7})").find("id:")
        == 0);
  CHECK(refusal("{\"op\":\"subscribe\",\"topic\":\"st\xff\"}")
        == "the message is not valid UTF-8");
  // Bounded before it is parsed: deep nesting never reaches the parser.
  CHECK(refusal(std::string(5000, '[')).find("at most 4096 bytes")
        != std::string::npos);
  CHECK(refusal(R"({"op":"subscribe","topic":"alerts","filter":{"model":")"
                + std::string(200, 'm') + R"("}})")
          .find("filter.model: at most")
        == 0);
}
