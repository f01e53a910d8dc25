#include "actors/correlation_manager.hpp"

#include <doctest/doctest.h>

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
    st.touch({*correlation_id::parse("req_1"), c, at, at + ms, false});
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

TEST_CASE("open requests time out; a later response is recorded as late") {
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
    st.touch({*correlation_id::parse(corr),
              i % 2 ? component_type::analyst : component_type::exchange, t0,
              t0 + ms, false});
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

TEST_CASE("the correlation history is bounded; evictions are counted") {
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
  st.touch({*correlation_id::parse("req_2"), component_type::tactician, t0,
            t0 + ms, false});
  auto rows = st.sweep(t0 + 10 * ms);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].values[2].text == "tactician");
  CHECK(st.take_dirty().empty());
}
