#include "runtime/engine.hpp"

#include "actors/tracer/export.hpp"
#include "messages/error.hpp"
#include "messages/time.hpp"
#include "storage/reader.hpp"
#include "storage/readers/traces.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>
#include <thread>

#include "tests/messages/samples.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/process.hpp"

using namespace argus;
using test::engine_fixture;

TEST_CASE("engine records from several bot threads and flush makes it "
          "durable") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  std::vector<std::thread> bots;
  for (int t = 0; t < 2; ++t)
    bots.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto x = test::sample_regime_recorded();
        x.hdr.corr = correlation_id{}; // let the engine mint one
        eng.client().record_regime_tracking(x);
      }
    });
  for (auto& b : bots)
    b.join();
  eng.client().record_ensemble_tracking(test::sample_ensemble_recorded());
  auto ack = eng.flush();
  REQUIRE_MESSAGE(ack, to_string(ack.error()));
  // Besides the events: the dashboard's rollups of any minute that closed.
  CHECK(ack->committed_rows >= 1001);
  CHECK(ack->committed_rows <= 1001 + fx.rows("metric_points"));
  CHECK(fx.rows("regime_tracking") == 1000);
  CHECK(fx.rows("ensemble_tracking") == 1);
  // Minted ids are W3C trace ids; the bot's own id is kept as it is.
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT count(DISTINCT correlation_id) FROM "
                      "row_correlation WHERE table_name = 'regime_tracking' "
                      "AND length(correlation_id) = 32")
          .getInt64()
        == 1000);
  CHECK(db.execAndGet("SELECT correlation_id FROM row_correlation WHERE "
                      "table_name = 'ensemble_tracking'")
          .getString()
        == "req_123");
  auto c = eng.client().counters();
  CHECK(c.offered == 1001);
  CHECK(c.accepted == 1001);
  CHECK(c.dispatched == 1001);
  REQUIRE(!eng.stop());
}

TEST_CASE("engine stop flushes what the bot recorded without a flush") {
  engine_fixture fx;
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    for (int i = 0; i < 300; ++i)
      eng.client().record_decision_step(test::sample_decision_step_recorded());
    CHECK(!eng.stop());
    CHECK(!eng.running());
  }
  CHECK(fx.rows("decision_steps") == 300);
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("a bot that keeps its engine in a static and never stops it exits "
          "cleanly, and everything it recorded is stored") {
  test::temp_dir dir;
  auto db = dir.file("static.db");
  for (int run = 0; run < 3; ++run) {
    auto r = test::run({STATIC_ENGINE_PATH, db, "300"});
    CHECK_MESSAGE(r.code == 0, r.err);
  }
  SQLite::Database check{db, SQLite::OPEN_READONLY};
  CHECK(check.execAndGet("SELECT count(*) FROM regime_tracking").getInt64()
        == 900);
  CHECK(check.execAndGet("SELECT count(*) FROM spans").getInt64() == 900);
  CHECK(check.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE("a flush covering events no running component took does not "
          "acknowledge, and says which and why") {
  engine_fixture fx;
  fx.cfg.tracking_system.enable_correlation_tracking = false;
  fx.cfg.tracking_system.enable_ensemble_tracking = false;
  fx.cfg.tracking_system.enable_regime_tracking = false;
  fx.cfg.tracking_system.enable_decision_path_tracking = false;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  for (int i = 0; i < 3; ++i)
    CHECK(eng.client().record_regime_tracking(test::sample_regime_recorded()));
  CHECK(eng.client().record(test::sample_metric_sampled()));
  auto nack = eng.flush();
  REQUIRE(!nack);
  auto why = eng.system().render(nack.error());
  CHECK(nack.error() == ec::component_down);
  CHECK(why.find("3 regime_recorded: no component takes them")
        != std::string::npos);
  // The next flush covers only what came after: taken, so acknowledged.
  CHECK(eng.client().record(test::sample_metric_sampled()));
  CHECK(eng.flush());
  REQUIRE(!eng.stop());
}

TEST_CASE("text that is not UTF-8 recorded in-process is stored with "
          "replacement characters and crashes no component") {
  engine_fixture fx;
  // A window that closes during the test: the dashboard serialises the
  // labels of every series it persists.
  fx.cfg.metrics_dashboard.aggregation_windows
    = {{"1s", std::chrono::seconds{1}}};
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  const std::string bad{"bin\xff"
                        "ance",
                        8};
  auto sample = test::sample_metric_sampled();
  sample.labels["venue"] = bad;
  CHECK(eng.client().record(sample));
  auto regime = test::sample_regime_recorded();
  regime.regime_probabilities[bad] = 0.1;
  CHECK(eng.client().record_regime_tracking(regime));
  REQUIRE(eng.flush());
  std::this_thread::sleep_for(std::chrono::milliseconds{1500});
  CHECK(eng.client().record(sample));
  REQUIRE(eng.flush());
  auto st = eng.status();
  REQUIRE(st);
  for (const auto& c : st->components) {
    CHECK_MESSAGE(c.state == component_state::running, c.id);
    CHECK_MESSAGE(c.restarts == 0, c.id);
  }
  REQUIRE(!eng.stop());
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  const std::string replaced = "bin\xef\xbf\xbd"
                               "ance"; // U+FFFD
  auto labels = db.execAndGet("SELECT labels FROM metric_points WHERE "
                              "window_name = '1s' AND name = '"
                              + sample.name + "' LIMIT 1")
                  .getString();
  CHECK_MESSAGE(labels.find(replaced) != std::string::npos, labels);
  auto probabilities
    = db.execAndGet("SELECT regime_probabilities FROM regime_tracking")
        .getString();
  CHECK(probabilities.find(replaced) != std::string::npos);
}

TEST_CASE("a report up to now includes the fills stored just before it, "
          "even while the writer still batches them") {
  engine_fixture fx;
  // The writer would hold these rows for up to 2 s before committing.
  fx.cfg.storage.batch_interval = std::chrono::seconds{2};
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto now = wall_clock_ns();
  for (int i = 0; i < 3; ++i) {
    auto t = test::sample_trade_executed();
    t.trade_id = "fill-" + std::to_string(i);
    t.time_ns = now - 1'000'000'000 + i;
    REQUIRE(eng.client().record(t));
  }
  auto received = [&] {
    auto st = eng.status();
    for (const auto& c : st ? st->components : std::vector<component_status>{})
      if (c.id == "metrics_dashboard")
        return c.counters.at("trades_received");
    return uint64_t{0};
  };
  for (int i = 0; i < 200 && received() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  REQUIRE(received() == 3);
  report_requested req;
  req.report_type = "performance_summary";
  req.format = "json";
  req.range_start_ns = now - 3'600'000'000'000;
  req.range_end_ns = wall_clock_ns();
  auto g = eng.generate_report(req);
  REQUIRE(g);
  CHECK(g->status == "generated");
  auto doc = nlohmann::json::parse(test::read_file(g->file_path));
  CHECK(doc["performance"]["overall"]["fills"] == 3);
}

TEST_CASE("add_report_config adds a report at run time, refuses a bad one "
          "with the reason, and the report survives a restart") {
  engine_fixture fx;
  fx.cfg.report_scheduler.time_zone = "Europe/Berlin";
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    config::report_definition d;
    d.type = "risk_assessment";
    d.schedule = "0 7 * * 1-5";
    d.format = config::report_format::html;
    d.recipients = {"risk@example.com"};
    auto entry = eng.add_report_config("morning_risk", d);
    REQUIRE(entry);
    auto j = nlohmann::json::parse(*entry);
    CHECK(j["name"] == "morning_risk");
    CHECK(j["time_zone"] == "Europe/Berlin");
    CHECK(j["custom"] == true);
    auto bad = eng.add_report_config("weekly_digest",
                                     R"({"schedule": "daily"})");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == ec::invalid_argument);
    CHECK(describe(bad.error()).find("unknown report type 'weekly_digest'")
          != std::string::npos);
    REQUIRE(!eng.stop());
  }
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto schedule = eng.report_schedule();
  REQUIRE(schedule);
  auto reports = nlohmann::json::parse(*schedule);
  bool found = false;
  for (const auto& r : reports)
    if (r["name"] == "morning_risk") {
      found = true;
      CHECK(r["format"] == "html");
      CHECK(r["schedule"] == "0 7 * * 1-5");
      CHECK(r["next_run"].is_string());
    }
  CHECK(found);
  CHECK(reports.size() == 5);
}

TEST_CASE("engine status lists every component and the client counters") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  eng.client().record(test::sample_metric_sampled());
  REQUIRE(eng.flush());
  auto st = eng.status();
  REQUIRE(st);
  // storage_writer, correlation_manager, tracer, tracker, ml_monitor,
  // metrics_dashboard, report_scheduler
  REQUIRE(st->components.size() == 7);
  for (const auto& c : st->components)
    CHECK(c.state == component_state::running);
  CHECK(st->components.back().id == "report_scheduler");
  CHECK(st->components.back().counters.at("reports") == 4);
  const auto& dashboard = st->components[st->components.size() - 2];
  CHECK(dashboard.id == "metrics_dashboard");
  CHECK(dashboard.counters.at("samples_received") == 1);
  CHECK(st->counters.at("client_offered") == 1);
  CHECK(st->counters.at("unrouted") == 0);
  REQUIRE(!eng.stop());
}

TEST_CASE("the client drops and counts events while the engine is not "
          "running, and never blocks") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  CHECK(!eng.client().record_regime_tracking(test::sample_regime_recorded()));
  REQUIRE(!eng.start());
  REQUIRE(!eng.stop());
  CHECK(!eng.client().record_regime_tracking(test::sample_regime_recorded()));
  auto c = eng.client().counters();
  CHECK(c.offered == 2);
  CHECK(c.dropped_not_running == 2);
  CHECK(c.accepted == 0);
}

TEST_CASE("the client drops and counts events when its queue is full") {
  // A queue nobody drains: its dispatcher does not exist.
  auto core = std::make_shared<runtime::detail::ingress>(4);
  core->accepting = true;
  core->drain_scheduled = true; // as if a wake-up were already on its way
  runtime::client c{core};
  int accepted = 0;
  for (int i = 0; i < 10; ++i)
    accepted += c.record_regime_tracking(test::sample_regime_recorded());
  CHECK(accepted == 4);
  auto n = c.counters();
  CHECK(n.offered == 10);
  CHECK(n.accepted == 4);
  CHECK(n.dropped_queue_full == 6);
  CHECK(n.queued == 4);
}

TEST_CASE("engine start fails with a clear error on a bad database") {
  engine_fixture fx;
  fx.cfg.storage.path = fx.dir.write("junk.db", std::string(4096, 'x'));
  engine eng{fx.cfg, fx.options()};
  auto err = eng.start();
  REQUIRE(err);
  CHECK(err == ec::storage_failure);
  CHECK(!eng.running());
  fx.cfg.storage.path = "/nonexistent-dir/argus.db";
  engine eng2{fx.cfg, fx.options()};
  auto err2 = eng2.start();
  REQUIRE(err2);
  CHECK(to_string(err2).find("/nonexistent-dir/argus.db") != std::string::npos);
}

TEST_CASE("engine start refuses an invalid configuration") {
  engine_fixture fx;
  fx.cfg.advanced_tracer.trace_sampling_rate = 3;
  engine eng{fx.cfg, fx.options()};
  auto err = eng.start();
  REQUIRE(err);
  CHECK(err == ec::invalid_config);
  CHECK(to_string(err).find("monitoring.advanced_tracer.trace_sampling_rate")
        != std::string::npos);
}

TEST_CASE("a disabled engine starts, accepts nothing, and counts it") {
  engine_fixture fx;
  fx.cfg.enabled = false;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  CHECK(!eng.client().record_regime_tracking(test::sample_regime_recorded()));
  CHECK(eng.client().counters().dropped_not_running == 1);
  REQUIRE(!eng.stop());
}

TEST_CASE("the engine's logs name components and never contain the SMTP "
          "password") {
  engine_fixture fx;
  fx.cfg.report_scheduler.email.password = config::secret{"pw-Zq81-secret"};
  {
    engine eng{fx.cfg, fx.options()};
    REQUIRE(!eng.start());
    eng.client().record_regime_tracking(test::sample_regime_recorded());
    REQUIRE(eng.flush());
    REQUIRE(!eng.stop());
  }
  auto lines = fx.logs->last_formatted();
  REQUIRE(!lines.empty());
  bool storage_line = false;
  for (const auto& l : lines) {
    CHECK(l.find("pw-Zq81-secret") == std::string::npos);
    storage_line
      |= l.find("[storage_writer] storage-opened") != std::string::npos;
  }
  CHECK(storage_line);
}

TEST_CASE("a full disk stops acknowledgements, the engine keeps running, and "
          "nothing recorded meanwhile is lost once space returns") {
  engine_fixture fx;
  fx.cfg.storage.max_size_mb = 1;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  caf::expected<flush_ack> ack{flush_ack{}};
  for (int round = 0; round < 50 && ack; ++round) {
    for (int i = 0; i < 500; ++i)
      eng.client().record_decision_step(test::sample_decision_step_recorded());
    ack = eng.flush();
  }
  REQUIRE(!ack);
  CHECK(ack.error() == ec::storage_full);
  auto st = eng.status();
  REQUIRE(st);
  CHECK(st->components[0].id == "storage_writer");
  CHECK(st->components[0].state == component_state::degraded);
  CHECK(st->components[0].counters.at("failed_commits") >= 1);
  CHECK(st->components[0].last_error.find("storage_full") != std::string::npos);
  // Still accepting while degraded.
  for (int i = 0; i < 10; ++i) {
    auto x = test::sample_regime_recorded();
    x.hdr.corr = *correlation_id::parse("outage-" + std::to_string(i));
    CHECK(eng.client().record_regime_tracking(x));
  }
  CHECK(!eng.flush());
  // An operator frees space; the writer reuses the freed pages.
  {
    // Like the sqlite3 shell, the operator's connection waits for the
    // writer's locks (it checkpoints while the disk is full).
    SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READWRITE, 5000};
    db.exec("DELETE FROM decision_steps");
  }
  auto recovered = eng.flush();
  REQUIRE_MESSAGE(recovered, to_string(recovered.error()));
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  CHECK(db.execAndGet("SELECT count(*) FROM row_correlation WHERE "
                      "correlation_id LIKE 'outage-%'")
          .getInt64()
        == 10);
  st = eng.status();
  REQUIRE(st);
  CHECK(st->components[0].state == component_state::running);
  REQUIRE(!eng.stop());
}

TEST_CASE("spans recorded by the bot reach the spans table, linked by "
          "correlation id") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto req = *correlation_id::parse("req_123");
  {
    auto analyst
      = eng.client().span(component_type::analyst, "feature_engineering", req);
    analyst.set("features_generated", 50);
    auto strategist = eng.client().span(component_type::strategist,
                                        "strategy_execution", req);
    strategist.set("strategy_applied", "momentum_based");
  }
  std::thread other{[&] {
    auto s
      = eng.client().span(component_type::exchange, "order_submission", req);
    s.error("rejected: insufficient margin");
  }};
  other.join();
  auto ack = eng.flush();
  REQUIRE_MESSAGE(ack, to_string(ack.error()));
  auto reader = storage::db_reader::open(fx.cfg.storage.path);
  REQUIRE(reader);
  auto spans = storage::spans_for(**reader, req);
  REQUIRE(spans);
  REQUIRE(spans->size() == 3);
  const auto& analyst = (*spans)[0];
  CHECK(analyst.operation == "feature_engineering");
  CHECK(analyst.attributes.at(0).integer == 50);
  CHECK((*spans)[1].parent_span_id == analyst.span_id);
  CHECK((*spans)[2].status == span_status::error);
  CHECK((*spans)[2].status_message == "rejected: insufficient margin");
  for (const auto& s : *spans)
    CHECK(s.trace_id == analyst.trace_id);
  REQUIRE(!eng.stop());
}

TEST_CASE("trace_request and spans give the correlation_tracking row its "
          "component path") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto req = *correlation_id::parse("req_123");
  {
    auto request = eng.client().trace_request(req, "place_order");
    { auto a = eng.client().span(component_type::analyst, "features", req); }
    { auto s = eng.client().span(component_type::strategist, "strategy", req); }
    { auto e = eng.client().span(component_type::exchange, "submit", req); }
    // The start must reach the correlation manager before the spans'
    // footprints do: flush in between, as a bot's request naturally takes
    // longer than the tracer's drain interval.
    REQUIRE(eng.flush());
  }
  auto ack = eng.flush();
  REQUIRE_MESSAGE(ack, to_string(ack.error()));
  SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
  SQLite::Statement q{db, "SELECT component_path, response_timestamp, "
                          "performance_metrics FROM correlation_tracking "
                          "WHERE correlation_id = 'req_123'"};
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "analyst>strategist>exchange");
  CHECK(!q.getColumn(1).isNull());
  CHECK(q.getColumn(2).getString().find("\"status\":\"completed\"")
        != std::string::npos);
  REQUIRE(!eng.stop());
}

TEST_CASE("traced() records an exception's type and message on the span and "
          "the request, and the live statistics see it") {
  engine_fixture fx;
  fx.cfg.correlation_manager.correlation_timeout = std::chrono::seconds{300};
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto req = *correlation_id::parse("req_boom");
  auto& c = eng.client();
  auto run = [&] {
    c.traced_request(req, "place_order", [&] {
      auto qty = c.traced(component_type::tactician, "order_sizing", req,
                          [](runtime::scoped_span& s) {
                            s.set("lots", 3);
                            return 3;
                          });
      REQUIRE(eng.flush()); // the request's start reaches its manager first
      c.traced(component_type::exchange, "order_submission", req,
               [&](runtime::scoped_span&) {
                 if (qty > 2)
                   throw std::invalid_argument{"lot size above the limit"};
               });
    });
  };
  CHECK_THROWS_AS(run(), std::invalid_argument);
  REQUIRE(eng.flush());
  auto reader = storage::db_reader::open(fx.cfg.storage.path);
  REQUIRE(reader);
  auto spans = storage::spans_for(**reader, req);
  REQUIRE(spans);
  REQUIRE(spans->size() == 2);
  const auto& failed = (*spans)[1];
  CHECK(failed.status == span_status::error);
  CHECK(failed.status_message == "lot size above the limit");
  // OpenTelemetry's convention: an "exception" event with type and message.
  CHECK(failed.attributes.empty());
  REQUIRE(failed.events.size() == 1);
  CHECK(failed.events[0].name == "exception");
  CHECK(failed.events[0].time_ns >= failed.start_ns);
  CHECK(failed.events[0].time_ns <= failed.end_ns);
  REQUIRE(failed.events[0].attributes.size() == 2);
  CHECK(failed.events[0].attributes[0].key == "exception.type");
  CHECK(failed.events[0].attributes[0].text == "std::invalid_argument");
  CHECK(failed.events[0].attributes[1].key == "exception.message");
  CHECK(failed.events[0].attributes[1].text == "lot size above the limit");
  // A span nobody marked keeps status Unset (OTLP code 0).
  CHECK((*spans)[0].status == span_status::unset);
  auto otlp = to_otlp_json(*spans, "argus");
  auto& out_spans = otlp["resourceSpans"];
  int unset = 0;
  int with_exception_event = 0;
  for (const auto& rs : out_spans)
    for (const auto& ss : rs["scopeSpans"])
      for (const auto& sp : ss["spans"]) {
        unset += sp["status"]["code"] == 0;
        if (sp.contains("events") && sp["events"][0]["name"] == "exception"
            && sp["events"][0]["attributes"][0]["key"] == "exception.type"
            && sp["status"]["code"] == 2)
          ++with_exception_event;
      }
  CHECK(unset == 1);
  CHECK(with_exception_event == 1);
  CHECK((*spans)[0].status != span_status::error);
  // The correlation manager groups the error by component and type.
  auto stats = eng.correlation_statistics();
  REQUIRE_MESSAGE(stats, to_string(stats.error()));
  CHECK(stats->by_status.at("failed") == 1);
  REQUIRE(stats->errors.size() == 1);
  CHECK(stats->errors[0].component == "exchange");
  CHECK(stats->errors[0].type == "std::invalid_argument");
  CHECK(stats->errors[0].samples == std::vector<std::string>{"req_boom"});
  // The tracer's live latency view has both operations.
  auto lat = eng.operation_latencies(std::chrono::minutes{5});
  REQUIRE_MESSAGE(lat, to_string(lat.error()));
  CHECK(lat->operations.size() == 2);
  for (const auto& op : lat->operations)
    CHECK(op.latency.count == 1);
  auto in_memory = eng.trace(req);
  REQUIRE(in_memory);
  CHECK(in_memory->spans.size() == 2);
  REQUIRE(!eng.stop());
}

namespace {

/// Records a whole request from its destructor, as cleanup code might.
struct records_on_cleanup {
  engine& eng;
  ~records_on_cleanup() {
    auto request = eng.client().trace_request(
      *correlation_id::parse("req_cleanup"), "cleanup");
  }
};

} // namespace

TEST_CASE("a request fails when an exception leaves it, not when it runs "
          "inside a destructor during another exception's unwinding") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  try {
    records_on_cleanup cleanup{eng};
    auto request = eng.client().trace_request(
      *correlation_id::parse("req_thrown"), "place_order");
    throw std::runtime_error{"boom"};
  } catch (const std::runtime_error&) {
  }
  REQUIRE(eng.flush());
  auto stats = eng.correlation_statistics();
  REQUIRE(stats);
  CHECK(stats->by_status.at("failed") == 1);
  CHECK(stats->by_status.at("completed") == 1);
  REQUIRE(stats->errors.size() == 1);
  CHECK(stats->errors[0].samples == std::vector<std::string>{"req_thrown"});
  REQUIRE(!eng.stop());
}

TEST_CASE("metric handles resolved from the client record from any thread "
          "into one series") {
  engine_fixture fx;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  auto orders = eng.client().counter("orders_total", {{"venue", "binance"}});
  auto latency
    = eng.client().histogram("order_latency_us", {{"venue", "binance"}});
  auto equity = eng.client().gauge("equity_usd");
  REQUIRE(orders.valid());
  std::vector<std::thread> bots;
  for (int t = 0; t < 3; ++t)
    bots.emplace_back([&] {
      // The same series, resolved again on this thread.
      auto mine = eng.client().counter("orders_total", {{"venue", "binance"}});
      for (int i = 1; i <= 1000; ++i) {
        mine.inc();
        latency.observe(i);
      }
    });
  for (auto& b : bots)
    b.join();
  orders.inc(5);
  equity.set(10'250.5);
  // A name keeps its kind: the mismatched handle records nothing.
  auto wrong = eng.client().gauge("orders_total");
  CHECK(!wrong.valid());
  wrong.set(1); // no effect, no crash
  uint64_t count = 0;
  double p99 = 0;
  double gauge = 0;
  eng.client().metrics().for_each([&](const metrics_registry::series_view& s) {
    if (s.counter)
      count = s.counter->value();
    if (s.histogram)
      p99 = s.histogram->snapshot().quantile(0.99);
    if (s.gauge)
      gauge = s.gauge->value();
  });
  CHECK(count == 3005);
  CHECK(p99 == doctest::Approx(990).epsilon(0.01));
  CHECK(gauge == 10'250.5);
  REQUIRE(!eng.stop());
}

TEST_CASE("spans and metric handles that outlive their engine record nothing, "
          "count it, and touch no freed memory") {
  engine_fixture fx;
  auto eng = std::make_unique<engine>(fx.cfg, fx.options());
  REQUIRE(!eng->start());
  auto bot = eng->client(); // a copy, as a bot keeps it
  auto orders = bot.counter("orders_total");
  auto equity = bot.gauge("equity_usd");
  auto latency = bot.histogram("latency_us");
  REQUIRE(orders.valid());
  orders.inc();
  const auto cid = bot.new_correlation_id();
  auto open_across_stop
    = bot.span(component_type::analyst, "open_across_stop", cid);
  auto open_across_destruction
    = bot.span(component_type::analyst, "open_across_destruction", cid);
  REQUIRE(open_across_stop.active());
  REQUIRE(!eng->stop());
  auto spans_before = span_buffers::ended_after_close();
  // Stopped: nobody drains or reads any more.
  open_across_stop.end();
  CHECK(span_buffers::ended_after_close() == spans_before + 1);
  orders.inc();
  CHECK(bot.counters().metric_records_after_stop == 1);
  CHECK(!bot.span(component_type::analyst, "after_stop", cid).active());
  // Destroyed: the handles keep their cells alive, the span keeps only an id.
  eng.reset();
  open_across_destruction.set("late", int64_t{1});
  open_across_destruction.end();
  CHECK(span_buffers::ended_after_close() == spans_before + 2);
  orders.inc(3);
  equity.set(1.0);
  latency.observe(2.0);
  CHECK(bot.counters().metric_records_after_stop == 4);
  CHECK(bot.counter_map().at("client_metric_records_after_stop") == 4);
  // Only the one recorded while running reached the series.
  uint64_t total = 0;
  bot.metrics().for_each([&](const metrics_registry::series_view& s) {
    if (s.counter)
      total += s.counter->value();
  });
  CHECK(total == 1);
}
