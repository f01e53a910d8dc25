#include "actors/tracer/tracer.hpp"

#include "runtime/span.hpp"
#include "storage/rows.hpp"

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

TEST_CASE("tracer refuses spans unfit to store, counted by defect, and "
          "repairs a missing trace id from the correlation id") {
  auto st = make(1.0);
  auto bad_id = span_of("a", 1000, span_status::error);
  bad_id.span_id = "xyz";
  CHECK(!st.take(bad_id));
  auto reversed = span_of("b", 1000, span_status::error);
  reversed.end_ns = reversed.start_ns - 5;
  CHECK(!st.take(reversed));
  auto no_trace = span_of("c", 1000, span_status::error);
  no_trace.trace_id.clear();
  auto row = st.take(no_trace);
  REQUIRE(row);
  auto held = st.trace(*correlation_id::parse("c"));
  REQUIRE(held.size() == 1);
  CHECK(held[0].trace_id == trace_id_for(*correlation_id::parse("c")).hex());
  auto status = st.status(message_header{});
  CHECK(status.counters.at("rejected_bad_span_id") == 1);
  CHECK(status.counters.at("rejected_reversed_times") == 1);
  CHECK(status.counters.count("rejected_bad_trace_id") == 0);
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

TEST_CASE("latency_book: percentiles per component and operation over a "
          "window of whole minutes") {
  constexpr int64_t minute = 60'000'000'000;
  constexpr int64_t t = 1'700'000'000 * int64_t{1'000'000'000};
  latency_book book{minute, 60, 2};
  // Ten minutes ago: slow; the last minute: 1..100 us.
  for (int i = 0; i < 50; ++i)
    book.record(component_type::exchange, "order_submission", t - 10 * minute,
                1'000'000'000, false);
  for (int i = 1; i <= 100; ++i)
    book.record(component_type::exchange, "order_submission", t - 1000,
                i * 1000, i % 25 == 0);
  book.record(component_type::analyst, "features", t, 5000, false);
  // A third operation is over the limit of two: counted, not kept.
  book.record(component_type::gui, "render", t, 5000, false);
  CHECK(book.untracked() == 1);
  auto recent = book.summarize(t, 5 * minute);
  REQUIRE(recent.size() == 2);
  const auto& ex = recent[0]; // slowest p99 first
  CHECK(ex.component == component_type::exchange);
  CHECK(ex.operation == "order_submission");
  CHECK(ex.latency.count == 100);
  CHECK(ex.errors == 4);
  CHECK(std::abs(ex.latency.p50_ns - 50'000) <= 50'000 / 100);
  CHECK(std::abs(ex.latency.p99_ns - 99'000) <= 99'000 / 100);
  CHECK(ex.latency.max_ns == 100'000);
  auto hour = book.summarize(t, 60 * minute);
  CHECK(hour[0].latency.count == 150);
  CHECK(hour[0].latency.max_ns == 1'000'000'000);
}

TEST_CASE("tracer measures the latency of every span, sampled or not") {
  auto st = make(0.0);
  for (int i = 1; i <= 10; ++i)
    st.take(span_of("r" + std::to_string(i), i * 1000));
  CHECK(st.not_sampled == 10);
  auto stats = st.latencies(1'000'000'000 + 20'000, 60'000'000'000);
  REQUIRE(stats.operations.size() == 1);
  CHECK(stats.operations[0].latency.count == 10);
  CHECK(stats.operations[0].latency.max_ns == 10'000);
  auto off = make(0.0);
  off.cfg.enable_performance_tracing = false;
  off.take(span_of("r", 1000));
  CHECK(off.latencies(1'000'000'000, 60'000'000'000).operations.empty());
}

TEST_CASE("a kept span's row built from its slot equals the row of the "
          "converted span, overflow included") {
  span_buffers buffers{16};
  auto corr = *correlation_id::parse("req_slot");
  auto parent_ctx = parse_traceparent(
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(parent_ctx);
  {
    runtime::scoped_span s{buffers,
                           component_type::exchange,
                           std::string(60, 'o'), // longer than a slot holds
                           corr,
                           *parent_ctx,
                           span_kind::client};
    s.set("qty", 3);
    s.set("price", 101.25);
    s.set("filled", true);
    s.set("venue", "binance \"spot\"");
    for (int i = 0; i < 4; ++i) // more attributes than the slot holds
      s.set("extra_" + std::to_string(i), i);
    s.event("order_sent");
    s.link(parent_ctx->trace, parent_ctx->parent);
    s.error("rejected: insufficient margin");
  }
  {
    runtime::scoped_span plain{buffers, component_type::analyst, "features",
                               corr};
  }
  auto st = make(1.0);
  std::vector<db_row> want;
  std::vector<db_row> got;
  buffers.drain(16, [&](span_slot& slot) {
    want.push_back(storage::to_row(to_span_recorded(slot)));
    auto row = st.take(slot); // takes the overflow
    REQUIRE(row);
    got.push_back(std::move(*row));
  });
  REQUIRE(got.size() == 2);
  CHECK(got == want);
  // The held slots convert back to the same spans.
  auto spans = st.trace(corr);
  REQUIRE(spans.size() == 2);
  CHECK(storage::to_row(spans[0]) == want[0]);
  CHECK(spans[0].events.size() == 1);
  CHECK(spans[0].attributes.size() == 8);
}
