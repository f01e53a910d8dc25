#include "actors/ml_monitor/ml_monitor.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "tests/support/engine_fixture.hpp"
#include "tests/support/eventually.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using test::eventually;
using namespace std::chrono_literals;

namespace {} // namespace

TEST_CASE("ML monitor in a running engine: a drifting feature raises a "
          "critical alert and a retraining request with its evidence - "
          "labels joined by correlation id give performance history") {
  test::engine_fixture fx;
  auto& ml = fx.cfg.ml_monitor;
  ml.drift_check_interval = 300ms;
  ml.performance_check_interval = 300ms;
  ml.feature_analysis_interval = 300ms;
  ml.reference_window = 300;
  ml.current_window = 200;
  ml.performance_window = 200;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  std::mutex mtx;
  std::vector<drift_alert> alerts;
  std::vector<retrain_requested> retrains;
  REQUIRE(!eng.on_ml_events(
    [&](const drift_alert& a) {
      std::lock_guard<std::mutex> guard{mtx};
      alerts.push_back(a);
    },
    [&](const retrain_requested& r) {
      std::lock_guard<std::mutex> guard{mtx};
      retrains.push_back(r);
    }));
  auto& c = eng.client();
  model_ref model{"gradient_boost", "v3"};
  model_lifecycle_changed deployed;
  deployed.model = model;
  deployed.stage = model_stage::deployed;
  c.record(deployed);
  std::mt19937_64 rng{8};
  std::normal_distribution<double> normal{0, 1};
  auto observe = [&](int n, double shift) {
    for (int i = 0; i < n; ++i) {
      features_observed x;
      x.model = model;
      x.numeric = {{"momentum", normal(rng)}, {"spread", normal(rng) + shift}};
      x.categorical = {{"regime", i % 2 ? "bull" : "bear"}};
      c.record(x);
      // A prediction and, later, its label with the same correlation id.
      prediction_made p;
      p.hdr.corr = c.new_correlation_id();
      p.model = model;
      p.label = "buy";
      p.confidence = 0.8;
      label_observed l;
      l.hdr.corr = p.hdr.corr;
      l.model = model;
      l.label = (shift == 0 ? i % 10 != 0 : i % 2 != 0) ? "buy" : "sell";
      c.record(p);
      c.record(l);
    }
  };
  feature_importance_reported imp;
  imp.model = model;
  imp.importance = {{"momentum", 0.3}, {"spread", 0.7}};
  c.record(imp);
  observe(300, 0.0); // the reference
  observe(200, 2.0); // "spread" moves by two standard deviations
  REQUIRE(eng.flush());
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> guard{mtx};
    return !retrains.empty();
  }));
  {
    std::lock_guard<std::mutex> guard{mtx};
    auto evidence = nlohmann::json::parse(retrains.front().reason);
    CHECK(retrains.front().model.model_id == "gradient_boost");
    CHECK((retrains.front().trigger == "critical_drift"
           || retrains.front().trigger == "performance_degradation"));
    bool spread = false;
    for (const auto& f : evidence["features"])
      spread |= f["feature"] == "spread" && f["severity"] == "critical";
    CHECK(spread);
  }
  auto critical = eng.get_drift_alerts(severity::critical);
  REQUIRE(critical);
  bool spread_alert = false;
  for (const auto& a : *critical) {
    CHECK(a.level == severity::critical);
    spread_alert |= a.feature == "spread";
  }
  CHECK(spread_alert);
  auto history = eng.get_model_performance_history("gradient_boost", 10);
  REQUIRE(history);
  auto h = nlohmann::json::parse(*history);
  REQUIRE(!h.empty());
  CHECK(h.back()["metrics"]["samples"].get<int>() == 200);
  auto st = eng.status();
  REQUIRE(st);
  for (const auto& comp : st->components)
    if (comp.id == "ml_monitor") {
      CHECK(comp.counters.at("labels_joined") == 500);
      CHECK(comp.counters.at("labels_unmatched") == 0);
    }
  // The tracker gets each check's importances and drift scores: "spread"
  // ranks first and carries its drift score.
  tracking_query fq;
  fq.kind = tracking_view_kind::features;
  fq.id = "gradient_boost";
  auto spread_tracked = [&] {
    auto v = eng.tracking(fq);
    REQUIRE(v);
    auto body = nlohmann::json::parse(v->body);
    const auto& fs = body["models"]["gradient_boost"];
    // "regime" (categorical) has a drift score but no importance: unranked,
    // last.
    return fs.size() == 3 && fs[0]["feature"] == "spread" && fs[0]["rank"] == 1
           && fs[1]["feature"] == "momentum" && fs[1]["rank"] == 2
           && fs[2]["feature"] == "regime" && fs[2]["rank"] == 0
           && fs[0]["drift"].is_number() && fs[2]["drift"].is_number();
  };
  CHECK(eventually(spread_tracked));
  // Another importance check after that drift check writes the drift
  // scores beside the importances in model_behavior_tracking.
  auto snapshots = [&] {
    auto s = eng.status();
    REQUIRE(s);
    for (const auto& comp : s->components)
      if (comp.id == "tracker")
        return comp.counters.at("feature_snapshots");
    return uint64_t{0};
  };
  auto seen = snapshots();
  CHECK(eventually([&] {
    return snapshots() >= seen + 2;
  }));
  REQUIRE(!eng.stop());
  {
    SQLite::Database db{fx.cfg.storage.path, SQLite::OPEN_READONLY};
    auto drift
      = db.execAndGet("SELECT drift_scores FROM model_behavior_tracking WHERE "
                      "drift_scores IS NOT NULL ORDER BY id DESC LIMIT 1")
          .getString();
    auto scores = nlohmann::json::parse(drift);
    CHECK(scores["spread"].get<double>() > scores["momentum"].get<double>());
  }
  CHECK(fx.rows("drift_results") > 0);
  CHECK(fx.rows("drift_alerts") > 0);
  CHECK(fx.rows("retrain_requests") >= 1);
  CHECK(fx.rows("model_performance") > 0);
  CHECK(fx.rows("model_behavior_tracking") > 0);
}

TEST_CASE("ml_monitor_state joins labels by model and correlation id, counts "
          "the unmatched, and stays bounded while a prediction never gets "
          "its label") {
  ml_monitor_state st;
  config::ml_monitor_config cfg;
  cfg.max_pending_labels = 100;
  st.init(cfg, 0);
  model_ref a{"a", "v1"};
  model_ref b{"b", "v1"};
  ml_batch first;
  prediction_made orphan;
  orphan.hdr.corr = *correlation_id::parse("orphan");
  orphan.model = a;
  orphan.label = "buy";
  first.predictions.push_back(orphan);
  st.take(first);
  for (int round = 0; round < 50; ++round) {
    ml_batch batch;
    for (int i = 0; i < 200; ++i) {
      auto corr = *correlation_id::parse("r" + std::to_string(round) + "x"
                                         + std::to_string(i));
      // Two models predict for the same request; each label names its
      // model.
      for (const auto& m : {a, b}) {
        prediction_made p;
        p.hdr.corr = corr;
        p.model = m;
        p.label = "buy";
        batch.predictions.push_back(p);
        label_observed l;
        l.hdr.corr = corr;
        l.model = m;
        l.label = "sell";
        batch.labels.push_back(l);
      }
    }
    st.take(batch);
  }
  CHECK(st.labels_joined == 2 * 50 * 200);
  CHECK(st.pending.size() == 1); // the orphan
  CHECK(st.pending_order.size() < 2000);
  ml_batch stray;
  label_observed l;
  l.hdr.corr = *correlation_id::parse("never-predicted");
  l.model = a;
  stray.labels.push_back(l);
  st.take(stray);
  CHECK(st.labels_unmatched == 1);
  // Bounded: beyond max_pending_labels the oldest wait is dropped.
  ml_batch flood;
  for (int i = 0; i < 150; ++i) {
    prediction_made p;
    p.hdr.corr = *correlation_id::parse("f" + std::to_string(i));
    p.model = a;
    flood.predictions.push_back(p);
  }
  st.take(flood);
  CHECK(st.pending.size() == 100);
  CHECK(st.pending_dropped == 51);
  CHECK(!st.pending.count("a@v1|orphan"));
}
