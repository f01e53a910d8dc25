#include "actors/tracker/features.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

namespace {

feature_snapshot importance(int64_t t, std::map<std::string, double> xs) {
  return {"lstm", t, std::move(xs), {}};
}

} // namespace

TEST_CASE("feature ranks follow importance - a change of rank is an event") {
  feature_tracker ft{{}, 1000};
  auto first
    = ft.update(importance(1, {{"rsi", 0.5}, {"vol", 0.3}, {"mom", 0.2}}));
  // Each feature's first rank is a change from unranked (0).
  REQUIRE(first.size() == 3);
  auto ranked = ft.ranked("lstm");
  REQUIRE(ranked.size() == 3);
  CHECK(ranked[0].first == "rsi");
  CHECK(ranked[1].first == "vol");
  CHECK(ranked[2].first == "mom");
  CHECK(ranked[2].second->latest.rank == 3);
  // vol and mom swap; rsi stays first: exactly two events.
  auto second
    = ft.update(importance(2, {{"rsi", 0.5}, {"vol", 0.1}, {"mom", 0.4}}));
  REQUIRE(second.size() == 2);
  CHECK(second[0].feature == "mom");
  CHECK(second[0].from_rank == 3);
  CHECK(second[0].to_rank == 2);
  CHECK(second[0].time_ns == 2);
  CHECK(second[1].feature == "vol");
  CHECK(second[1].from_rank == 2);
  CHECK(second[1].to_rank == 3);
  CHECK(ft.models().at("lstm").at("vol").rank_changes == 2);
  // No change, no event.
  CHECK(ft.update(importance(3, {{"rsi", 0.6}, {"vol", 0.1}, {"mom", 0.3}}))
          .empty());
  // A feature no longer reported leaves the ranking.
  auto third = ft.update(importance(4, {{"rsi", 0.6}, {"mom", 0.3}}));
  REQUIRE(third.size() == 1);
  CHECK(third[0].feature == "vol");
  CHECK(third[0].to_rank == 0);
  CHECK(ft.ranked("lstm", 2).size() == 2);
  CHECK(ft.ranked("lstm").back().first == "vol"); // unranked last
  CHECK(ft.recent_changes().size() == 6);
}

TEST_CASE("an empty snapshot names no model") {
  feature_tracker ft{{}, 100};
  CHECK(ft.update({"random_forest", 1, {}, {}}).empty());
  CHECK(ft.models().empty());
  CHECK(ft.snapshots() == 0);
}

TEST_CASE("ties in importance rank by name") {
  feature_tracker ft{{}, 100};
  ft.update(importance(1, {{"b", 0.5}, {"a", 0.5}, {"c", 0.9}}));
  auto r = ft.ranked("lstm");
  CHECK(r[0].first == "c");
  CHECK(r[1].first == "a");
  CHECK(r[2].first == "b");
}

TEST_CASE("stability is one minus the coefficient of variation of the "
          "recent importances") {
  // 0.2, 0.4: mean 0.3, population sd 0.1, cv 1/3.
  CHECK(importance_stability({0.2, 0.4}) == doctest::Approx(2.0 / 3.0));
  CHECK(importance_stability({0.3, 0.3, 0.3}) == doctest::Approx(1.0));
  // A cv above one clips to zero: 0, 0, 0, 1 has mean 0.25, sd 0.433.
  CHECK(importance_stability({0, 0, 0, 1}) == 0.0);
  CHECK(std::isnan(importance_stability({0.3})));
  CHECK(std::isnan(importance_stability({0.0, 0.0})));
  feature_tracker ft{{}, 1000};
  ft.update(importance(1, {{"rsi", 0.2}}));
  CHECK(std::isnan(ft.models().at("lstm").at("rsi").latest.stability));
  ft.update(importance(2, {{"rsi", 0.4}}));
  CHECK(ft.models().at("lstm").at("rsi").latest.stability
        == doctest::Approx(2.0 / 3.0));
  // Only the last `stability_window` importances count.
  for (int i = 0; i < 10; ++i)
    ft.update(importance(3 + i, {{"rsi", 0.7}}));
  CHECK(ft.models().at("lstm").at("rsi").latest.stability
        == doctest::Approx(1.0));
}

TEST_CASE("drift scores join the importances of the same feature") {
  feature_tracker ft{{}, 1000};
  ft.update(importance(1, {{"rsi", 0.6}, {"vol", 0.4}}));
  ft.update({"lstm", 2, {}, {{"vol", 0.31}}});
  const auto& vol = ft.models().at("lstm").at("vol");
  CHECK(vol.latest.drift == 0.31);
  CHECK(vol.latest.importance == 0.4);
  REQUIRE(vol.history.size() == 2);
  CHECK(vol.history.back().time_ns == 2);
  CHECK(std::isnan(vol.history.front().drift));
  // rsi was not touched by the drift-only snapshot.
  CHECK(ft.models().at("lstm").at("rsi").history.size() == 1);
}

TEST_CASE("the feature_tracking flags decide what is kept") {
  config::feature_tracking_config flags;
  flags.track_rankings = false;
  flags.track_drift_scores = false;
  flags.track_stability_scores = false;
  feature_tracker ft{flags, 1000};
  CHECK(ft.update(importance(1, {{"rsi", 0.6}, {"vol", 0.4}})).empty());
  ft.update(importance(2, {{"rsi", 0.1}, {"vol", 0.4}}));
  ft.update({"lstm", 3, {}, {{"vol", 0.3}}});
  const auto& vol = ft.models().at("lstm").at("vol");
  CHECK(vol.latest.rank == 0);
  CHECK(std::isnan(vol.latest.drift));
  CHECK(std::isnan(vol.latest.stability));
  CHECK(vol.latest.importance == 0.4);
  flags = {};
  flags.track_importance_scores = false;
  feature_tracker ranks_only{flags, 1000};
  ranks_only.update(importance(1, {{"rsi", 0.6}, {"vol", 0.4}}));
  const auto& rsi = ranks_only.models().at("lstm").at("rsi");
  CHECK(rsi.latest.rank == 1);
  CHECK(std::isnan(rsi.latest.importance));
}

TEST_CASE("feature history is bounded across features, oldest first") {
  feature_tracker ft{{}, 5};
  for (int i = 0; i < 4; ++i)
    ft.update(importance(i, {{"a", 0.6}, {"b", 0.4}}));
  CHECK(ft.points() == 5);
  CHECK(ft.evicted() == 3);
  const auto& a = ft.models().at("lstm").at("a");
  const auto& b = ft.models().at("lstm").at("b");
  // Points went in a0 b0 a1 b1 a2 b2 a3 b3; the three oldest are gone.
  REQUIRE(a.history.size() == 2);
  CHECK(a.history.front().time_ns == 2);
  REQUIRE(b.history.size() == 3);
  CHECK(b.history.front().time_ns == 1);
}
