#include "storage/readers/traces.hpp"

#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
#include "tests/support/database.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t ms = 1'000'000;
constexpr int64_t t0 = 1'700'000'000'000'000'000;

span_recorded span(const char* corr, int64_t start, int64_t duration,
                   bool error) {
  auto s = test::sample_span_recorded();
  s.hdr.corr = *correlation_id::parse(corr);
  s.start_ns = start;
  s.end_ns = start + duration;
  s.status = error ? span_status::error : span_status::ok;
  if (!error)
    s.status_message.clear();
  return s;
}

/// Two traces: `req_a` (two spans over 5 ms, one failed) and `req_b` (one
/// span of 10 ms, 100 ms later).
void write_traces(test::database_fixture& fx) {
  fx.write({to_row(span("req_a", t0, 2 * ms, true)),
            to_row(span("req_a", t0 + 1 * ms, 4 * ms, false)),
            to_row(span("req_b", t0 + 100 * ms, 10 * ms, false))});
}

} // namespace

TEST_CASE("slowest_traces ranks traces by duration, counts their spans and "
          "errors, and keeps to the time range and the limit") {
  test::database_fixture fx;
  write_traces(fx);
  auto r = fx.reader();
  auto all = slowest_traces(*r, 0, 10);
  REQUIRE(all);
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].correlation_id == "req_b");
  CHECK((*all)[0].duration_ns == 10 * ms);
  CHECK((*all)[1].correlation_id == "req_a");
  CHECK((*all)[1].duration_ns == 5 * ms);
  CHECK((*all)[1].spans == 2);
  CHECK((*all)[1].errors == 1);
  CHECK(slowest_traces(*r, 0, 1)->size() == 1);
  auto later = slowest_traces(*r, t0 + 50 * ms, 10);
  REQUIRE(later->size() == 1);
  CHECK(later->front().correlation_id == "req_b");
}

TEST_CASE("error_groups groups failed spans by component and message with "
          "sample ids") {
  test::database_fixture fx;
  write_traces(fx);
  fx.write({to_row(span("req_c", t0 + 200 * ms, ms, true))});
  auto groups = error_groups(*fx.reader(), 0, 10);
  REQUIRE(groups);
  REQUIRE(groups->size() == 1);
  const auto& g = groups->front();
  CHECK(g.component == "strategist");
  CHECK(g.message == "exchange rejected");
  CHECK(g.count == 2);
  CHECK(g.last_ns == t0 + 200 * ms);
  auto samples = g.samples;
  std::sort(samples.begin(), samples.end());
  CHECK(samples == std::vector<std::string>{"req_a", "req_c"});
}

TEST_CASE("span_durations lists every span since a time") {
  test::database_fixture fx;
  write_traces(fx);
  auto d = span_durations(*fx.reader(), t0 + 1);
  REQUIRE(d);
  REQUIRE(d->size() == 2);
  for (const auto& [component, operation, duration] : *d) {
    CHECK(component == "strategist");
    CHECK(operation == "strategy_execution");
    CHECK((duration == 4 * ms || duration == 10 * ms));
  }
}

TEST_CASE("spans_for gives one trace's spans back as they were recorded, by "
          "start time") {
  test::database_fixture fx;
  write_traces(fx);
  auto spans = spans_for(*fx.reader(), *correlation_id::parse("req_a"));
  REQUIRE(spans);
  REQUIRE(spans->size() == 2);
  auto expected = span("req_a", t0, 2 * ms, true);
  const auto& first = (*spans)[0];
  CHECK(first.start_ns == t0);
  CHECK(first.trace_id == expected.trace_id);
  CHECK(first.span_id == expected.span_id);
  CHECK(first.parent_span_id == expected.parent_span_id);
  CHECK(first.component == expected.component);
  CHECK(first.kind == expected.kind);
  CHECK(first.status == span_status::error);
  CHECK(first.status_message == "exchange rejected");
  CHECK(first.attributes == expected.attributes);
  CHECK(first.events == expected.events);
  CHECK(first.links == expected.links);
  CHECK((*spans)[1].start_ns == t0 + ms);
  CHECK(spans_for(*fx.reader(), *correlation_id::parse("nobody"))->empty());
}

TEST_CASE("requests reads the correlation manager's rows, skipping what it "
          "did not write") {
  test::database_fixture fx;
  auto row = [](const char* corr, const char* perf, const char* errors) {
    return db_row{
      table_id::correlation_tracking,
      *correlation_id::parse(corr),
      {db_value::of(sql_datetime(t0)), db_value::of(sql_datetime(t0 + 5 * ms)),
       db_value::of("analyst>exchange"), db_value::of(perf),
       errors ? db_value::of(errors) : db_value::null(), db_value::of("{}")}};
  };
  fx.write({row("req_a",
                R"({"status":"failed","duration_ms":5.0,)"
                R"("critical_path_ms":{"analyst":1.5,"exchange":"x"}})",
                R"({"errors":[{"component":"exchange","type":"reject",)"
                R"("message":"no funds"},"not an object"]})"),
            row("req_b", "{}", nullptr)});
  auto rs = requests(*fx.reader());
  REQUIRE(rs);
  REQUIRE(rs->size() == 2);
  const auto& a = (*rs)[0];
  CHECK(a.corr == "req_a");
  CHECK(a.status == "failed");
  CHECK(a.path == "analyst>exchange");
  CHECK(a.duration_ns == 5 * ms);
  REQUIRE(a.critical.size() == 1); // the non-number is skipped
  CHECK(a.critical[0] == std::pair<std::string, int64_t>{"analyst", 1'500'000});
  REQUIRE(a.errors.size() == 1);
  CHECK(a.errors[0].message == "no funds");
  CHECK((*rs)[1].status.empty());
}
