#include "messages/trace_context.hpp"

#include "messages/error.hpp"
#include "runtime/correlation.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>

using namespace argus;

namespace {

const std::string tid = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string pid = "00f067aa0ba902b7";

} // namespace

TEST_CASE("traceparent: the specification's valid forms") {
  auto ctx = parse_traceparent("00-" + tid + "-" + pid + "-01");
  REQUIRE(ctx);
  CHECK(ctx->version == 0);
  CHECK(ctx->trace.hex() == tid);
  CHECK(ctx->parent.hex() == pid);
  CHECK(ctx->sampled());
  CHECK(to_traceparent(*ctx) == "00-" + tid + "-" + pid + "-01");
  auto unsampled = parse_traceparent("00-" + tid + "-" + pid + "-00");
  REQUIRE(unsampled);
  CHECK(!unsampled->sampled());
  // Unknown flag bits are kept, only bit 0 means sampled.
  auto flags = parse_traceparent("00-" + tid + "-" + pid + "-09");
  REQUIRE(flags);
  CHECK(flags->flags == 0x09);
  CHECK(flags->sampled());
  // HTTP optional whitespace around the value.
  CHECK(parse_traceparent(" \t00-" + tid + "-" + pid + "-01 "));
  // A future version may append fields after a dash.
  auto future = parse_traceparent("cc-" + tid + "-" + pid + "-01-what-ever");
  REQUIRE(future);
  CHECK(future->version == 0xcc);
  CHECK(future->trace.hex() == tid);
  CHECK(parse_traceparent("cc-" + tid + "-" + pid + "-01"));
}

TEST_CASE("traceparent: the specification's invalid forms") {
  for (const auto& bad : std::vector<std::string>{
         "",                                                   // empty
         "ff-" + tid + "-" + pid + "-01",                      // version ff
         "0-" + tid + "-" + pid + "-01",                       // short version
         "00-" + tid + "-" + pid + "-01-extra",                // v00 + extra
         "00-" + tid + "-" + pid + "-011",                     // long flags
         "00-" + tid + "-" + pid + "-0",                       // short flags
         "00-" + tid + "-" + pid + "-0g",                      // flags not hex
         "00-00000000000000000000000000000000-" + pid + "-01", // zero trace
         "00-" + tid + "-0000000000000000-01",                 // zero parent
         "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + pid + "-01", // uppercase
         "00-" + tid + "-00F067AA0BA902B7-01",                 // uppercase
         "00-" + tid.substr(1) + "-" + pid + "-01",            // short trace
         "00-" + tid + "-" + pid.substr(1) + "-01",            // short parent
         "00_" + tid + "_" + pid + "_01",                      // separators
         "00-" + tid + "-" + pid + "-01\x01",                  // control char
         "cc-" + tid + "-" + pid + "-01.what",                 // no dash
         "0g-" + tid + "-" + pid + "-01",                      // version hex
       }) {
    INFO(bad);
    auto r = parse_traceparent(bad);
    CHECK(!r);
  }
}

TEST_CASE("tracestate: members, limits and round trip") {
  auto ts = parse_tracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE,,"
                             "tenant@vendor=x");
  REQUIRE(ts);
  REQUIRE(ts->entries.size() == 3);
  CHECK(ts->entries[0].first == "rojo");
  CHECK(ts->entries[1].second == "t61rcWkgMzE");
  CHECK(ts->entries[2].first == "tenant@vendor");
  CHECK(to_string(*ts)
        == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant@vendor=x");
  CHECK(parse_tracestate("")->entries.empty());
  CHECK(!parse_tracestate("novalue"));
  CHECK(!parse_tracestate("Upper=1"));
  CHECK(!parse_tracestate("a=1,a=2"));
  CHECK(!parse_tracestate("a=has,comma"));
  CHECK(!parse_tracestate("a=x=y"));
  CHECK(!parse_tracestate("a=" + std::string(257, 'v')));
  std::string many;
  for (int i = 0; i < 33; ++i)
    many += "k" + std::to_string(i) + "=v,";
  CHECK(!parse_tracestate(many));
}

TEST_CASE("a trace id correlation id is its own trace id - others map "
          "deterministically") {
  auto w3c = *correlation_id::parse(tid);
  CHECK(trace_id_for(w3c).hex() == tid);
  auto bot = *correlation_id::parse("req_123");
  auto a = trace_id_for(bot);
  CHECK(a.valid());
  CHECK(a == trace_id_for(*correlation_id::parse("req_123")));
  CHECK(a != trace_id_for(*correlation_id::parse("req_124")));
  // An uppercase hex id is not a W3C trace id: it is hashed, not reused.
  auto upper = *correlation_id::parse("4BF92F3577B34DA6A3CE929D0E0E4736");
  CHECK(trace_id_for(upper).hex() != tid);
}

TEST_CASE("head sampling is decided by the trace id alone") {
  runtime::correlation_source ids{99};
  int kept = 0;
  constexpr int n = 100000;
  for (int i = 0; i < n; ++i) {
    auto id = trace_id_for(ids.next());
    auto quarter = sampled(id, 0.25);
    kept += quarter;
    // The same trace gets the same answer every time, and a higher rate
    // keeps everything a lower one keeps.
    CHECK(quarter == sampled(id, 0.25));
    if (quarter)
      CHECK(sampled(id, 0.5));
    CHECK(sampled(id, 1.0));
    CHECK(!sampled(id, 0.0));
  }
  CHECK(kept > n * 0.24);
  CHECK(kept < n * 0.26);
}

namespace {

/// Headers of a request, looked up by exact name.
std::function<std::string_view(std::string_view)>
headers(std::map<std::string, std::string> h) {
  auto shared
    = std::make_shared<std::map<std::string, std::string>>(std::move(h));
  return [shared](std::string_view name) -> std::string_view {
    auto it = shared->find(std::string{name});
    return it == shared->end() ? std::string_view{} : it->second;
  };
}

} // namespace

TEST_CASE("extract_context: the correlation header wins, else the "
          "traceparent's trace id - bad traceparents restart the trace") {
  const std::string tp
    = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto both = extract_context(headers({{"traceparent", tp},
                                       {"tracestate", "rojo=00f067aa0ba902b7"},
                                       {"X-Correlation-ID", "req_123"}}),
                              "X-Correlation-ID");
  REQUIRE(both);
  CHECK(both->corr.view() == "req_123");
  REQUIRE(both->parent);
  CHECK(both->parent->parent.hex() == "00f067aa0ba902b7");
  CHECK(both->state.entries.size() == 1);
  auto only_tp
    = extract_context(headers({{"traceparent", tp}}), "X-Correlation-ID");
  REQUIRE(only_tp);
  CHECK(only_tp->corr.view() == "4bf92f3577b34da6a3ce929d0e0e4736");
  // The bot's own id keeps its trace across processes.
  CHECK(trace_id_for(only_tp->corr).hex()
        == "4bf92f3577b34da6a3ce929d0e0e4736");
  auto bad_tp = extract_context(
    headers({{"traceparent", "00-00000000000000000000000000000000-"
                             "00f067aa0ba902b7-01"},
             {"X-Correlation-ID", "req_9"}}),
    "X-Correlation-ID");
  REQUIRE(bad_tp);
  CHECK(!bad_tp->parent);
  CHECK(bad_tp->corr.view() == "req_9");
  auto none = extract_context(headers({}), "X-Correlation-ID");
  REQUIRE(none);
  CHECK(none->corr.empty());
  auto bad_id = extract_context(
    headers({{"X-Correlation-ID", std::string(100, 'x')}}), "X-Correlation-ID");
  REQUIRE(!bad_id);
  CHECK(describe(bad_id.error()).find("X-Correlation-ID") != std::string::npos);
}

TEST_CASE("inject_context writes what extract_context reads") {
  auto ctx = parse_traceparent(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(ctx);
  trace_state state;
  state.entries = {{"argus", "1"}};
  auto out = inject_context(*correlation_id::parse("req_7"), *ctx,
                            "X-Correlation-ID", state);
  std::map<std::string, std::string> h(out.begin(), out.end());
  CHECK(h.size() == 3);
  auto back = extract_context(headers(h), "X-Correlation-ID");
  REQUIRE(back);
  CHECK(back->corr.view() == "req_7");
  CHECK(to_traceparent(*back->parent) == to_traceparent(*ctx));
  CHECK(back->state.entries == state.entries);
}
