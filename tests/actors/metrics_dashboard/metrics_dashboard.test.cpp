#include "actors/metrics_dashboard/metrics_dashboard.hpp"

#include "actors/metrics_dashboard/trading_performance.hpp"
#include "messages/time.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/process.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using test::eventually;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::vector<trade_executed> some_fills() {
  std::vector<trade_executed> xs;
  const int64_t t0 = wall_clock_ns() - 3 * 86'400'000'000'000;
  const char* symbols[] = {"BTCUSDT", "ETHUSDT"};
  for (int i = 0; i < 8; ++i) {
    trade_executed open;
    open.trade_id = "o" + std::to_string(i);
    open.symbol = symbols[i % 2];
    open.side = trade_side::buy;
    open.quantity = 1;
    open.price = 100 + i;
    open.fee = 0.1;
    open.strategy_tag = i < 4 ? "momentum" : "mean_revert";
    open.time_ns = t0 + i * 8 * 3600'000'000'000;
    auto close = open;
    close.trade_id = "c" + std::to_string(i);
    close.side = trade_side::sell;
    close.realized_pnl = (i % 3 == 0) ? -5.0 : 7.5;
    close.exit_reason = close.realized_pnl > 0 ? "take_profit" : "stop_loss";
    close.time_ns += 3600'000'000'000;
    xs.push_back(open);
    xs.push_back(close);
  }
  return xs;
}

const json* find_series(const json& metrics, const std::string& name) {
  for (const auto& m : metrics)
    if (m["name"] == name)
      return &m;
  return nullptr;
}

} // namespace

TEST_CASE("metrics dashboard: live series, health, trading performance, "
          "Prometheus text and history from a running engine") {
  test::engine_fixture fx;
  fx.cfg.metrics_dashboard.update_interval = 200ms;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto& c = eng.client();
  auto orders = c.counter("orders", {{"venue", "binance"}});
  auto latency = c.histogram("order_latency_seconds", {{"venue", "binance"}});
  auto equity = c.gauge("equity");
  for (int i = 1; i <= 1000; ++i) {
    orders.inc();
    latency.observe(i * 1e-5);
  }
  equity.set(10'250.5);
  CHECK(c.record("signals", 3, {}, metric_kind::counter));
  // Samples and fills as events (what arrives over the wire).
  metric_sampled wire;
  wire.name = "spread_bps";
  wire.kind = metric_kind::gauge;
  wire.value = 1.25;
  wire.labels = {{"symbol", "BTCUSDT"}};
  CHECK(c.record(wire));
  auto fills = some_fills();
  trading_book expected;
  for (const auto& f : fills) {
    CHECK(c.record(f));
    expected.add(f);
  }
  std::mutex mtx;
  std::string last_snapshot;
  std::atomic<int> snapshots{0};
  REQUIRE(!eng.on_metrics_snapshot([&](const metrics_view& v) {
    std::lock_guard<std::mutex> guard{mtx};
    last_snapshot = v.body;
    ++snapshots;
  }));
  REQUIRE(eng.flush());
  // Two updates: health and the engine's own figures are sampled too.
  REQUIRE(eventually([&] {
    return snapshots >= 3;
  }));
  {
    std::lock_guard<std::mutex> guard{mtx};
    auto snap = json::parse(last_snapshot);
    CHECK(snap.contains("metrics"));
  }
  auto body = eng.dashboard_data();
  REQUIRE(body);
  auto dash = json::parse(*body);
  auto* o = find_series(dash["metrics"], "orders");
  REQUIRE(o);
  CHECK(o->at("kind") == "counter");
  CHECK(o->at("value") == 1000);
  CHECK(o->at("labels")["venue"] == "binance");
  auto* l = find_series(dash["metrics"], "order_latency_seconds");
  REQUIRE(l);
  CHECK(l->at("value") == 1000);
  auto hour = l->at("windows")["1h"];
  CHECK(hour["count"] == 1000);
  CHECK(hour["p99"].get<double>() == doctest::Approx(0.0099).epsilon(0.01));
  auto* spread = find_series(dash["metrics"], "spread_bps");
  REQUIRE(spread);
  CHECK(spread->at("value") == 1.25);
  CHECK(find_series(dash["metrics"], "signals")->at("value") == 3);
  CHECK(dash["system_health"]["process"]["rss_bytes"].get<uint64_t>()
        > 1'000'000);
  auto overall = expected.overall();
  CHECK(dash["performance"]["fills"] == fills.size());
  CHECK(dash["performance"]["realized_pnl"].get<double>()
        == doctest::Approx(overall.realized_pnl));
  // Performance by symbol and strategy.
  auto perf = json::parse(*eng.performance_data());
  CHECK(perf["by_symbol"].size() == 2);
  CHECK(perf["by_strategy"]["momentum"]["fills"] == 8);
  CHECK(perf["overall"]["win_rate"].get<double>()
        == doctest::Approx(overall.win_rate));
  // Health: process, host, and every component's mailbox.
  REQUIRE(eventually([&] {
    auto h = json::parse(*eng.system_health());
    size_t mailboxes = 0;
    for (const auto& e : h["engine"])
      if (e["name"] == "argus_component_mailbox_messages")
        ++mailboxes;
    return mailboxes == 7 && h["host"]["memory_total_bytes"] > 0;
  }));
  // Prometheus text.
  auto prom = eng.prometheus_text();
  REQUIRE(prom);
  CAPTURE(*prom);
  CHECK(prom->find("orders_total{venue=\"binance\"} 1000\n")
        != std::string::npos);
  CHECK(prom->find("order_latency_seconds_count{venue=\"binance\"} 1000\n")
        != std::string::npos);
  CHECK(prom->find("argus_trading_realized_pnl ") != std::string::npos);
  CHECK(prom->find("argus_process_resident_memory_bytes ")
        != std::string::npos);
  CHECK(prom->find("argus_events_dropped_total{reason=\"queue_full\"} 0")
        != std::string::npos);
  if (std::filesystem::exists("/usr/bin/promtool")) {
    auto path = fx.dir.write("live.prom", *prom);
    auto r = test::run(
      {"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + path});
    CHECK_MESSAGE(r.code == 0, (r.out + r.err));
  }
  // History: every increase lands in exactly one minute.
  auto points = eng.history("orders", "1m", {{"venue", "binance"}});
  REQUIRE(points);
  REQUIRE(!points->empty());
  double sum = 0;
  for (const auto& p : *points)
    sum += p.sum;
  CHECK(sum == 1000);
  CHECK(eng.history("orders", "1m", {{"venue", "kraken"}})->empty());
  REQUIRE(!eng.stop());
  // The final flush persisted the open windows and the fills.
  CHECK(fx.rows("trades") == static_cast<int64_t>(fills.size()));
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT sum(sum) FROM metric_points WHERE name = "
                      "'orders' AND window_name = '1m'")
          .getDouble()
        == 1000);
  CHECK(db.execAndGet("SELECT kind FROM metric_points WHERE name = "
                      "'order_latency_seconds' LIMIT 1")
          .getString()
        == "histogram");
}

/// @returns a counter of the dashboard's status.
uint64_t dashboard_counter(engine& eng, const char* name) {
  auto st = eng.status();
  REQUIRE(st);
  for (const auto& c : st->components)
    if (c.id == "metrics_dashboard")
      return c.counters.at(name);
  FAIL("no metrics_dashboard in the status");
  return 0;
}

TEST_CASE("metrics dashboard: rollups and fills survive a restart, and a "
          "window open across it merges both runs") {
  test::engine_fixture fx;
  fx.cfg.metrics_dashboard.update_interval = 200ms;
  int64_t day_start = 0;
  std::string performance;
  uint64_t held = 0;
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    auto latency = eng.client().histogram("order_latency_seconds");
    for (int i = 1; i <= 50; ++i)
      latency.observe(i * 1e-3);
    for (const auto& f : some_fills())
      eng.client().record(f);
    REQUIRE(eng.flush());
    day_start = window_start(wall_clock_ns(), 86'400'000'000'000);
    performance = *eng.performance_data();
    held = dashboard_counter(eng, "trades_held");
    REQUIRE(!eng.stop());
  }
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  // The fills are back in the performance figures, every figure as it was,
  // from the state stored at stop and the fills it still held (those within
  // a minute of the newest): not by reading every fill again.
  auto perf = json::parse(*eng.performance_data());
  CHECK(perf["overall"]["fills"] == 16);
  CHECK(perf == json::parse(performance));
  CHECK(dashboard_counter(eng, "reloaded_trading_state") == 1);
  CHECK(held < 16);
  CHECK(dashboard_counter(eng, "reloaded_trades") == held);
  // The day so far (the first run's 50 values) is back in memory.
  auto day = eng.history("order_latency_seconds", "1d");
  REQUIRE(day);
  REQUIRE(!day->empty());
  CHECK(day->back().count == 50);
  auto latency = eng.client().histogram("order_latency_seconds");
  for (int i = 51; i <= 100; ++i)
    latency.observe(i * 1e-3);
  REQUIRE(!eng.stop());
  if (window_start(wall_clock_ns(), 86'400'000'000'000) != day_start)
    return; // midnight UTC passed between the runs: two days, not one
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  SQLite::Statement q{db, "SELECT count, quantiles FROM metric_points WHERE "
                          "name = 'order_latency_seconds' AND window_name = "
                          "'1d' AND time_ns = ?"};
  q.bind(1, static_cast<int64_t>(day_start));
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt64() == 100);
  // p50 of 1..100 ms as if one process had seen them all.
  log_histogram all;
  for (int i = 1; i <= 100; ++i)
    all.record(i * 1e-3);
  auto quantiles = json::parse(q.getColumn(1).getString());
  CHECK(quantiles[0].get<double>() == all.quantile(0.5));
}

TEST_CASE("metrics dashboard: a history read from the database runs off its "
          "thread, so the dashboard answers while it reads") {
  test::engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  // A deep stored history of a series memory does not hold: minute points
  // from long ago, of venue "a".
  const int64_t t0 = 1'000'000'000'000'000;
  const int64_t minute = 60'000'000'000;
  const int64_t rows = 300'000;
  {
    SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READWRITE};
    db.setBusyTimeout(10'000);
    SQLite::Statement seed{
      db, "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i "
          "WHERE n + 1 < ?1) INSERT INTO metric_points (name, kind, labels, "
          "window_name, time_ns, count, sum, min, max, last, quantiles) "
          "SELECT 'deep', 'gauge', '{\"venue\":\"a\"}', '1m', ?2 + n * ?3, 1, "
          "n, n, n, n, '[1,2,3]' FROM i"};
    seed.bind(1, static_cast<int64_t>(rows));
    seed.bind(2, static_cast<int64_t>(t0));
    seed.bind(3, static_cast<int64_t>(minute));
    seed.exec();
  }
  // The stored points come back through the reader.
  auto some = eng.history("deep", "1m", {{"venue", "a"}}, t0 + 10 * minute,
                          t0 + 12 * minute);
  REQUIRE(some);
  REQUIRE(some->size() == 3);
  CHECK(some->front().start_ns == t0 + 10 * minute);
  CHECK(some->back().sum == 12);
  // A query that reads every stored row (venue "b" matches none of them)
  // while the dashboard is asked for its status: the status comes first.
  std::atomic<bool> read_done{false};
  std::atomic<int64_t> read_ms{0};
  std::thread reader{[&] {
    auto started = std::chrono::steady_clock::now();
    auto none = eng.history("deep", "1m", {{"venue", "b"}});
    read_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started)
                .count();
    read_done = true;
    CHECK(none);
    CHECK(none->empty());
  }};
  std::this_thread::sleep_for(20ms);
  auto asked = std::chrono::steady_clock::now();
  auto status = eng.status();
  auto status_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - asked)
                     .count();
  bool answered_during_read = !read_done;
  reader.join();
  REQUIRE(status);
  INFO("status took " << status_ms << " ms, the history read " << read_ms.load()
                      << " ms");
  CHECK(answered_during_read);
  // Meaningful only when the read outlasts a status round by far.
  CHECK(read_ms > 20 + 10 * status_ms);
  REQUIRE(!eng.stop());
}

TEST_CASE("metrics dashboard: the unified view is rendered once per change "
          "of what it shows, and a fill shows at once") {
  test::engine_fixture fx;
  // No tick during the test: the book changes only through fills.
  fx.cfg.metrics_dashboard.update_interval = 3600s;
  engine eng{fx.cfg, fx.options()};
  REQUIRE_FALSE(eng.start());
  auto first = eng.dashboard_data();
  auto second = eng.dashboard_data();
  REQUIRE(first);
  REQUIRE(second);
  // The same text, rendered at the same time: the second was not rendered.
  CHECK(*first == *second);
  auto fill = some_fills().front();
  fill.time_ns = wall_clock_ns();
  REQUIRE(eng.client().record(fill));
  std::string after;
  CHECK(eventually([&] {
    auto v = eng.dashboard_data();
    if (!v || *v == *first)
      return false;
    after = *v;
    return true;
  }));
  CHECK(json::parse(after)["performance"]["fills"] == 1);
  CHECK(json::parse(after)["time_ns"].get<int64_t>()
        > json::parse(*first)["time_ns"].get<int64_t>());
}

TEST_CASE("metrics dashboard: readers share the published view while it is "
          "current, and a fill replaces it") {
  test::engine_fixture fx;
  fx.cfg.metrics_dashboard.update_interval = 3600s;
  engine eng{fx.cfg, fx.options()};
  REQUIRE_FALSE(eng.start());
  auto first = eng.dashboard_text();
  auto second = eng.dashboard_text();
  REQUIRE(first);
  REQUIRE(second);
  // One text object: the second reader did not ask the actor.
  CHECK(first->get() == second->get());
  auto fill = some_fills().front();
  fill.time_ns = wall_clock_ns();
  REQUIRE(eng.client().record(fill));
  std::shared_ptr<const std::string> after;
  CHECK(eventually([&] {
    auto v = eng.dashboard_text();
    if (!v || **v == **first)
      return false;
    after = *v;
    return true;
  }));
  REQUIRE(after);
  CHECK(json::parse(*after)["performance"]["fills"] == 1);
  auto again = eng.dashboard_text();
  REQUIRE(again);
  CHECK(**again == *after);
  REQUIRE(!eng.stop());
}
