// End-to-end: the real argusd binary, a real SQLite file, real signals.

#include "actors/tracer/export.hpp"
#include "messages/codec.hpp"
#include "messages/trace_context.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "tests/messages/samples.hpp"
#include "tests/support/certificates.hpp"
#include "tests/support/process.hpp"
#include "tests/support/small_filesystem.hpp"
#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using namespace std::chrono_literals;

namespace {

struct daemon_fixture {
  test::temp_dir dir;
  std::string db = dir.file("argus.db");
  std::string config = dir.write("argus.yaml", "monitoring:\n"
                                               "  storage:\n"
                                               "    path: "
                                                 + dir.file("argus.db")
                                                 + "\n"
                                                   "    batch_interval: 50ms\n"
                                                   "  runtime:\n"
                                                   "    threads: 2\n"
                                                   "    log_level: info\n");

  std::unique_ptr<test::child_process> start(std::vector<std::string> extra) {
    std::vector<std::string> argv{ARGUSD_PATH, "--config", config};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<test::child_process>(argv);
    REQUIRE_MESSAGE(p->wait_for_line("argusd ready", 30s),
                    "argusd did not start: " << p->drain_stderr());
    return p;
  }

  int64_t query(const std::string& sql) {
    SQLite::Database db_{db, SQLite::OPEN_READONLY};
    return db_.execAndGet(sql).getInt64();
  }
};

std::string regime_frame(const std::string& corr) {
  auto x = test::sample_regime_recorded();
  x.hdr.corr = *correlation_id::parse(corr);
  return codec::frame(codec::encode_event(x));
}

/// `n` regime frames with correlation ids `<prefix>0` ... `<prefix><n-1>`.
std::string regime_frames(const std::string& prefix, int n) {
  std::string frames;
  for (int i = 0; i < n; ++i)
    frames += regime_frame(prefix + std::to_string(i));
  return frames;
}

std::string flush_frame(const std::string& corr) {
  flush_requested f;
  f.hdr.corr = *correlation_id::parse(corr);
  return codec::frame(codec::encode_event(f));
}

int64_t rows_with_prefix(daemon_fixture& fx, const std::string& prefix) {
  return fx.query("SELECT count(*) FROM row_correlation WHERE table_name = "
                  "'regime_tracking' AND correlation_id LIKE '"
                  + prefix + "%'");
}

} // namespace

TEST_CASE("argusd --check-config accepts the spec's configuration") {
  auto r = test::run(
    {ARGUSD_PATH, "--check-config",
     std::string{ARGUS_SOURCE_DIR} + "/config/examples/monitoring.yaml"});
  CHECK(r.code == 0);
  CHECK(r.out == "ok\n");
}

TEST_CASE("argusd --check-config rejects typos and out-of-range values with "
          "key path and line") {
  test::temp_dir dir;
  auto path = dir.write("bad.yaml", "monitoring:\n"
                                    "  metrics_dashboard:\n"
                                    "    update_intervall: 5\n"
                                    "  advanced_tracer:\n"
                                    "    trace_sampling_rate: 1.5\n");
  auto r = test::run({ARGUSD_PATH, "--check-config", path});
  CHECK(r.code == 2);
  CHECK(r.out.find("monitoring.metrics_dashboard.update_intervall (line 3, "
                   "column 5): unknown key")
        != std::string::npos);
  CHECK(r.out.find("monitoring.advanced_tracer.trace_sampling_rate (line 5, "
                   "column 26): must be within [0, 1]")
        != std::string::npos);
  CHECK(r.out.find("FAILED: 2 problems") != std::string::npos);
  // Running with that file refuses to start, with the same messages.
  auto run = test::run({ARGUSD_PATH, "--config", path});
  CHECK(run.code == 2);
  CHECK(run.err.find("update_intervall") != std::string::npos);
}

TEST_CASE("argusd on SIGTERM stores every event it read, in the spec's "
          "tables") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  auto frames = regime_frames("term-", 200);
  for (int i = 0; i < 50; ++i)
    frames += codec::frame(
      codec::encode_event(test::sample_decision_step_recorded()));
  REQUIRE(p->write(frames));
  p->close_stdin();
  auto eof = p->wait_for_line("ingest eof", 30s);
  REQUIRE(eof);
  CHECK(eof->rfind("ingest eof accepted=250 rejected=0 ack committed=", 0)
        == 0);
  p->signal(SIGTERM);
  auto code = p->wait(30s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(rows_with_prefix(fx, "term-") == 200);
  CHECK(fx.query("SELECT count(DISTINCT correlation_id) FROM row_correlation "
                 "WHERE correlation_id LIKE 'term-%'")
        == 200);
  CHECK(fx.query("SELECT count(*) FROM decision_steps") == 50);
  CHECK(fx.query("SELECT count(*) FROM regime_tracking WHERE regime_type = "
                 "'BULL_TREND' AND regime_features = "
                 "'[\"price_momentum\",\"volatility\"]'")
        == 200);
  // argusctl reads the same file.
  auto st = test::run({ARGUSCTL_PATH, "status", "--db", fx.db, "-o", "json"});
  REQUIRE(st.code == 0);
  auto j = nlohmann::json::parse(st.out);
  CHECK(j["schema_version"] == storage::latest_schema_version());
  CHECK(j["rows"]["regime_tracking"] == 200);
  for (auto table : {"correlation_tracking", "model_behavior_tracking",
                     "report_history", "ensemble_tracking", "regime_tracking"})
    CHECK(j["rows"].contains(table));
  CHECK(j["last_write_ns"].get<int64_t>() > 0);
}

TEST_CASE("a flood past the client queue on standard input is read at the "
          "engine's pace, and the flush after it acknowledges every event") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  // Six times the client queue, written back to back: argusd stops reading
  // while the queue is full instead of dropping what a flush then acks.
  constexpr int events = 100'000;
  auto frames = regime_frames("flood-", events);
  frames += flush_frame("flush-flood");
  REQUIRE(p->write(frames));
  auto ack = p->wait_for_line("flush-flood", 120s);
  REQUIRE(ack);
  CHECK(ack->rfind("ack flush-flood committed=", 0) == 0);
  CHECK(rows_with_prefix(fx, "flood-") == events);
  p->signal(SIGTERM);
  CHECK(p->wait(30s));
}

TEST_CASE("kill -9 after an acknowledged flush loses none of the "
          "acknowledged rows") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  auto acked = regime_frames("acked-", 300);
  acked += flush_frame("flush-1");
  REQUIRE(p->write(acked));
  auto ack = p->wait_for_line("flush-1", 30s);
  REQUIRE(ack);
  REQUIRE(ack->rfind("ack flush-1 committed=", 0) == 0);
  CHECK(std::stoll(ack->substr(ack->find('=') + 1)) >= 300);
  // More events that nobody acknowledged, then the hard kill.
  auto more = regime_frames("unacked-", 300);
  p->write(more);
  p->signal(SIGKILL);
  auto code = p->wait(30s);
  REQUIRE(code);
  CHECK(*code == 128 + SIGKILL);
  SQLite::Database db{fx.db, SQLite::OPEN_READWRITE};
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
  CHECK(rows_with_prefix(fx, "acked-") == 300);
  CHECK(rows_with_prefix(fx, "unacked-") <= 300);
}

TEST_CASE("a full disk: argusd stops acknowledging, resumes within 5 s of "
          "space returning, and every acknowledged event is in the database") {
  test::small_filesystem disk{4};
  if (!disk.mounted()) {
    // The writer's own tests fill a size budget (PRAGMA max_page_count)
    // instead; this one needs a real filesystem that fills up.
    MESSAGE("no tmpfs can be mounted here (" << disk.why_not()
                                             << "): skipping the real disk");
    return;
  }
  // Half the disk is taken by something else, which the operator later
  // deletes: 2 MiB come back.
  auto ballast = disk.file("ballast");
  {
    std::ofstream out{ballast, std::ios::binary};
    std::string mib(1 << 20, 'x');
    out << mib << mib;
  }
  test::temp_dir dir;
  auto db = disk.file("argus.db");
  auto config = dir.write("argus.yaml", "monitoring:\n"
                                        "  storage:\n"
                                        "    path: "
                                          + db
                                          + "\n"
                                            "    batch_interval: 50ms\n"
                                            "  runtime:\n"
                                            "    threads: 2\n");
  test::child_process p{{ARGUSD_PATH, "--config", config, "--ingest-stdin"}};
  if (!p.wait_for_line("argusd ready", 30s)) {
    p.signal(SIGKILL);
    p.wait(5s);
    FAIL("argusd did not start: " << p.drain_stderr());
  }
  constexpr int per_round = 200;
  auto round = [&](const std::string& name) {
    auto frames = regime_frames(name + "-", per_round);
    frames += flush_frame("flush-" + name);
    REQUIRE(p.write(frames));
    auto answer = p.wait_for_line("flush-" + name, 60s);
    REQUIRE(answer);
    return *answer;
  };
  std::vector<std::string> acked;
  std::string nack;
  for (int r = 0; r < 500 && nack.empty(); ++r) {
    auto name = "r" + std::to_string(r);
    auto answer = round(name);
    if (answer.rfind("ack ", 0) == 0)
      acked.push_back(name);
    else
      nack = answer;
  }
  REQUIRE_MESSAGE(!nack.empty(), "the disk never filled up");
  // Acknowledged while there was room. How many rounds fit depends on when
  // SQLite last checkpointed its write-ahead log (5 under load, more when
  // idle), so only "some" is asserted.
  CHECK(acked.size() >= 2);
  CHECK(nack.find("storage_full") != std::string::npos);
  CHECK(disk.available() < 64 * 1024);
  // While the disk stays full, nothing more is acknowledged, and a backlog
  // builds up (about 1 MiB of rows: it fits in what comes back only once
  // the write-ahead log that filled the disk is emptied into the database).
  for (int r = 0; r < 15; ++r)
    CHECK(round("full" + std::to_string(r)).rfind("nack ", 0) == 0);
  // Space comes back: the writer resumes on its own, within 5 s.
  std::filesystem::remove(ballast);
  auto freed_at = std::chrono::steady_clock::now();
  bool resumed = false;
  for (int probe = 0; !resumed && probe < 100; ++probe) {
    auto name = "probe-" + std::to_string(probe);
    REQUIRE(p.write(flush_frame(name)));
    auto answer = p.wait_for_line(name, 30s);
    REQUIRE(answer);
    resumed = answer->rfind("ack ", 0) == 0;
    if (!resumed)
      std::this_thread::sleep_for(100ms);
  }
  auto took = std::chrono::steady_clock::now() - freed_at;
  REQUIRE(resumed);
  CHECK(took < 5s);
  MESSAGE("acknowledged again "
          << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
          << " ms after 2 MiB came back");
  // And it keeps going.
  auto after = round("after");
  CHECK(after.rfind("ack ", 0) == 0);
  if (after.rfind("ack ", 0) == 0)
    acked.push_back("after");
  p.signal(SIGTERM);
  CHECK(p.wait(30s) == 0);
  SQLite::Database check{db, SQLite::OPEN_READWRITE};
  CHECK(check.execAndGet("PRAGMA integrity_check").getString() == "ok");
  for (const auto& name : acked) {
    auto stored = check
                    .execAndGet("SELECT count(*) FROM row_correlation WHERE "
                                "correlation_id LIKE '"
                                + name + "-%'")
                    .getInt64();
    CHECK_MESSAGE(stored == per_round, name << " was acknowledged");
  }
}

TEST_CASE("kill -9 at random points while a feeder records acks: every "
          "acknowledged event survives every crash, and the file stays "
          "intact") {
  // 20 cycles in the suite; ARGUS_CRASH_CYCLES=100 for a longer run.
  int cycles = 20;
  if (auto env = std::getenv("ARGUS_CRASH_CYCLES"))
    cycles = std::max(1, std::atoi(env));
  daemon_fixture fx;
  std::mt19937 rng{20261201};
  std::vector<std::pair<std::string, int>> acked; // prefix, events
  for (int cycle = 0; cycle < cycles; ++cycle) {
    auto p = fx.start({"--ingest-stdin"});
    auto rounds = 1 + static_cast<int>(rng() % 6);
    for (int r = 0; r < rounds; ++r) {
      auto prefix = "c" + std::to_string(cycle) + "r" + std::to_string(r) + "-";
      auto n = 1 + static_cast<int>(rng() % 400);
      auto frames = regime_frames(prefix, n);
      frames += flush_frame("flush-" + prefix);
      REQUIRE(p->write(frames));
      auto answer = p->wait_for_line("flush-" + prefix, 30s);
      REQUIRE(answer);
      if (answer->rfind("ack ", 0) == 0)
        acked.emplace_back(prefix, n);
    }
    // Then more that nobody acknowledges, cut anywhere (even inside a
    // frame), and the kill at a random moment: while reading, routing or
    // committing.
    auto tail = regime_frames("c" + std::to_string(cycle) + "unacked-", 300);
    tail.resize(rng() % tail.size());
    p->write(tail);
    std::this_thread::sleep_for(std::chrono::microseconds{rng() % 20'000});
    p->signal(SIGKILL);
    REQUIRE(p->wait(30s) == 128 + SIGKILL);
    SQLite::Database db{fx.db, SQLite::OPEN_READONLY};
    REQUIRE(db.execAndGet("PRAGMA integrity_check").getString() == "ok");
    for (const auto& [prefix, n] : acked)
      REQUIRE_MESSAGE(rows_with_prefix(fx, prefix) == n,
                      prefix << " was acknowledged (cycle " << cycle << ")");
  }
  CHECK(acked.size() >= static_cast<size_t>(cycles));
}

TEST_CASE("argusd rejects malformed frames with a reason and keeps going") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  std::string frames = codec::frame("\xc1\xc1\xc1");              // not msgpack
  frames += codec::frame(std::string{"\xdd\xff\xff\xff\xff", 5}); // 4G array
  frames += regime_frame("after-garbage-1");
  frames += flush_frame("flush-2");
  REQUIRE(p->write(frames));
  // Each rejection is answered on the ack channel too, by frame number.
  auto first = p->wait_for_line("reject 1 ", 30s);
  REQUIRE(first);
  CHECK(first->find("protocol_violation") != std::string::npos);
  auto second = p->wait_for_line("reject 2 ", 30s);
  REQUIRE(second);
  CHECK(second->find("size exceeds frame") != std::string::npos);
  auto ack = p->wait_for_line("flush-2", 30s);
  REQUIRE(ack);
  CHECK(ack->rfind("ack flush-2", 0) == 0);
  CHECK(rows_with_prefix(fx, "after-garbage-") == 1);
  // At the end of its input argusd commits, answers and exits by itself.
  p->close_stdin();
  auto eof = p->wait_for_line("ingest eof", 30s);
  REQUIRE(eof);
  CHECK(eof->rfind("ingest eof accepted=2 rejected=2 ack committed=", 0) == 0);
  CHECK(p->wait(30s) == 0);
  auto err = p->drain_stderr();
  CHECK(err.find("ingest-rejected") != std::string::npos);
  CHECK(err.find("protocol_violation") != std::string::npos);
}

std::string span_frame(const std::string& corr, std::string trace_id,
                       int64_t start_ns, int64_t end_ns) {
  auto x = test::sample_span_recorded();
  x.hdr.corr = *correlation_id::parse(corr);
  x.trace_id = std::move(trace_id);
  x.start_ns = start_ns;
  x.end_ns = end_ns;
  return codec::frame(codec::encode_event(x));
}

TEST_CASE("spans from the wire without a usable trace id or times are "
          "rejected with a reason, a span without a trace id takes its "
          "correlation id's, and a flush without a correlation id gets one") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  constexpr int64_t t = 1'700'000'000'000'000'000;
  std::string frames;
  frames += span_frame("span-bad-id", "not-hex", t, t + 10);             // 1
  frames += span_frame("span-reversed", std::string(32, 'a'), t, t - 1); // 2
  frames += span_frame("span-zero", std::string(32, 'b'), 0, 0);         // 3
  frames += span_frame("span-derived", "", t, t + 10);                   // 4
  frames += codec::frame(codec::encode_event(flush_requested{}));        // 5
  REQUIRE(p->write(frames));
  for (auto [n, what] : {std::pair{1, "trace_id 'not-hex'"},
                         std::pair{2, "ends before it starts"},
                         std::pair{3, "must both be set"}}) {
    auto line = p->wait_for_line("reject " + std::to_string(n) + " ", 30s);
    REQUIRE(line);
    CHECK_MESSAGE(line->find(what) != std::string::npos, *line);
  }
  auto ack = p->wait_for_line("ack ", 30s);
  REQUIRE(ack);
  // "ack <minted id> committed=N": an id, not an empty field.
  auto minted = ack->substr(4, ack->find(' ', 4) - 4);
  CHECK(minted.size() == 32);
  CHECK(fx.query("SELECT count(*) FROM spans") == 1);
  SQLite::Database db{fx.db, SQLite::OPEN_READONLY};
  auto stored = db.execAndGet("SELECT trace_id FROM spans WHERE "
                              "correlation_id = 'span-derived'")
                  .getString();
  CHECK(stored == trace_id_for(*correlation_id::parse("span-derived")).hex());
  p->signal(SIGTERM);
  CHECK(p->wait(30s) == 0);
}

TEST_CASE("a broken framing closes the stream: argusd commits what came "
          "before, answers, and exits with an error") {
  daemon_fixture fx;
  auto p = fx.start({"--ingest-stdin"});
  auto frames = regime_frames("before-break-", 50);
  frames += std::string{"\x7f\xff\xff\xff", 4}; // a 2 GiB length
  frames += regime_frame("after-break");
  REQUIRE(p->write(frames));
  auto reject = p->wait_for_line("reject 51 ", 30s);
  REQUIRE(reject);
  CHECK(reject->find("closing the stream") != std::string::npos);
  auto closed = p->wait_for_line("ingest closed", 30s);
  REQUIRE(closed);
  CHECK(closed->rfind("ingest closed accepted=50 rejected=1 ack committed=", 0)
        == 0);
  CHECK(p->wait(30s) == 1);
  CHECK(rows_with_prefix(fx, "before-break-") == 50);
  CHECK(rows_with_prefix(fx, "after-break") == 0);
}

TEST_CASE("argusd --demo drives every enabled component through the client "
          "API") {
  daemon_fixture fx;
  auto p = fx.start({"--demo", "--demo-rate", "50"});
  auto line = p->wait_for_line("demo requests=", 30s);
  REQUIRE(line);
  CHECK(line->find("storage_writer=running") != std::string::npos);
  CHECK(line->find("tracker=running") != std::string::npos);
  p->signal(SIGTERM);
  REQUIRE(p->wait(30s) == 0);
  auto requests = fx.query("SELECT count(DISTINCT correlation_id) FROM "
                           "decision_steps");
  CHECK(requests > 10);
  CHECK(fx.query("SELECT count(*) FROM decision_steps") == 5 * requests);
  CHECK(fx.query("SELECT count(*) FROM ensemble_tracking") == requests);
  CHECK(fx.query("SELECT count(*) FROM regime_tracking") == requests);
  // The bot's model-behaviour summaries (the ML monitor adds its own rows,
  // without a confidence trend).
  CHECK(fx.query("SELECT count(*) FROM model_behavior_tracking WHERE "
                 "json_extract(metadata, '$.confidence_trend') IS NOT NULL")
        == requests / 10);
  // Each request is also a trace: a root and five hops, analyst to exchange,
  // and a request/response pair with its component path.
  CHECK(fx.query("SELECT count(*) FROM spans") == 6 * requests);
  CHECK(fx.query("SELECT count(*) FROM correlation_tracking") == requests);
  CHECK(
    fx.query("SELECT count(*) FROM correlation_tracking WHERE "
             "component_path = "
             "'supervisor>analyst>strategist>tactician>supervisor>exchange'")
    == requests);
  std::string cid;
  {
    SQLite::Database db{fx.db, SQLite::OPEN_READONLY};
    cid = db.execAndGet("SELECT correlation_id FROM spans LIMIT 1").getString();
  }
  auto trace = test::run({ARGUSCTL_PATH, "trace", cid, "--db", fx.db});
  REQUIRE(trace.code == 0);
  CHECK(trace.out.find("6 spans") != std::string::npos);
  CHECK(trace.out.find("*   analyst feature_engineering") != std::string::npos);
  CHECK(trace.out.find("*   exchange order_submission") != std::string::npos);
  auto otlp = test::run(
    {ARGUSCTL_PATH, "export", cid, "--db", fx.db, "--format", "otlp"});
  REQUIRE(otlp.code == 0);
  auto j = nlohmann::json::parse(otlp.out);
  CHECK(j["resourceSpans"].size() == 5); // one service per component
  auto msgpack_file = fx.dir.file("trace.msgpack");
  auto mp = test::run({ARGUSCTL_PATH, "export", cid, "--db", fx.db, "--format",
                       "msgpack", "--out", msgpack_file});
  REQUIRE(mp.code == 0);
  auto back = trace_from_msgpack(test::read_file(msgpack_file));
  REQUIRE(back);
  CHECK(back->spans.size() == 6);
  // The queries a person asks next.
  auto slowest = test::run(
    {ARGUSCTL_PATH, "traces", "--db", fx.db, "--slowest", "3", "-o", "json"});
  REQUIRE(slowest.code == 0);
  auto sj = nlohmann::json::parse(slowest.out);
  REQUIRE(sj.size() == 3);
  CHECK(sj[0]["duration_ms"].get<double>()
        >= sj[2]["duration_ms"].get<double>());
  CHECK(sj[0]["spans"] == 6);
  auto latency = test::run({ARGUSCTL_PATH, "traces", "--db", fx.db, "--latency",
                            "--since", "1h", "-o", "json"});
  REQUIRE(latency.code == 0);
  auto lj = nlohmann::json::parse(latency.out);
  REQUIRE(lj.size() == 6); // handle_request and the five hops
  for (const auto& op : lj) {
    CHECK(op["count"] == requests);
    CHECK(op["p50_ms"].get<double>() <= op["p95_ms"].get<double>());
    CHECK(op["p95_ms"].get<double>() <= op["p99_ms"].get<double>());
  }
  auto stats = test::run(
    {ARGUSCTL_PATH, "correlations", "stats", "--db", fx.db, "-o", "json"});
  REQUIRE(stats.code == 0);
  auto cj = nlohmann::json::parse(stats.out);
  CHECK(cj["requests"] == requests);
  auto done = cj["by_status"].value("completed", 0)
              + cj["by_status"].value("failed", 0);
  // About 1 % of the demo's requests never answer: open until their timeout.
  auto unanswered
    = cj["by_status"].value("open", 0) + cj["by_status"].value("timed_out", 0);
  CHECK(done + unanswered == requests);
  CHECK(unanswered < requests / 10 + 3);
  CHECK(cj["latency"]["count"] == done);
  // Where the time goes: the exchange is the slow hop of the demo.
  REQUIRE(!cj["critical_path"].empty());
  CHECK(cj["critical_path"][0]["component"] == "exchange");
  double share = 0;
  for (const auto& c : cj["critical_path"])
    share += c["share"].get<double>();
  CHECK(share == doctest::Approx(1.0));
  if (cj["by_status"].value("failed", 0) > 0) {
    REQUIRE(!cj["errors"].empty());
    CHECK(cj["errors"][0]["component"] == "exchange");
    auto type = cj["errors"][0]["type"].get<std::string>();
    CHECK((type == "OrderRejected" || type == "ExchangeTimeout"));
  }
  auto errors = test::run(
    {ARGUSCTL_PATH, "traces", "--db", fx.db, "--errors", "-o", "json"});
  REQUIRE(errors.code == 0);
  auto ej = nlohmann::json::parse(errors.out);
  if (cj["by_status"].value("failed", 0) > 0) {
    REQUIRE(!ej.empty());
    CHECK(ej[0]["sample_correlation_ids"].size() >= 1);
  }
  auto missing
    = test::run({ARGUSCTL_PATH, "trace", "no-such-id", "--db", fx.db});
  CHECK(missing.code == 1);
  CHECK(missing.err.find("no spans stored") != std::string::npos);
}

TEST_CASE("argusd --demo trades and records latencies - argusctl shows the "
          "metrics, health and trading performance, and valid Prometheus "
          "text") {
  daemon_fixture fx;
  auto p = fx.start({"--demo", "--demo-rate", "50"});
  REQUIRE(p->wait_for_line("demo requests=", 30s));
  p->signal(SIGTERM);
  REQUIRE(p->wait(30s) == 0);
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ARGUSCTL_PATH);
    return test::run(std::move(args));
  };
  // Series: the bot's own, with their newest values.
  auto list = ctl({"metrics", "list", "--db", fx.db, "-o", "json"});
  REQUIRE(list.code == 0);
  auto lj = nlohmann::json::parse(list.out);
  uint64_t orders = 0;
  uint64_t observed = 0;
  for (const auto& s : lj) {
    if (s["name"] == "orders")
      orders += s["last"].get<uint64_t>();
    if (s["name"] == "order_latency_seconds")
      observed += s["count"].get<uint64_t>();
  }
  auto requests = fx.query("SELECT count(DISTINCT correlation_id) FROM "
                           "decision_steps");
  CHECK(orders == static_cast<uint64_t>(requests));
  CHECK(observed > 0);
  auto get
    = ctl({"metrics", "get", "order_latency_seconds", "--db", fx.db, "--window",
           "1h", "--labels", "venue=simulated", "-o", "json"});
  REQUIRE(get.code == 0);
  auto gj = nlohmann::json::parse(get.out);
  REQUIRE(!gj["points"].empty());
  int64_t counted = 0; // one hour, or two if the run crossed the hour
  for (const auto& hour : gj["points"]) {
    counted += hour["count"].get<int64_t>();
    CHECK(hour["p50"].get<double>() <= hour["p99"].get<double>());
  }
  CHECK(counted == requests);
  CHECK(ctl({"metrics", "get", "order_latency_seconds", "--db", fx.db,
             "--labels", "venue"})
          .code
        == 2);
  CHECK(ctl({"metrics", "get", "no_such_metric", "--db", fx.db}).code == 1);
  // Health: the process, the host and every component.
  auto health = ctl({"health", "--db", fx.db, "-o", "json"});
  REQUIRE(health.code == 0);
  auto hj = nlohmann::json::parse(health.out);
  size_t up = 0;
  double rss = 0;
  for (const auto& f : hj["figures"]) {
    if (f["name"] == "argus_component_up" && f["value"] == 1)
      ++up;
    if (f["name"] == "argus_process_resident_memory_bytes")
      rss = f["value"].get<double>();
  }
  CHECK(up == 7);
  CHECK(rss > 1e6);
  // Trading: the fills stored, wins and losses, a drawdown, daily ratios.
  auto trading = ctl({"trading", "--db", fx.db, "-o", "json"});
  REQUIRE(trading.code == 0);
  auto tj = nlohmann::json::parse(trading.out);
  auto all = tj["overall"];
  CHECK(all["fills"] == fx.query("SELECT count(*) FROM trades"));
  CHECK(all["wins"].get<int>() > 0);
  CHECK(all["losses"].get<int>() > 0);
  CHECK(all["max_drawdown_pct"].get<double>() > 0);
  CHECK(all["days"].get<int>() >= 30);
  CHECK(!all["sharpe"].is_null());
  CHECK(tj["by_symbol"].size() == 3);
  CHECK(tj["by_strategy"].size() == 2);
  auto by_tag = ctl({"trading", "--db", fx.db, "--by", "tag"});
  REQUIRE(by_tag.code == 0);
  CHECK(by_tag.out.find("momentum") != std::string::npos);
  CHECK(ctl({"trading", "--db", fx.db, "--by", "venue"}).code == 2);
  // Prometheus text of it all.
  auto prom = ctl({"metrics", "--prom", "--db", fx.db});
  REQUIRE(prom.code == 0);
  CHECK(prom.out.find("# TYPE orders_total counter") != std::string::npos);
  CHECK(prom.out.find("# TYPE order_latency_seconds histogram")
        != std::string::npos);
  CHECK(prom.out.find("argus_trading_sharpe_ratio ") != std::string::npos);
  if (std::filesystem::exists("/usr/bin/promtool")) {
    auto path = fx.dir.write("demo.prom", prom.out);
    auto check = test::run(
      {"/bin/sh", "-c", "/usr/bin/promtool check metrics < " + path});
    CHECK_MESSAGE(check.code == 0, (check.out + check.err));
  }
}

TEST_CASE("argusd --demo prints its URL and a viewer token, and a real "
          "Prometheus server scrapes it with that token") {
  daemon_fixture fx;
  auto r = test::run(
    {"/usr/bin/python3",
     std::string{ARGUS_SOURCE_DIR} + "/tests/tools/prometheus_scrape.py",
     ARGUSD_PATH, fx.config, fx.dir.file("prometheus")},
    150s);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("up=1") != std::string::npos);
  CHECK(r.out.find("engine=missing") == std::string::npos);
  CHECK(r.out.find("trading=missing") == std::string::npos);
}

TEST_CASE("a real WebSocket client on /ws: refused before the upgrade "
          "without a token, deflate negotiated, a bad filter refused by name, "
          "live dashboard snapshots numbered per topic, 1009 past the limit, "
          "closes counted on /metrics, snapshots on request only without "
          "real-time updates") {
  daemon_fixture fx;
  auto config = fx.dir.write("ws.yaml", "monitoring:\n"
                                        "  metrics_dashboard:\n"
                                        "    update_interval: 500ms\n"
                                        "  gateway:\n"
                                        "    websocket_idle_timeout: 3s\n"
                                        "  storage:\n"
                                        "    batch_interval: 50ms\n"
                                        "  runtime:\n"
                                        "    threads: 2\n");
  auto no_push = fx.dir.write("nopush.yaml", "monitoring:\n"
                                             "  metrics_dashboard:\n"
                                             "    update_interval: 500ms\n"
                                             "    enable_real_time_updates: "
                                             "false\n"
                                             "  runtime:\n"
                                             "    threads: 2\n");
  auto r = test::run(
    {"/usr/bin/python3",
     std::string{ARGUS_SOURCE_DIR} + "/tests/tools/websocket_client.py",
     ARGUSD_PATH, config, fx.dir.path().string(), no_push},
    150s);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("no token: 401") != std::string::npos);
  CHECK(r.out.find("permessage-deflate:") != std::string::npos);
  CHECK(r.out.find("oversized: 1009") != std::string::npos);
  CHECK(r.out.find("silent client closed by the server") != std::string::npos);
  CHECK(r.out.find("live counters on /metrics:") != std::string::npos);
  CHECK(r.out.find("real-time off: snapshot on request") != std::string::npos);
}

TEST_CASE("argusctl follow and top stream from a running argusd: the demo's "
          "drift alert as it fires, filters, refusals, a live table") {
  daemon_fixture fx;
  auto config = fx.dir.write("live.yaml", "monitoring:\n"
                                          "  metrics_dashboard:\n"
                                          "    update_interval: 1s\n"
                                          "  storage:\n"
                                          "    batch_interval: 50ms\n"
                                          "  runtime:\n"
                                          "    threads: 2\n");
  auto r
    = test::run({"/usr/bin/python3",
                 std::string{ARGUS_SOURCE_DIR} + "/tests/tools/live_cli.py",
                 ARGUSD_PATH, ARGUSCTL_PATH, config, fx.dir.path().string()},
                150s);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("follow alerts: fired") != std::string::npos);
  CHECK(r.out.find("top: 7 components") != std::string::npos);
}

TEST_CASE("the web dashboard in headless Chromium: token form, live "
          "overview equal to the API, a drift alert within two update "
          "intervals, a trace's waterfall and decision path, charts on every "
          "page, deflate, phone width, no console error") {
  daemon_fixture fx;
  auto config = fx.dir.write("browser.yaml", "monitoring:\n"
                                             "  metrics_dashboard:\n"
                                             "    update_interval: 1s\n"
                                             "  storage:\n"
                                             "    batch_interval: 50ms\n"
                                             "  runtime:\n"
                                             "    threads: 2\n");
  // Where the screenshots go: the fixture's folder, or the one asked for
  // (docs/screenshots when they are renewed for the README).
  auto shots = std::getenv("ARGUS_SCREENSHOT_DIR")
                 ? std::string{std::getenv("ARGUS_SCREENSHOT_DIR")}
                 : fx.dir.path().string();
  auto r = test::run(
    {"/usr/bin/python3",
     std::string{ARGUS_SOURCE_DIR} + "/tests/tools/browser_dashboard.py",
     ARGUSD_PATH, config, fx.dir.path().string(), shots},
    240s);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("components equal /api/status") != std::string::npos);
  CHECK(r.out.find("drift alert on the page") != std::string::npos);
  CHECK(r.out.find("browser negotiated: permessage-deflate")
        != std::string::npos);
  CHECK(r.out.find("no console errors") != std::string::npos);
}

TEST_CASE("argusd mails the four reports on their schedules over STARTTLS "
          "with AUTH to a real SMTP server, never in clear text when TLS is "
          "required, retries a server that is down, and serves reports whose "
          "figures are the API's") {
  test::certificates certs;
  auto [cert, key] = certs.issue("smtp");
  test::temp_dir work;
  auto r = test::run({"/usr/bin/python3",
                      std::string{ARGUS_SOURCE_DIR}
                        + "/tests/tools/report_delivery.py",
                      ARGUSD_PATH, ARGUSCTL_PATH, work.path().string(),
                      certs.ca, cert, key},
                     240s);
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("report delivery: all checks passed") != std::string::npos);
}

TEST_CASE("the README lists exactly the routes of the route table") {
  auto r = test::run({ARGUSD_PATH, "--list-routes"});
  REQUIRE(r.code == 0);
  CHECK(r.out.find("| GET | `/api/metrics/dashboard` | viewer |")
        != std::string::npos);
  auto readme = test::read_file(std::string{ARGUS_SOURCE_DIR} + "/README.md");
  const std::string begin = "<!-- routes:begin -->\n";
  auto from = readme.find(begin);
  auto to = readme.find("<!-- routes:end -->");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  CHECK(readme.substr(from + begin.size(), to - from - begin.size()) == r.out);
}

TEST_CASE("argusd refuses a database it cannot use, with a reason") {
  daemon_fixture fx;
  auto junk = fx.dir.write("junk.db", std::string(4096, 'j'));
  auto r = test::run({ARGUSD_PATH, "--config", fx.config, "--db", junk});
  CHECK(r.code == 1);
  CHECK(r.err.find("corrupt") != std::string::npos);
}

TEST_CASE("a Python bot feeds argusd over the msgpack wire format") {
  daemon_fixture fx;
  auto r = test::run({"/usr/bin/python3",
                      std::string{ARGUS_SOURCE_DIR} + "/examples/ingest.py",
                      ARGUSD_PATH, fx.config, "25"});
  INFO(r.err);
  CHECK(r.code == 0);
  // The 25 events (and the dashboard's rollups, if a minute closed).
  REQUIRE(r.out.rfind("ack py-flush committed=", 0) == 0);
  CHECK(std::stoll(r.out.substr(r.out.find('=') + 1)) >= 25);
  CHECK(rows_with_prefix(fx, "py-") == 25);
  CHECK(fx.query("SELECT count(*) FROM regime_tracking WHERE "
                 "regime_probabilities = "
                 "'{\"BEAR_TREND\":0.2,\"BULL_TREND\":0.6,\"SIDEWAYS\":0.2}'")
        == 25);
}

TEST_CASE("argusd --demo: the drifting model's alert escalates to critical "
          "and it asks to be retrained, with evidence - argusctl shows it") {
  daemon_fixture fx;
  auto p
    = fx.start({"--demo", "--demo-rate", "100", "--demo-drift-after", "2"});
  // The drift builds up over 20 s; the checks run every 2 s in the demo.
  auto deadline = std::chrono::steady_clock::now() + 90s;
  bool retrained = false;
  while (!retrained && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1s);
    retrained = fx.query("SELECT count(*) FROM retrain_requests") > 0;
  }
  REQUIRE(retrained);
  p->signal(SIGTERM);
  REQUIRE(p->wait(30s) == 0);
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ARGUSCTL_PATH);
    return test::run(std::move(args));
  };
  auto drift = ctl({"drift", "--db", fx.db, "--model", "lstm", "-o", "json"});
  REQUIRE(drift.code == 0);
  auto alerts = nlohmann::json::parse(drift.out);
  bool critical = false;
  for (const auto& a : alerts)
    critical |= a["severity"] == "critical" && a["change"] != "resolved";
  CHECK(critical);
  // The stable model's features never drift.
  auto stable = ctl({"drift", "--db", fx.db, "--model", "gradient_boost",
                     "--severity", "low", "-o", "json"});
  REQUIRE(stable.code == 0);
  for (const auto& a : nlohmann::json::parse(stable.out))
    CHECK(a["method"].get<std::string>().find("psi") == std::string::npos);
  // The request names the feature that moved.
  SQLite::Database db{fx.db, SQLite::OPEN_READONLY};
  auto evidence = nlohmann::json::parse(
    db.execAndGet("SELECT evidence FROM retrain_requests WHERE model_id = "
                  "'lstm' LIMIT 1")
      .getString());
  bool volatility = false;
  for (const auto& f : evidence["features"])
    volatility |= f["feature"] == "volatility";
  CHECK(volatility);
  auto models = ctl({"models", "--db", fx.db, "-o", "json"});
  REQUIRE(models.code == 0);
  auto mj = nlohmann::json::parse(models.out);
  // The two models and the ensemble's own predictions.
  REQUIRE(mj.size() == 3);
  for (const auto& m : mj)
    CHECK(m["retrain_requests"].get<int>()
          == (m["model_id"] == "lstm" ? 1 : 0));
  auto model = ctl({"model", "lstm", "--db", fx.db, "--history"});
  REQUIRE(model.code == 0);
  CHECK(model.out.find("volatility") != std::string::npos);
  CHECK(model.out.find("PERFORMANCE") != std::string::npos);
  CHECK(ctl({"drift", "--db", fx.db, "--severity", "huge"}).code == 2);
  // --limit cuts the list, and says so on standard error only.
  REQUIRE(alerts.size() >= 2);
  auto one = ctl(
    {"drift", "--db", fx.db, "--model", "lstm", "--limit", "1", "-o", "json"});
  REQUIRE(one.code == 0);
  CHECK(nlohmann::json::parse(one.out).size() == 1);
  CHECK(one.err.find("showing the first 1; --limit N for more")
        != std::string::npos);
  CHECK(drift.err.empty());
  CHECK(ctl({"drift", "--db", fx.db, "--limit", "0"}).code == 2);
}

TEST_CASE("argusd --demo: argusctl tracking shows the regimes' transition "
          "matrix and durations, the ensemble, the features and a full "
          "decision path that leads to its trace") {
  daemon_fixture fx;
  // Regimes of 1 to 3 s, so a short run sees many transitions; the lstm
  // drifts from 2 s on.
  auto p = fx.start({"--demo", "--demo-rate", "100", "--demo-drift-after", "2",
                     "--demo-regime-length", "2"});
  // Until the lstm leans on its drifting volatility input more than on
  // momentum (as the ML monitor's importance check saw it), and every
  // regime came round.
  auto deadline = std::chrono::steady_clock::now() + 90s;
  bool ready = false;
  while (!ready && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1s);
    ready = fx.query("SELECT count(*) FROM model_behavior_tracking WHERE "
                     "model_id = 'lstm' AND drift_scores IS NOT NULL AND "
                     "json_extract(feature_importance, '$.volatility') > "
                     "json_extract(feature_importance, '$.momentum') + 0.1")
              > 0
            && fx.query("SELECT count(DISTINCT regime_type) FROM "
                        "regime_tracking")
                 == 3;
  }
  REQUIRE(ready);
  // Past one more regime change at least.
  std::this_thread::sleep_for(3s);
  p->signal(SIGTERM);
  REQUIRE(p->wait(30s) == 0);
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ARGUSCTL_PATH);
    return test::run(std::move(args));
  };
  // Regimes: bull -> sideways -> bear -> bull, in that order only.
  auto regimes = ctl({"tracking", "regimes", "--db", fx.db, "-o", "json"});
  REQUIRE_MESSAGE(regimes.code == 0, regimes.err);
  auto rj = nlohmann::json::parse(regimes.out);
  REQUIRE(rj["transitions"].size() >= 3);
  CHECK(rj["transition_matrix"]["BULL_TREND"]["SIDEWAYS"] == 1.0);
  CHECK(rj["transition_matrix"]["SIDEWAYS"]["BEAR_TREND"] == 1.0);
  for (const auto& [regime, mean] : rj["mean_duration_s"].items()) {
    // Completed runs last 1 to 3 s (a run's end is the next one's first
    // observation, 10 ms later at most).
    CHECK(mean.get<double>() >= 0.9);
    CHECK(mean.get<double>() <= 3.1);
  }
  auto regime_table = ctl({"tracking", "regimes", "--db", fx.db});
  CHECK(regime_table.out.find("TRANSITION MATRIX") != std::string::npos);
  CHECK(regime_table.out.find("MEDIAN_S") != std::string::npos);
  // Ensembles: three members, the meta-learner overriding about one
  // decision in ten, outcomes from the fills' PnL.
  auto ens = ctl({"tracking", "ensembles", "--db", fx.db, "--id", "ensemble_1",
                  "-o", "json"});
  REQUIRE_MESSAGE(ens.code == 0, ens.err);
  auto ej = nlohmann::json::parse(ens.out)["ensemble_1"];
  CHECK(ej["agreement_with_final"].size() == 3);
  CHECK(ej["override_rate"].get<double>() > 0.02);
  CHECK(ej["override_rate"].get<double>() < 0.25);
  CHECK(ej["with_outcome"].get<int>() > 0);
  CHECK(ej["weight_trajectory"]["lstm"].size() > 1);
  // Features: as the lstm's volatility input drifts, it leans on it more.
  auto features = ctl({"tracking", "features", "--db", fx.db, "--model", "lstm",
                       "--top", "1", "-o", "json"});
  REQUIRE_MESSAGE(features.code == 0, features.err);
  auto fj = nlohmann::json::parse(features.out);
  REQUIRE(fj["models"]["lstm"].size() == 1);
  CHECK(fj["models"]["lstm"][0]["feature"] == "volatility");
  CHECK(fj["models"]["lstm"][0]["drift"].is_number());
  // A decision path, analyst to exchange, leads to the trace of the same id.
  std::string cid;
  {
    SQLite::Database rdb{fx.db, SQLite::OPEN_READONLY};
    cid = rdb
            .execAndGet("SELECT correlation_id FROM decision_steps ORDER BY "
                        "id DESC LIMIT 1")
            .getString();
  }
  auto path = ctl({"tracking", "decisions", cid, "--db", fx.db, "-o", "json"});
  REQUIRE_MESSAGE(path.code == 0, path.err);
  auto pj = nlohmann::json::parse(path.out);
  REQUIRE(pj["steps"].size() == 5);
  CHECK(pj["steps"][0]["component"] == "analyst");
  CHECK(pj["steps"][4]["component"] == "exchange");
  for (const auto& step : pj["steps"]) {
    CHECK(!step["decided_by"].get<std::string>().empty());
    CHECK(!step["inputs"].empty());
    CHECK(!step["outputs"].empty());
    CHECK(step["end_ns"].get<int64_t>() > step["start_ns"].get<int64_t>());
  }
  CHECK(pj["trace"]["spans"] == 6);
  auto trace = ctl({"trace", cid, "--db", fx.db});
  REQUIRE(trace.code == 0);
  CHECK(trace.out.find("6 spans") != std::string::npos);
  // And back from the trace to its decision path.
  CHECK(
    trace.out.find("DECISION PATH  5 steps: argusctl tracking decisions " + cid)
    != std::string::npos);
  auto trace_json = ctl({"trace", cid, "--db", fx.db, "-o", "json"});
  REQUIRE(trace_json.code == 0);
  CHECK(nlohmann::json::parse(trace_json.out)["decision_path"]["steps"] == 5);
  auto path_table = ctl({"tracking", "decisions", cid, "--db", fx.db});
  CHECK(path_table.out.find("argusctl trace " + cid) != std::string::npos);
}

TEST_CASE("argusctl --server asks a running argusd and prints what reading "
          "its database prints, byte for byte") {
  daemon_fixture fx;
  const std::string viewer = "viewer-token-for-argusctl-01";
  const std::string admin = "admin-token-for-argusctl-0001";
  auto config
    = fx.dir.write("server.yaml", "monitoring:\n"
                                  "  storage:\n"
                                  "    path: "
                                    + fx.db
                                    + "\n"
                                      "    batch_interval: 50ms\n"
                                      "  gateway:\n"
                                      "    enabled: true\n"
                                      "    port: 0\n"
                                      "    tokens:\n"
                                      "      grafana: {role: viewer, token: \""
                                    + viewer
                                    + "\"}\n"
                                      "      me: {role: admin, token: \""
                                    + admin + "\"}\n");
  auto start = [&](std::vector<std::string> extra, std::string& url) {
    std::vector<std::string> argv{ARGUSD_PATH, "--config", config};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<test::child_process>(argv);
    auto ready = p->wait_for_line("argusd ready", 30s);
    REQUIRE_MESSAGE(ready, p->drain_stderr());
    auto at = ready->find("url=");
    REQUIRE(at != std::string::npos);
    url = ready->substr(at + 4, ready->find_first_of(" \n", at) - at - 4);
    return p;
  };
  std::string url;
  // A database with a demo's regimes, models and traces, then an argusd
  // that only serves it (the demo's tables stay as they are).
  {
    auto demo = start(
      {"--demo", "--demo-rate", "100", "--demo-regime-length", "1"}, url);
    REQUIRE(demo->wait_for_line("demo requests=", 30s));
    demo->signal(SIGTERM);
    REQUIRE(demo->wait(30s) == 0);
  }
  auto p = start({}, url);
  auto ctl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), ARGUSCTL_PATH);
    return test::run(std::move(args));
  };
  auto slowest = ctl({"traces", "--slowest", "1", "--db", fx.db, "-o", "json"});
  REQUIRE(slowest.code == 0);
  auto cid = nlohmann::json::parse(slowest.out)[0]["correlation_id"]
               .get<std::string>();
  auto out_local = fx.dir.file("local.msgpack");
  auto out_remote = fx.dir.file("remote.msgpack");
  for (std::vector<std::string> command :
       {std::vector<std::string>{"tracking", "regimes"},
        {"tracking", "regimes", "-o", "json"},
        {"tracking", "ensembles", "-o", "yaml"},
        {"models", "-o", "json"},
        {"trace", cid},
        {"export", cid, "--format", "otlp"},
        {"tracking", "features", "--since", "all"},
        {"tracking", "decisions", cid}}) {
    auto local = command;
    local.insert(local.end(), {"--db", fx.db});
    auto remote = command;
    remote.insert(remote.end(), {"--server", url, "--token", viewer});
    auto a = ctl(local);
    auto b = ctl(remote);
    CAPTURE(command);
    INFO(b.err);
    CHECK(b.code == a.code);
    CHECK(b.out == a.out);
    CHECK(b.err == a.err);
    CHECK_FALSE(a.out.empty());
  }
  // Binary output (msgpack) arrives intact, written where --out says.
  REQUIRE(ctl({"export", cid, "--format", "msgpack", "--db", fx.db, "--out",
               out_local})
            .code
          == 0);
  REQUIRE(ctl({"export", cid, "--format", "msgpack", "--out", out_remote,
               "--server", url, "--token", viewer})
            .code
          == 0);
  CHECK(test::read_file(out_remote) == test::read_file(out_local));
  CHECK(test::read_file(out_local).size() > 100);
  // A failing command fails the same way (unknown id: exit 1, same words).
  auto missing_local = ctl({"trace", "no-such-request", "--db", fx.db});
  auto missing_remote
    = ctl({"trace", "no-such-request", "--server", url, "--token", viewer});
  CHECK(missing_remote.code == missing_local.code);
  CHECK(missing_remote.code != 0);
  CHECK(missing_remote.err == missing_local.err);
  // From the environment, as a user sets it once.
  auto env
    = test::run({"/usr/bin/env", "ARGUS_SERVER=" + url, "ARGUS_TOKEN=" + viewer,
                 ARGUSCTL_PATH, "models", "-o", "json"});
  CHECK(env.code == 0);
  CHECK(env.out == ctl({"models", "-o", "json", "--db", fx.db}).out);
  // The audit trail needs the admin role there.
  auto denied = ctl({"audit", "verify", "--server", url, "--token", viewer});
  CHECK(denied.code == 1);
  CHECK(denied.err.find("403") != std::string::npos);
  CHECK(denied.err.find("needs the admin role") != std::string::npos);
  auto verified = ctl({"audit", "verify", "--server", url, "--token", admin});
  CHECK(verified.code == 0);
  CHECK(verified.out.find("chain intact") != std::string::npos);
  // No token, a wrong one, no server: said, exit codes 2, 1, 1.
  auto no_token = ctl({"models", "--server", url});
  CHECK(no_token.code == 2);
  CHECK(no_token.err.find("needs a token") != std::string::npos);
  auto wrong
    = ctl({"models", "--server", url, "--token", "not-the-token-at-all-000"});
  CHECK(wrong.code == 1);
  CHECK(wrong.err.find("401") != std::string::npos);
  auto nobody
    = ctl({"models", "--server", "http://127.0.0.1:1", "--token", viewer});
  CHECK(nobody.code == 1);
  CHECK(nobody.err.find("cannot ask http://127.0.0.1:1") != std::string::npos);
  // Commands on local files run here even with a server.
  auto check = ctl({"check-config", config, "--server", url});
  CHECK(check.code == 0);
  CHECK(check.out == "ok\n");
  p->signal(SIGTERM);
  CHECK(p->wait(30s) == 0);
}
