#include "messages/codec.hpp"
#include "runtime/gateway/ingest.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace argus;
using nlohmann::json;

namespace {

json envelope_of(const gateway::event_batch& b, size_t i) {
  auto bytes = b.envelope(b.entries.at(i));
  return json::from_msgpack(bytes.begin(), bytes.end());
}

gateway::event_batch read(const std::string& body) {
  std::string error;
  auto batch = gateway::read_event_batch(body, error);
  REQUIRE_MESSAGE(batch, error);
  CHECK(error.empty());
  return std::move(*batch);
}

std::string refusal(const std::string& body) {
  std::string error;
  CHECK_FALSE(gateway::read_event_batch(body, error));
  return error;
}

} // namespace

TEST_CASE("a JSON batch is streamed into the wire's envelopes, each the "
          "JSON event itself") {
  // Both shapes, keys in any order, every kind of JSON value, nesting.
  json body_a{{"hdr", {{"corr", "c-1"}}},
              {"regime_type", "BULL_TREND"},
              {"regime_confidence", 0.8},
              {"n", -12},
              {"big", 18446744073709551615ull},
              {"flags", {true, false, nullptr}},
              {"nested", {{"x", {{"y", {1, 2, {{"z", "é ✓"}}}}}}}},
              {"empty", json::object()},
              {"none", json::array()}};
  std::string text = R"([{"body":)" + body_a.dump()
                     + R"(,"type":"regime_recorded","extra":{"a":[1]}},)"
                     + R"(["trade_executed",{"symbol":"BTC"}],)"
                     + R"({"type":"flush_requested"}])";
  auto batch = read(text);
  REQUIRE(batch.entries.size() == 3);
  for (const auto& e : batch.entries)
    CHECK(e.defect.empty());
  CHECK(envelope_of(batch, 0) == json::array({"regime_recorded", body_a}));
  CHECK(envelope_of(batch, 1)
        == json::array({"trade_executed", {{"symbol", "BTC"}}}));
  CHECK(envelope_of(batch, 2)
        == json::array({"flush_requested", json::object()}));
  // And the codec reads them as the wire's events.
  CHECK(codec::decode_event(batch.envelope(batch.entries[2])));
  // {"events": [...]} is the same batch; other keys are not read.
  auto wrapped = read(R"({"note":[1,{"a":2}],"events":)" + text + "}");
  REQUIRE(wrapped.entries.size() == 3);
  CHECK(wrapped.envelopes == batch.envelopes);
}

TEST_CASE("an event of the wrong shape or nested past the wire's depth is "
          "refused alone, the others read") {
  std::string deep_body = "1";
  for (size_t i = 0; i < codec::max_depth + 4; ++i)
    deep_body = "[" + deep_body + "]";
  auto batch = read(R"([42, "x", {"body":{}}, null, ["a",{}], )"
                    R"({"type":"regime_recorded","body":)"
                    + deep_body + "}, [" + deep_body + R"(], ["b",{}]])");
  REQUIRE(batch.entries.size() == 8);
  for (size_t i : {0, 1, 2, 3})
    CHECK(batch.entries[i].defect.find("an event is") == 0);
  CHECK(batch.entries[5].defect == "nesting deeper than 16");
  CHECK(batch.entries[6].defect == "nesting deeper than 16");
  CHECK(envelope_of(batch, 4) == json::array({"a", json::object()}));
  CHECK(envelope_of(batch, 7) == json::array({"b", json::object()}));
  // Exactly at the codec's depth the codec itself is the judge.
  std::string at_limit = "1";
  for (size_t i = 0; i + 1 < codec::max_depth; ++i)
    at_limit = "[" + at_limit + "]";
  auto edge = read(R"([["regime_recorded",)" + at_limit + "]]");
  CHECK(edge.entries[0].defect.empty());
}

TEST_CASE("a body that is not JSON or not a batch is refused whole, naming "
          "the byte or the shape") {
  CHECK(refusal(R"([{"type":)").find("malformed JSON at byte 10") == 0);
  CHECK(refusal("[1] trailing").find("malformed JSON") == 0);
  for (const auto* not_batch :
       {R"({"x":1})", "42", R"("events")", R"({"events":{}})",
        R"({"events":1})", R"({"events":[],"events":[]})"})
    CHECK_MESSAGE(refusal(not_batch).find("the body is an array of events")
                    == 0,
                  not_batch);
  CHECK(read("[]").entries.empty());
}
