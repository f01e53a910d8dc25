#include "actors/tracker.hpp"

#include "storage/schema.hpp"

#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
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
  CHECK(st.ensembles.back().meta_learner_prediction.empty());
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
  CHECK(st.regimes.front().time_ns == 15); // oldest went first
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
