#include "storage/readers/tracking.hpp"

#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include "tests/messages/samples.hpp"
#include "tests/support/database.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t second = 1'000'000'000;
constexpr int64_t t0 = 1'700'000'000 * second;

template <class T>
T at(T x, const char* corr, int64_t time_ns) {
  x.hdr.corr = *correlation_id::parse(corr);
  x.time_ns = time_ns;
  return x;
}

} // namespace

TEST_CASE("regimes reads the regime observations since a time, in order") {
  test::database_fixture fx;
  auto bull = test::sample_regime_recorded();
  auto bear = bull;
  bear.regime_type = "BEAR_TREND";
  fx.write({to_row(at(bear, "r2", t0 + 2 * second)),
            to_row(at(bull, "r1", t0 + second)),
            to_row(at(bull, "r0", t0 - second))});
  auto rs = regimes(*fx.reader(), t0);
  REQUIRE(rs);
  CHECK(*rs
        == std::vector<std::pair<int64_t, std::string>>{
          {t0 + second, "BULL_TREND"}, {t0 + 2 * second, "BEAR_TREND"}});
}

TEST_CASE("ensembles reads the decisions of one ensemble with the realised "
          "PnL of the fills under their correlation ids") {
  test::database_fixture fx;
  auto e = test::sample_ensemble_recorded();
  auto other = e;
  other.ensemble_id = "ensemble_2";
  auto fill = test::sample_trade_executed();
  fill.hdr.corr = *correlation_id::parse("d1");
  auto second_fill = fill;
  second_fill.realized_pnl = 20;
  fx.write({to_row(at(e, "d1", t0)), to_row(at(e, "d2", t0 + second)),
            to_row(at(other, "d3", t0)), to_row(fill), to_row(second_fill)});
  auto r = fx.reader();
  auto decisions = ensembles(*r, "ensemble_1", 0);
  REQUIRE(decisions);
  REQUIRE(decisions->size() == 2);
  const auto& d1 = (*decisions)[0];
  CHECK(d1.correlation_id == "d1");
  CHECK(d1.time_ns == t0);
  CHECK(d1.final_prediction == "buy");
  CHECK(d1.meta_learner_prediction == "hold");
  CHECK(d1.predictions.at("model_1") == 0.8);
  CHECK(d1.weights.at("model_2") == 0.4);
  CHECK(d1.realized_pnl == fill.realized_pnl + 20);
  CHECK((*decisions)[1].realized_pnl == 0);
  auto j = to_json(d1);
  CHECK(j["final"] == "buy");
  CHECK(j["predictions"]["model_1"] == 0.8);
  CHECK(ensembles(*r, "", 0)->size() == 3);
  CHECK(ensembles(*r, "", t0 + second / 2)->size() == 1);
}

TEST_CASE("ensembles keeps the members' numeric predictions and weights, "
          "skips other values, and reads text that is not an object as "
          "none") {
  test::database_fixture fx;
  {
    SQLite::Database db{fx.path, SQLite::OPEN_READWRITE};
    db.exec("INSERT INTO ensemble_tracking (ensemble_id, timestamp, "
            "individual_predictions, ensemble_weights) VALUES "
            "('e', '2024-01-01 00:00:00.000000', "
            "'{\"a\": 0.25, \"b\": \"high\", \"c\": {\"d\": 1}, \"e\": 3, "
            "\"f\": [4, 5], \"g\": -1e-3}', '[0.5, 0.5]'), "
            "('e', '2024-01-01 00:00:01.000000', '{\"a\": 1, \"b\": ', "
            "'not json'), "
            "('e', '2024-01-01 00:00:02.000000', NULL, '{}')");
  }
  auto r = fx.reader();
  auto xs = ensembles(*r, "e", 0);
  REQUIRE(xs);
  REQUIRE(xs->size() == 3);
  CHECK((*xs)[0].predictions
        == std::map<std::string, double>{{"a", 0.25}, {"e", 3}, {"g", -1e-3}});
  CHECK((*xs)[0].weights.empty());
  // Cut off mid-way: nothing of it, not the part before the cut.
  CHECK((*xs)[1].predictions.empty());
  CHECK((*xs)[1].weights.empty());
  CHECK((*xs)[2].predictions.empty());
  CHECK((*xs)[2].weights.empty());
}

TEST_CASE("feature_scores reads importances and drift scores, skipping rows "
          "with neither") {
  test::database_fixture fx;
  auto b = test::sample_model_behavior_recorded();
  // A row of the spec's table that holds neither (written by hand).
  db_row neither{table_id::model_behavior_tracking,
                 correlation_id{},
                 {db_value::of("ensemble_1"),
                  db_value::of(sql_datetime(t0 + second)), db_value::of("{}"),
                  db_value::null(), db_value::null(), db_value::null(),
                  db_value::null()}};
  fx.write({to_row(at(b, "b1", t0)), neither});
  auto scores = storage::feature_scores(*fx.reader(), "ensemble_1", 0);
  REQUIRE(scores);
  REQUIRE(scores->size() == 1);
  CHECK((*scores)[0]["importance"]["rsi"] == 0.4);
  CHECK((*scores)[0]["drift_scores"]["rsi"] == 0.02);
  CHECK(storage::feature_scores(*fx.reader(), "other", 0)->empty());
}

TEST_CASE("decision_path reads one request's steps in order") {
  test::database_fixture fx;
  auto step = test::sample_decision_step_recorded();
  auto first = step;
  first.step = 1;
  first.name = "signal";
  fx.write({to_row(step), to_row(first)});
  auto path = decision_path(*fx.reader(), step.hdr.corr.str());
  REQUIRE(path);
  REQUIRE(path->size() == 2);
  CHECK((*path)[0]["step"] == 1);
  CHECK((*path)[0]["name"] == "signal");
  CHECK((*path)[1]["decided_by"] == "kelly_fraction");
  CHECK((*path)[1]["inputs"]["signal"] == "buy");
  CHECK((*path)[1]["outputs"]["quantity"] == "0.25");
  CHECK(decision_path(*fx.reader(), "nobody")->empty());
}
