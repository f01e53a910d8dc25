#include "actors/tracker_stats.hpp"

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
