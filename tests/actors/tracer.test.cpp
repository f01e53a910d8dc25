#include "actors/tracer.hpp"

#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"

using namespace argus;
using namespace std::chrono_literals;

namespace {

tracer_state make(double rate, size_t max_traces = 100) {
  config::tracer_config cfg;
  cfg.trace_sampling_rate = rate;
  cfg.max_trace_history = max_traces;
  cfg.slow_span_threshold = 100ms;
  tracer_state st;
  st.init(cfg, nullptr, 0);
  return st;
}

span_recorded span_of(const std::string& corr, int64_t duration_ns,
                      span_status status = span_status::ok) {
  auto s = test::sample_span_recorded();
  s.hdr.corr = *correlation_id::parse(corr);
  s.trace_id = trace_id_for(s.hdr.corr).hex();
  s.status = status;
  s.start_ns = 1'000'000'000;
  s.end_ns = s.start_ns + duration_ns;
  return s;
}

} // namespace

TEST_CASE("tracer keeps sampled traces, every error and every slow span") {
  auto none = make(0.0);
  CHECK(none.decide(span_of("a", 1000)) == keep_reason::dropped);
  CHECK(none.decide(span_of("a", 1000, span_status::error))
        == keep_reason::error);
  CHECK(none.decide(span_of("a", 200'000'000)) == keep_reason::slow);
  auto all = make(1.0);
  CHECK(all.decide(span_of("a", 1000)) == keep_reason::sampled);
  // All spans of one trace share the decision at any rate.
  auto half = make(0.5);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    auto corr = "req_" + std::to_string(i);
    auto first = half.decide(span_of(corr, 1000));
    CHECK(half.decide(span_of(corr, 2000)) == first);
    kept += first == keep_reason::sampled;
  }
  CHECK(kept > 400);
  CHECK(kept < 600);
}

TEST_CASE("tracer counts what it keeps and why, and returns rows only for "
          "kept spans") {
  auto st = make(0.0);
  CHECK(!st.take(span_of("a", 1000)));
  CHECK(st.take(span_of("b", 1000, span_status::error)));
  CHECK(st.take(span_of("c", 500'000'000)));
  auto status = st.status(message_header{});
  CHECK(status.counters.at("received") == 3);
  CHECK(status.counters.at("not_sampled") == 1);
  CHECK(status.counters.at("kept_error") == 1);
  CHECK(status.counters.at("kept_slow") == 1);
  CHECK(st.trace(*correlation_id::parse("a")).empty());
  CHECK(st.trace(*correlation_id::parse("b")).size() == 1);
}

TEST_CASE("tracer history keeps the newest traces within its bound") {
  auto st = make(1.0, 3);
  for (int i = 0; i < 5; ++i)
    st.take(span_of("t" + std::to_string(i), 1000));
  CHECK(st.traces.size() == 3);
  CHECK(st.evicted_traces == 2);
  CHECK(st.trace(*correlation_id::parse("t0")).empty());
  CHECK(st.trace(*correlation_id::parse("t4")).size() == 1);
}
