#include "actors/correlation_manager/correlation_manager.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

using namespace argus;
using namespace std::chrono_literals;

namespace {

constexpr int64_t ms = 1'000'000;
constexpr int64_t t0 = 1'700'000'000'000'000'000;

correlation_manager_state make(size_t history = 100) {
  config::correlation_manager_config cfg;
  cfg.correlation_timeout = 300s;
  cfg.max_correlation_history = history;
  correlation_manager_state st;
  st.init(cfg, t0);
  return st;
}

request_started started(const std::string& corr, int64_t at) {
  request_started x;
  x.hdr.corr = *correlation_id::parse(corr);
  x.operation = "place_order";
  x.time_ns = at;
  return x;
}

request_finished finished(const std::string& corr, int64_t at, bool ok = true) {
  request_finished x;
  x.hdr.corr = *correlation_id::parse(corr);
  x.time_ns = at;
  x.success = ok;
  if (!ok) {
    x.error_type = "ExchangeError";
    x.error_message = "insufficient margin";
  }
  return x;
}

component_touch touch(const std::string& corr, component_type c, int64_t start,
                      int64_t end, uint64_t span = 0, uint64_t parent = 0) {
  component_touch x;
  x.corr = *correlation_id::parse(corr);
  x.component = c;
  x.start_ns = start;
  x.end_ns = end;
  x.span = span;
  x.parent = parent;
  return x;
}

component_touch failed_touch(const std::string& corr, component_type c,
                             std::string type, std::string message) {
  auto x = touch(corr, c, t0, t0 + 1);
  x.error = true;
  x.error_type = std::move(type);
  x.error_message = std::move(message);
  return x;
}

request_status status_of(const correlation_manager_state& st,
                         const std::string& corr) {
  auto r = st.find(*correlation_id::parse(corr));
  REQUIRE(r);
  return r->status;
}

} // namespace

TEST_CASE("a request pairs its start and response, with its component path") {
  auto st = make();
  st.start(started("req_1", t0));
  for (auto [at, c] : std::vector<std::pair<int64_t, component_type>>{
         {t0 + 1 * ms, component_type::analyst},
         {t0 + 2 * ms, component_type::analyst},
         {t0 + 5 * ms, component_type::exchange},
         {t0 + 3 * ms, component_type::strategist}})
    st.touch(touch("req_1", c, at, at + ms));
  auto row = st.finish(finished("req_1", t0 + 9 * ms));
  CHECK(status_of(st, "req_1") == request_status::completed);
  CHECK(row.table == table_id::correlation_tracking);
  CHECK(row.corr.view() == "req_1");
  REQUIRE(row.values.size() == 6);
  CHECK(row.values[2].text == "analyst>strategist>exchange");
  auto perf = nlohmann::json::parse(row.values[3].text);
  CHECK(perf["duration_ms"] == 9.0);
  CHECK(perf["status"] == "completed");
  CHECK(row.values[4].kind == db_value::kind_t::null); // no error
  auto failed = st.finish(finished("req_1", t0 + 10 * ms, false));
  CHECK(nlohmann::json::parse(failed.values[4].text)["type"]
        == "ExchangeError");
}

TEST_CASE("open requests time out - a later response is recorded as late") {
  auto st = make();
  st.start(started("slow", t0));
  st.start(started("fast", t0 + 299'000 * ms));
  CHECK(st.sweep(t0 + 299'000 * ms).empty());
  auto rows = st.sweep(t0 + 301'000 * ms); // 301 s > 300 s timeout
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].corr.view() == "slow");
  CHECK(status_of(st, "slow") == request_status::timed_out);
  CHECK(status_of(st, "fast") == request_status::open);
  st.finish(finished("slow", t0 + 400'000 * ms));
  CHECK(status_of(st, "slow") == request_status::late);
  CHECK(st.find(*correlation_id::parse("slow"))->duration_ns() == 400'000 * ms);
}

TEST_CASE("a response without a request is an orphan until its start "
          "arrives") {
  auto st = make();
  st.finish(finished("lost", t0 + 5 * ms));
  CHECK(status_of(st, "lost") == request_status::orphan);
  auto stats = st.statistics(message_header{});
  CHECK(stats.by_status.at("orphan") == 1);
  st.start(started("lost", t0));
  CHECK(status_of(st, "lost") == request_status::completed);
}

TEST_CASE("statistics: counts by status and nearest-rank latency "
          "percentiles per path") {
  auto st = make(1000);
  for (int i = 1; i <= 100; ++i) {
    auto corr = "r" + std::to_string(i);
    st.start(started(corr, t0));
    st.touch(touch(corr,
                   i % 2 ? component_type::analyst : component_type::exchange,
                   t0, t0 + ms));
    st.finish(finished(corr, t0 + i * ms, i % 10 != 0));
  }
  st.start(started("still-open", t0));
  auto stats = st.statistics(message_header{});
  CHECK(stats.by_status.at("completed") == 90);
  CHECK(stats.by_status.at("failed") == 10);
  CHECK(stats.by_status.at("open") == 1);
  CHECK(stats.latency.count == 100);
  CHECK(stats.latency.p50_ns == 50 * ms);
  CHECK(stats.latency.p95_ns == 95 * ms);
  CHECK(stats.latency.p99_ns == 99 * ms);
  CHECK(stats.latency.max_ns == 100 * ms);
  REQUIRE(stats.paths.size() == 2);
  CHECK(stats.paths[0].path == "analyst");
  CHECK(stats.paths[0].latency.count == 50);
  CHECK(stats.paths[1].path == "exchange");
  CHECK(stats.paths[1].failed == 10); // i = 10, 20, ... are even
}

TEST_CASE("the correlation history is bounded - evictions are counted") {
  auto st = make(3);
  for (int i = 0; i < 5; ++i)
    st.start(started("c" + std::to_string(i), t0));
  CHECK(st.records.size() == 3);
  CHECK(st.evicted == 2);
  CHECK(!st.find(*correlation_id::parse("c0")));
  CHECK(st.find(*correlation_id::parse("c4")));
}

TEST_CASE("spans collected after the response rewrite the request's row") {
  auto st = make();
  st.start(started("req_2", t0));
  st.finish(finished("req_2", t0 + 5 * ms));
  CHECK(st.take_dirty().empty());
  st.touch(touch("req_2", component_type::tactician, t0, t0 + ms));
  auto rows = st.sweep(t0 + 10 * ms);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].values[2].text == "tactician");
  CHECK(st.take_dirty().empty());
}

namespace {

/// A request whose root (supervisor, 0-10 ms) waits for the analyst (1-3 ms)
/// and then the exchange (4-9 ms); a database call (2-5 ms) runs beside them
/// and is not on the critical path.
void scripted_request(correlation_manager_state& st, const std::string& corr) {
  st.start(started(corr, t0));
  st.touch(touch(corr, component_type::supervisor, t0, t0 + 10 * ms, 1));
  st.touch(
    touch(corr, component_type::analyst, t0 + 1 * ms, t0 + 3 * ms, 2, 1));
  st.touch(
    touch(corr, component_type::exchange, t0 + 4 * ms, t0 + 9 * ms, 3, 1));
  st.touch(
    touch(corr, component_type::database, t0 + 2 * ms, t0 + 5 * ms, 4, 1));
  st.finish(finished(corr, t0 + 10 * ms));
}

} // namespace

TEST_CASE("performance analysis: each component's own time on the critical "
          "path") {
  auto st = make();
  scripted_request(st, "req_c");
  auto r = st.find(*correlation_id::parse("req_c"));
  REQUIRE(r);
  auto critical = r->critical_time();
  using entry = std::pair<std::string, int64_t>;
  // Root: 10 ms minus the 2 ms and 5 ms it waited for; the database call
  // overlapped and cost nothing end to end.
  CHECK(critical
        == std::vector<entry>{
          {"supervisor", 3 * ms}, {"analyst", 2 * ms}, {"exchange", 5 * ms}});
  auto row = correlation_manager_state::to_row(*r);
  auto perf = nlohmann::json::parse(row.values[3].text);
  CHECK(perf["critical_path_ms"]["exchange"] == 5.0);
  CHECK(!perf["critical_path_ms"].contains("database"));
  scripted_request(st, "req_d");
  auto stats = st.statistics(message_header{});
  REQUIRE(stats.critical_path.size() == 3);
  CHECK(stats.critical_path[0].component == "exchange");
  CHECK(stats.critical_path[0].critical_ns == 10 * ms);
  CHECK(stats.critical_path[0].share == doctest::Approx(0.5));
  CHECK(stats.critical_path[0].requests == 2);
  CHECK(stats.critical_path[1].component == "supervisor");
  CHECK(stats.critical_path[1].share == doctest::Approx(0.3));
  CHECK(stats.critical_path[2].share == doctest::Approx(0.2));
}

TEST_CASE("debug aggregation: errors grouped by component and type, with the "
          "most recent sample ids") {
  auto st = make();
  for (int i = 0; i < 7; ++i) {
    auto corr = "rej_" + std::to_string(i);
    st.start(started(corr, t0));
    st.touch(failed_touch(corr, component_type::exchange, "OrderRejected",
                          "insufficient margin"));
    st.finish(finished(corr, t0 + (i + 1) * ms, false));
  }
  st.start(started("slow_1", t0));
  st.touch(
    failed_touch("slow_1", component_type::analyst, "error", "stale features"));
  st.finish(finished("slow_1", t0 + ms));
  // A failed response with no failed span is an error of the request.
  st.start(started("bare", t0));
  st.finish(finished("bare", t0 + ms, false));
  auto stats = st.statistics(message_header{});
  REQUIRE(stats.errors.size() == 3);
  const auto& top = stats.errors[0];
  CHECK(top.component == "exchange");
  CHECK(top.type == "OrderRejected");
  CHECK(top.message == "insufficient margin");
  CHECK(top.count == 7);
  CHECK(
    top.samples
    == std::vector<std::string>{"rej_6", "rej_5", "rej_4", "rej_3", "rej_2"});
  std::vector<std::string> components;
  for (const auto& e : stats.errors)
    components.push_back(e.component);
  CHECK(std::count(components.begin(), components.end(), "request") == 1);
  CHECK(std::count(components.begin(), components.end(), "analyst") == 1);
  // A parent failing because its child failed is one error, the child's.
  {
    auto cascade = make();
    cascade.start(started("cascade", t0));
    auto root = failed_touch("cascade", component_type::supervisor, "error",
                             "request failed");
    root.span = 10;
    auto leaf = failed_touch("cascade", component_type::exchange,
                             "ExchangeTimeout", "no answer");
    leaf.span = 11;
    leaf.parent = 10;
    cascade.touch(root);
    cascade.touch(leaf);
    auto errors = cascade.find(*correlation_id::parse("cascade"))->errors();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].component == "exchange");
    CHECK(errors[0].type == "ExchangeTimeout");
  }
  auto row = correlation_manager_state::to_row(
    *st.find(*correlation_id::parse("rej_0")));
  auto info = nlohmann::json::parse(row.values[4].text);
  CHECK(info["type"] == "ExchangeError");
  CHECK(info["errors"][0]["type"] == "OrderRejected");
  // Switched off in the config: not computed.
  config::correlation_manager_config off;
  off.enable_debug_aggregation = false;
  off.enable_performance_analysis = false;
  st.cfg = off;
  auto quiet = st.statistics(message_header{});
  CHECK(quiet.errors.empty());
  CHECK(quiet.critical_path.empty());
  CHECK(quiet.by_status.at("failed") == 8);
}

TEST_CASE("subscribers hear of a request as it finishes and again when later "
          "spans extend its path - nothing while nobody subscribes") {
  auto st = make();
  st.start(started("quiet", t0));
  st.finish(finished("quiet", t0 + ms));
  CHECK(st.take_announcements().empty());

  st.announcing = true;
  st.start(started("req_a", t0));
  st.touch(
    touch("req_a", component_type::strategist, t0 + 2 * ms, t0 + 3 * ms, 2, 1));
  st.touch(touch("req_a", component_type::analyst, t0 + ms, t0 + 4 * ms, 1));
  // Open: spans alone announce nothing.
  CHECK(st.take_announcements().empty());
  st.finish(finished("req_a", t0 + 5 * ms, false));
  auto first = st.take_announcements();
  REQUIRE(first.size() == 1);
  CHECK(first[0].hdr.corr.view() == "req_a");
  CHECK(first[0].status == "failed");
  CHECK(first[0].path == "analyst>strategist");
  // The root span (no parent), though it is not the first touched.
  CHECK(first[0].component == "analyst");
  CHECK(first[0].duration_ns == 5 * ms);
  CHECK(first[0].spans == 2);
  CHECK(first[0].error_type == "ExchangeError");
  CHECK(first[0].revision == 0);
  CHECK(st.take_announcements().empty());

  // Collected after the response: two spans, one announcement.
  st.touch(
    touch("req_a", component_type::exchange, t0 + 4 * ms, t0 + 5 * ms, 3, 2));
  st.touch(
    touch("req_a", component_type::exchange, t0 + 4 * ms, t0 + 5 * ms, 4, 2));
  auto again = st.take_announcements();
  REQUIRE(again.size() == 1);
  CHECK(again[0].path == "analyst>strategist>exchange");
  CHECK(again[0].spans == 4);
  CHECK(again[0].revision == 1);
}
