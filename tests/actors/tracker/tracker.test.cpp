#include "actors/tracker/tracker.hpp"

#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include <mutex>

#include "tests/messages/samples.hpp"
#include "tests/support/engine_fixture.hpp"
#include "tests/support/eventually.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

namespace {

tracker_state make(config::tracker_config cfg = {}) {
  tracker_state st;
  st.init(std::move(cfg), 0);
  return st;
}

} // namespace

TEST_CASE("tracker turns the spec's ensemble example into an "
          "ensemble_tracking row") {
  auto st = make();
  auto out = st.record(test::sample_ensemble_recorded());
  REQUIRE(out.row);
  CHECK(out.row->table == table_id::ensemble_tracking);
  CHECK(out.row->corr.view() == "req_123");
  const auto& cols = storage::info(table_id::ensemble_tracking).columns;
  REQUIRE(out.row->values.size() == cols.size());
  CHECK(out.row->values[0].text == "ensemble_1");
  CHECK(nlohmann::json::parse(out.row->values[3].text)["model_1"] == 0.8);
  CHECK(out.row->values[5].text == "buy");
  CHECK(out.row->values[6].real == 0.78);
  CHECK(st.ensembles.size() == 1);
}

TEST_CASE("tracker honours the enable flags") {
  config::tracker_config cfg;
  cfg.enable_ensemble_tracking = false;
  cfg.enable_decision_path_tracking = false;
  auto st = make(cfg);
  CHECK(!st.record(test::sample_ensemble_recorded()).row);
  CHECK(!st.record(test::sample_decision_step_recorded()).row);
  CHECK(st.record(test::sample_regime_recorded()).row);
  CHECK(st.ignored_disabled == 2);
  CHECK(st.history_size() == 1);
}

TEST_CASE("tracker links the spec tables' rows to their correlation ids "
          "only with enable_correlation_tracking") {
  CHECK(make().record(test::sample_regime_recorded()).row->corr.view()
        == "req_123");
  config::tracker_config cfg;
  cfg.enable_correlation_tracking = false;
  auto st = make(cfg);
  CHECK(st.record(test::sample_regime_recorded()).row->corr.empty());
  CHECK(st.record(test::sample_ensemble_recorded()).row->corr.empty());
  CHECK(st.record(test::sample_model_behavior_recorded()).row->corr.empty());
  // A decision step's correlation id is its path's: always kept.
  CHECK(st.record(test::sample_decision_step_recorded()).row->corr.view()
        == "req_123");
}

TEST_CASE("tracker honours the track_* flags of its sub-sections") {
  config::tracker_config cfg;
  cfg.ensemble_tracking.track_meta_learner = false;
  cfg.ensemble_tracking.track_individual_predictions = false;
  cfg.regime_tracking.track_regime_probabilities = false;
  auto st = make(cfg);
  auto e = st.record(test::sample_ensemble_recorded());
  REQUIRE(e.row);
  CHECK(e.row->values[3].text == "{}");
  CHECK(e.row->values[7].kind == db_value::kind_t::null);
  CHECK(e.row->values[8].kind == db_value::kind_t::null);
  CHECK(st.ensembles.back().get().meta_learner_prediction.empty());
  auto r = st.record(test::sample_regime_recorded());
  REQUIRE(r.row);
  CHECK(r.row->values[3].text == "{}");
  CHECK(r.row->values[4].text == R"(["price_momentum","volatility"])");
}

TEST_CASE("tracker bounds its history and counts evictions") {
  config::tracker_config cfg;
  cfg.max_tracking_history = 10;
  auto st = make(cfg);
  for (int i = 0; i < 25; ++i) {
    auto x = test::sample_regime_recorded();
    x.time_ns = i;
    st.record(x);
  }
  CHECK(st.history_size() == 10);
  CHECK(st.evicted == 15);
  CHECK(st.regimes.front().get().time_ns == 15); // oldest went first
  auto status = st.status(message_header{});
  CHECK(status.counters.at("recorded") == 25);
  auto kept_or_evicted
    = status.counters.at("history_size") + status.counters.at("evicted");
  CHECK(status.counters.at("recorded") == kept_or_evicted);
  // A flood of one kind does not evict the others.
  st.record(test::sample_ensemble_recorded());
  for (int i = 0; i < 30; ++i)
    st.record(test::sample_decision_step_recorded());
  CHECK(st.ensembles.size() == 1);
  CHECK(st.decisions.size() == 10);
  CHECK(st.regimes.size() == 10);
}

TEST_CASE("tracker knows only the ensembles whose decisions it holds, and a "
          "held decision comes back whole") {
  config::tracker_config cfg;
  cfg.max_tracking_history = 3;
  auto st = make(cfg);
  auto first = test::sample_ensemble_recorded();
  for (int i = 0; i < 100; ++i) {
    auto x = first;
    x.ensemble_id = "ensemble-" + std::to_string(i);
    x.time_ns = i;
    st.record(x);
  }
  // Ids seen once each: only the last three are still known.
  CHECK(st.known_ensembles.size() == 3);
  CHECK(st.known_ensembles.count("ensemble-99") == 1);
  CHECK(st.known_ensembles.count("ensemble-96") == 0);
  auto back = st.ensembles.back().get();
  CHECK(back.ensemble_id == "ensemble-99");
  CHECK(back.time_ns == 99);
  CHECK(back.individual_predictions == first.individual_predictions);
  CHECK(back.ensemble_weights == first.ensemble_weights);
  CHECK(back.final_prediction == first.final_prediction);
  CHECK(st.ensembles.back().time_ns() == 99);
  // Three encoded decisions, each well under a kilobyte, are what is held.
  auto held = st.status(message_header{}).counters.at("held_bytes");
  CHECK(held == st.held_bytes());
  CHECK(held > 3 * 50);
  CHECK(held < 3 * 1024);
}

namespace {

constexpr int64_t sec = 1'000'000'000;

regime_recorded regime_at(int64_t s, const char* type, const char* corr) {
  auto x = test::sample_regime_recorded();
  x.hdr.corr = *correlation_id::parse(corr);
  x.regime_type = type;
  x.regime_duration = 0; // let the tracker derive it
  x.time_ns = s * sec;
  return x;
}

nlohmann::json view(const tracker_state& st, tracking_query q, int64_t now_ns) {
  auto v = st.view(q, now_ns);
  CHECK(v.kind == q.kind);
  return nlohmann::json::parse(v.body);
}

} // namespace

TEST_CASE("tracker turns regime changes into events and derives durations") {
  auto st = make();
  st.record(regime_at(0, "BULL", "r-0"));
  auto row = st.record(regime_at(40, "BULL", "r-1")).row;
  REQUIRE(row);
  // regime_duration (the last column): 40 s of BULL so far.
  CHECK(row->values.back().integer == 40);
  CHECK(st.take_events().empty());
  st.record(regime_at(90, "SIDEWAYS", "r-2"));
  st.record(regime_at(120, "BEAR", "r-3"));
  auto events = st.take_events();
  REQUIRE(events.regime_changes.size() == 2);
  const auto& e = events.regime_changes[0];
  CHECK(e.from == "BULL");
  CHECK(e.to == "SIDEWAYS");
  CHECK(e.previous_duration_s == 90.0);
  CHECK(e.time_ns == 90 * sec);
  CHECK(e.hdr.corr.view() == "r-2");
  CHECK(e.confidence == 0.85);
  CHECK(events.regime_changes[1].previous_duration_s == 30.0);
  CHECK(st.take_events().empty()); // taken once
  CHECK(st.transitions == 2);
  // The view: current regime, matrix, latest state, history in range.
  tracking_query q;
  q.kind = tracking_view_kind::regimes;
  auto v = view(st, q, 150 * sec);
  CHECK(v["current"] == "BEAR");
  CHECK(v["current_duration_s"] == 30.0);
  CHECK(v["observations"] == 4);
  CHECK(v["transition_matrix"]["BULL"]["SIDEWAYS"] == 1.0);
  CHECK(v["latest"]["correlation_id"] == "r-3");
  CHECK(v["latest"]["regime_probabilities"]["BULL_TREND"] == 0.6);
  CHECK(v["history"].size() == 4);
  q.since_ns = 40 * sec;
  q.until_ns = 100 * sec;
  q.limit = 1;
  v = view(st, q, 150 * sec);
  CHECK(v["observations"] == 2);
  REQUIRE(v["history"].size() == 1);
  CHECK(v["history"][0]["regime_type"] == "SIDEWAYS");
  // Until 100 s: SIDEWAYS has lasted 10 s.
  CHECK(v["current_duration_s"] == 10.0);
}

TEST_CASE("tracker keeps transitions as events when durations are off") {
  config::tracker_config cfg;
  cfg.regime_tracking.track_regime_duration = false;
  auto st = make(cfg);
  st.record(regime_at(0, "BULL", "r-0"));
  auto row = st.record(regime_at(10, "BEAR", "r-1")).row;
  REQUIRE(row);
  CHECK(row->values.back().integer == 0);
  CHECK(st.take_events().regime_changes.size() == 1);
}

TEST_CASE("tracker joins outcomes to ensemble decisions by correlation id") {
  auto st = make();
  auto decision = [&](const char* corr, const char* final, int64_t t) {
    auto x = test::sample_ensemble_recorded();
    x.hdr.corr = *correlation_id::parse(corr);
    x.final_prediction = final;
    x.time_ns = t;
    st.record(x);
  };
  auto outcome = [&](const char* corr, ensemble_outcome o) {
    o.hdr.corr = *correlation_id::parse(corr);
    st.record(o);
  };
  // A fill's PnL arrives after its decision; two fills add up.
  decision("d-1", "buy", 1);
  outcome("d-1", {{}, "", false, "", 0.0, 5.0, 2});
  outcome("d-1", {{}, "", false, "", 0.0, -8.0, 3});
  // A label for the ensemble's id arrives before its decision.
  outcome("d-2", {{}, "ensemble_1", true, "sell", 0.0, 0.0, 4});
  decision("d-2", "sell", 5);
  // A numeric label is thresholded like the members' scores.
  decision("d-3", "buy", 6);
  outcome("d-3", {{}, "ensemble_1", true, "", 0.9, 0.0, 7});
  // A label for a model that is no ensemble is not an outcome.
  decision("d-4", "buy", 8);
  outcome("d-4", {{}, "lstm", true, "sell", 0.0, 0.0, 9});
  tracking_query q;
  q.kind = tracking_view_kind::ensembles;
  auto v = view(st, q, 10);
  const auto& e = v["ensembles"]["ensemble_1"];
  REQUIRE(e["history"].size() == 4);
  CHECK(e["history"][0]["outcome"] == "sell"); // a buy that lost 3
  CHECK(e["history"][1]["outcome"] == "sell");
  CHECK(e["history"][2]["outcome"] == "buy");
  CHECK(e["history"][3]["outcome"].is_null());
  CHECK(e["latest"]["correlation_id"] == "d-4");
  const auto& s = e["stats"];
  CHECK(s["decisions"] == 4);
  CHECK(s["with_outcome"] == 3);
  CHECK(s["final_hit_rate"].get<double>() == doctest::Approx(2.0 / 3.0));
  // model_1 scores 0.8 (buy) every time: right on d-3 only.
  CHECK(s["agreement_with_outcome"]["model_1"].get<double>()
        == doctest::Approx(1.0 / 3.0));
  CHECK(s["weight_trajectory"]["model_1"].size() == 1);
  q.id = "other";
  CHECK(view(st, q, 10)["ensembles"].empty());
}

TEST_CASE("tracker bounds the outcomes it holds") {
  config::tracker_config cfg;
  cfg.max_tracking_history = 3;
  auto st = make(cfg);
  for (int i = 0; i < 5; ++i) {
    ensemble_outcome o;
    o.hdr.corr = *correlation_id::parse("o-" + std::to_string(i));
    o.realized_pnl = 1;
    st.record(o);
  }
  CHECK(st.outcomes.size() == 3);
  CHECK(!st.outcomes.count("o-0"));
  CHECK(st.outcomes.count("o-4"));
}

TEST_CASE("tracker decision views: one path with its trace link, and the "
          "latest paths") {
  auto st = make();
  auto step = [&](const char* corr, uint32_t n, component_type c,
                  const char* by, int64_t start) {
    auto x = test::sample_decision_step_recorded();
    x.hdr.corr = *correlation_id::parse(corr);
    x.step = n;
    x.component = c;
    x.decided_by = by;
    x.start_ns = start;
    x.end_ns = start + 1'000'000;
    st.record(x);
  };
  // Out of order on purpose: the path is ordered by step.
  step("p-1", 2, component_type::strategist, "momentum_rule", 20'000'000);
  step("p-1", 1, component_type::analyst, "lstm", 10'000'000);
  step("p-1", 3, component_type::exchange, "binance", 30'000'000);
  step("p-2", 1, component_type::analyst, "lstm", 40'000'000);
  tracking_query q;
  q.kind = tracking_view_kind::decisions;
  q.id = "p-1";
  auto v = view(st, q, 0);
  REQUIRE(v["steps"].size() == 3);
  CHECK(v["steps"][0]["component"] == "analyst");
  CHECK(v["steps"][1]["decided_by"] == "momentum_rule");
  CHECK(v["steps"][2]["component"] == "exchange");
  CHECK(v["trace"]["api"] == "/api/tracing/correlation/p-1");
  CHECK(v["trace"]["argusctl"] == "argusctl trace p-1");
  for (const char* other : {"p-3", "not an id"}) {
    q.id = other;
    CHECK(view(st, q, 0)["steps"].empty());
  }
  q.id.clear();
  v = view(st, q, 0);
  REQUIRE(v["paths"].size() == 2);
  CHECK(v["paths"][0]["correlation_id"] == "p-1");
  CHECK(v["paths"][0]["steps"] == 3);
  CHECK(v["paths"][0]["from"] == "analyst");
  CHECK(v["paths"][0]["to"] == "exchange");
  CHECK(v["paths"][0]["decided_by"] == "binance");
  CHECK(v["paths"][0]["duration_ms"] == 21.0);
  q.limit = 1;
  v = view(st, q, 0);
  REQUIRE(v["paths"].size() == 1);
  CHECK(v["paths"][0]["correlation_id"] == "p-2");
  CHECK(v["total_paths"] == 2);
}

TEST_CASE("tracker tracks features from model behaviour and the ML "
          "monitor's scores, with rank changes as events") {
  auto st = make();
  auto behavior = test::sample_model_behavior_recorded();
  behavior.model_id = "lstm";
  behavior.feature_importance = {{"rsi", 0.6}, {"vol", 0.4}};
  behavior.drift_scores = {{"vol", 0.05}};
  REQUIRE(st.record(behavior).row);
  CHECK(st.take_events().rank_changes.size() == 2);
  st.record(feature_scores{{}, "lstm", {{"rsi", 0.2}, {"vol", 0.7}}, {}, 2});
  auto events = st.take_events();
  REQUIRE(events.rank_changes.size() == 2);
  CHECK(events.rank_changes[0].feature == "rsi");
  CHECK(events.rank_changes[0].to_rank == 2);
  tracking_query q;
  q.kind = tracking_view_kind::features;
  q.top = 1;
  auto v = view(st, q, 0);
  REQUIRE(v["models"]["lstm"].size() == 1);
  const auto& top = v["models"]["lstm"][0];
  CHECK(top["feature"] == "vol");
  CHECK(top["rank"] == 1);
  CHECK(top["importance"] == 0.7);
  CHECK(top["drift"] == 0.05);
  CHECK(top["history"].size() == 2);
  CHECK(v["rank_changes"].size() == 4);
  // The model's latest behaviour summary, as the bot recorded it.
  CHECK(v["behavior"]["lstm"]["prediction_consistency"] == 0.85);
  CHECK(v["behavior"]["lstm"]["confidence_trend"].size() == 3);
  CHECK(v["behavior"]["lstm"]["performance_metrics"]["accuracy"] == 0.61);
  CHECK(st.dirty[static_cast<size_t>(tracking_view_kind::features)]);
}

TEST_CASE("tracker in a running engine: regime changes reach subscribers as "
          "they happen, views every update interval, and fills and labels "
          "become ensemble outcomes") {
  using namespace std::chrono_literals;
  using test::eventually;
  test::engine_fixture fx;
  fx.cfg.tracking_system.ensemble_update_interval = 100ms;
  fx.cfg.tracking_system.regime_update_interval = 100ms;
  engine eng{fx.cfg, fx.options()};
  REQUIRE(!eng.start());
  std::mutex mtx;
  std::vector<regime_changed> changes;
  std::vector<tracking_view> views;
  REQUIRE(!eng.on_tracking_events(
    [&](const regime_changed& x) {
      std::lock_guard<std::mutex> guard{mtx};
      changes.push_back(x);
    },
    {},
    [&](const tracking_view& v) {
      std::lock_guard<std::mutex> guard{mtx};
      views.push_back(v);
    }));
  auto& c = eng.client();
  // (A zero time is "now" to the client: start at 1 s.)
  c.record_regime_tracking(regime_at(1, "BULL", "g-0"));
  c.record_regime_tracking(regime_at(31, "BULL", "g-1"));
  c.record_regime_tracking(regime_at(46, "BEAR", "g-2"));
  // Two decisions: one whose fills lost money, one labelled by the bot.
  auto decision = test::sample_ensemble_recorded();
  decision.hdr.corr = *correlation_id::parse("g-10");
  decision.final_prediction = "buy";
  c.record_ensemble_tracking(decision);
  trade_executed opening;
  opening.hdr.corr = decision.hdr.corr;
  opening.symbol = "BTCUSDT";
  opening.quantity = 1;
  opening.price = 100;
  trade_executed closing = opening;
  closing.side = trade_side::sell;
  closing.price = 96;
  closing.realized_pnl = -4;
  c.record(opening);
  c.record(closing);
  decision.hdr.corr = *correlation_id::parse("g-11");
  c.record_ensemble_tracking(decision);
  label_observed label;
  label.hdr.corr = decision.hdr.corr;
  label.model.model_id = "ensemble_1";
  label.label = "buy";
  c.record(label);
  // A decision path and the trace of the same request.
  auto request = *correlation_id::parse("g-20");
  { auto span = c.span(component_type::analyst, "signal", request); }
  { auto span = c.span(component_type::exchange, "order", request); }
  for (uint32_t step = 0; step < 2; ++step) {
    decision_step_recorded d;
    d.hdr.corr = request;
    d.step = step;
    d.component
      = step == 0 ? component_type::analyst : component_type::exchange;
    d.decided_by = step == 0 ? "ensemble_1" : "venue";
    c.record_decision_step(d);
  }
  REQUIRE(eng.flush());
  REQUIRE(eventually([&] {
    std::lock_guard<std::mutex> guard{mtx};
    return !changes.empty();
  }));
  {
    std::lock_guard<std::mutex> guard{mtx};
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].from == "BULL");
    CHECK(changes[0].to == "BEAR");
    CHECK(changes[0].previous_duration_s == 45.0);
    CHECK(changes[0].hdr.corr.view() == "g-2");
  }
  // Both changed kinds are published on their intervals.
  CHECK(eventually([&] {
    std::lock_guard<std::mutex> guard{mtx};
    bool regimes = false;
    bool ensembles = false;
    for (const auto& v : views) {
      regimes |= v.kind == tracking_view_kind::regimes;
      ensembles |= v.kind == tracking_view_kind::ensembles;
    }
    return regimes && ensembles;
  }));
  tracking_query q;
  q.kind = tracking_view_kind::ensembles;
  auto v = eng.tracking(q);
  REQUIRE(v);
  auto body = nlohmann::json::parse(v->body);
  const auto& history = body["ensembles"]["ensemble_1"]["history"];
  REQUIRE(history.size() == 2);
  CHECK(history[0]["outcome"] == "sell"); // the buy lost 4
  CHECK(history[1]["outcome"] == "buy");
  CHECK(body["ensembles"]["ensemble_1"]["stats"]["final_hit_rate"] == 0.5);
  q.kind = tracking_view_kind::regimes;
  v = eng.tracking(q);
  REQUIRE(v);
  CHECK(nlohmann::json::parse(v->body)["current"] == "BEAR");
  q.kind = tracking_view_kind::decisions;
  q.id = "g-20";
  v = eng.tracking(q);
  REQUIRE(v);
  body = nlohmann::json::parse(v->body);
  CHECK(body["steps"].size() == 2);
  CHECK(body["trace"]["spans"] == 2);
  CHECK(body["trace"]["api"] == "/api/tracing/correlation/g-20");
  REQUIRE(!eng.stop());
  // The spec's tables hold the rows.
  CHECK(fx.rows("regime_tracking") == 3);
  CHECK(fx.rows("ensemble_tracking") == 2);
}
