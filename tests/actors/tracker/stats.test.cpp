#include "actors/tracker/stats.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

} // namespace

TEST_CASE("regime statistics of a scripted sequence: runs, transition "
          "matrix, durations, time shares") {
  // bull 0-100 s, sideways 100-130, bull 130-190, bear 190-250, bull 250-.
  std::vector<regime_observation> xs;
  auto at = [&](int64_t s, const char* r) {
    xs.push_back({s * sec, r});
  };
  at(0, "BULL");
  at(50, "BULL");
  at(100, "SIDEWAYS");
  at(130, "BULL");
  at(150, "BULL");
  at(190, "BEAR");
  at(250, "BULL");
  auto s = summarize_regimes(xs, 300 * sec);
  CHECK(s.current == "BULL");
  CHECK(s.current_since_ns == 250 * sec);
  CHECK(s.current_duration_ns == 50 * sec);
  REQUIRE(s.runs.size() == 5);
  REQUIRE(s.transitions.size() == 4);
  CHECK(s.transitions[0].from == "BULL");
  CHECK(s.transitions[0].to == "SIDEWAYS");
  CHECK(s.transitions[0].time_ns == 100 * sec);
  // From BULL: once to SIDEWAYS, once to BEAR.
  CHECK(s.transition_counts["BULL"]["SIDEWAYS"] == 1);
  CHECK(s.transition_matrix["BULL"]["SIDEWAYS"] == 0.5);
  CHECK(s.transition_matrix["BULL"]["BEAR"] == 0.5);
  CHECK(s.transition_matrix["SIDEWAYS"]["BULL"] == 1.0);
  CHECK(s.transition_matrix["BEAR"]["BULL"] == 1.0);
  // Completed BULL runs: 100 s and 60 s.
  CHECK(s.mean_duration_s["BULL"] == 80);
  CHECK(s.median_duration_s["BULL"] == 80);
  CHECK(s.mean_duration_s["SIDEWAYS"] == 30);
  CHECK(s.mean_duration_s["BEAR"] == 60);
  // 300 s observed: BULL 100 + 60 + 50.
  CHECK(s.time_share["BULL"] == doctest::Approx(210.0 / 300));
  CHECK(s.time_share["BEAR"] == doctest::Approx(60.0 / 300));
  CHECK(summarize_regimes({}, 1).runs.empty());
}

TEST_CASE("ensemble statistics of scripted decisions: disagreement, vote "
          "entropy, override rate, agreement, weights") {
  std::vector<ensemble_observation> xs;
  // All agree on buy; weighted vote buy; no meta-learner.
  xs.push_back({1,
                {{"a", 0.7}, {"b", 0.7}, {"c", 0.7}},
                {{"a", 0.5}, {"b", 0.3}, {"c", 0.2}},
                "buy",
                ""});
  // Split: a buy, b sell, c hold; weighted 0.5*0.8+0.3*0.2+0.2*0.5 = 0.56
  // -> buy; the meta-learner says hold: an override. Final: hold.
  xs.push_back({2,
                {{"a", 0.8}, {"b", 0.2}, {"c", 0.5}},
                {{"a", 0.5}, {"b", 0.3}, {"c", 0.2}},
                "hold",
                "hold"});
  auto s = summarize_ensembles(xs);
  CHECK(s.decisions == 2);
  // Variances: 0 and ((0.3)^2 + (0.3)^2 + 0) / 3 = 0.06; mean 0.03.
  CHECK(s.mean_disagreement == doctest::Approx(0.03));
  // Entropies: 0 and log2(3); mean log2(3) / 2.
  CHECK(s.mean_vote_entropy == doctest::Approx(std::log2(3.0) / 2));
  CHECK(s.override_rate == 0.5);
  // a: buy/buy vs final buy/hold -> 1/2; c: buy, hold -> 2/2.
  CHECK(s.agreement_with_final["a"] == 0.5);
  CHECK(s.agreement_with_final["c"] == 1.0);
  CHECK(s.agreement_with_final["b"] == 0.5);
  CHECK(s.mean_weight["a"] == 0.5);
  CHECK(s.latest_weight["c"] == 0.2);
}

TEST_CASE("what turned out right, from a decision's realised PnL") {
  CHECK(outcome_of_pnl("buy", 12.5) == "buy");
  CHECK(outcome_of_pnl("buy", -3) == "sell");
  CHECK(outcome_of_pnl("sell", -3) == "buy");
  CHECK(outcome_of_pnl("sell", 3) == "sell");
  CHECK(outcome_of_pnl("hold", 3).empty());
  CHECK(outcome_of_pnl("buy", 0).empty());
}

TEST_CASE("ensemble members' agreement with the outcome and the hit rates "
          "of the final decision, the weighted vote and the meta-learner") {
  // Two members, equal weights. Scores > 0.55 buy, < 0.45 sell.
  auto obs = [](int64_t t, double a, double b, const char* final,
                const char* meta, const char* outcome) {
    ensemble_observation x;
    x.time_ns = t;
    x.predictions = {{"a", a}, {"b", b}};
    x.weights = {{"a", 0.5}, {"b", 0.5}};
    x.final_prediction = final;
    x.meta_learner_prediction = meta;
    x.outcome = outcome;
    return x;
  };
  std::vector<ensemble_observation> xs{
    // a buy, b buy; vote buy (0.8); final buy; meta buy; right: buy.
    obs(1, 0.8, 0.8, "buy", "buy", "buy"),
    // a buy, b sell; vote hold (0.5); meta sell overrides; right: sell.
    obs(2, 0.9, 0.1, "sell", "sell", "sell"),
    // a sell, b sell; vote sell (0.2); final sell; meta buy; right: buy.
    obs(3, 0.2, 0.2, "sell", "buy", "buy"),
    // no outcome yet: not judged.
    obs(4, 0.9, 0.9, "buy", "", ""),
  };
  auto s = summarize_ensembles(xs);
  CHECK(s.with_outcome == 3);
  CHECK(s.final_hit_rate == doctest::Approx(2.0 / 3.0));
  // Weighted votes buy, hold, sell against buy, sell, buy: one right.
  CHECK(s.weighted_vote_hit_rate == doctest::Approx(1.0 / 3.0));
  CHECK(s.meta_learner_hit_rate == doctest::Approx(1.0));
  // a voted buy, buy, sell against buy, sell, buy: right once; b voted
  // buy, sell, sell: right twice.
  CHECK(s.agreement_with_outcome.at("a") == doctest::Approx(1.0 / 3.0));
  CHECK(s.agreement_with_outcome.at("b") == doctest::Approx(2.0 / 3.0));
  auto none = summarize_ensembles({obs(1, 0.8, 0.8, "buy", "", "")});
  CHECK(none.with_outcome == 0);
  CHECK(std::isnan(none.final_hit_rate));
  CHECK(none.agreement_with_outcome.empty());
}

TEST_CASE("weight trajectories keep the changes, thinned to a bound") {
  std::vector<ensemble_observation> xs;
  for (int i = 0; i < 10; ++i) {
    ensemble_observation x;
    x.time_ns = i;
    // a changes every decision; b only once, at 5.
    x.weights = {{"a", 0.1 * i}, {"b", i < 5 ? 0.5 : 0.4}};
    xs.push_back(x);
  }
  auto s = summarize_ensembles(xs, {}, 4);
  using points = std::vector<std::pair<int64_t, double>>;
  CHECK(s.weight_trajectory.at("b") == points{{0, 0.5}, {5, 0.4}});
  const auto& a = s.weight_trajectory.at("a");
  REQUIRE(a.size() <= 4);
  CHECK(a.front().first == 0);
  CHECK(a.back().first == 9); // the latest weight is always there
  CHECK(a.back().second == doctest::Approx(0.9));
  CHECK(s.latest_weight.at("a") == doctest::Approx(0.9));
  auto unbounded = summarize_ensembles(xs, {}, 100);
  CHECK(unbounded.weight_trajectory.at("a").size() == 10);
}
