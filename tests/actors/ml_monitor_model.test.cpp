// The ML monitor's per-model logic: anti-flap alerts, performance against
// labels, feature importance stability.

#include "actors/ml_monitor_alerts.hpp"
#include "actors/ml_monitor_importance.hpp"
#include "actors/ml_monitor_performance.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

} // namespace

TEST_CASE("alerts fire after the pending period, escalate, and resolve only "
          "after the keep period, in virtual time") {
  alert_state a{{30 * sec, 60 * sec}};
  // A blip shorter than the pending period never fires.
  CHECK(a.update(0, severity::medium) == alert_change::none);
  CHECK(a.update(10 * sec, severity::none) == alert_change::none);
  CHECK(!a.firing());
  // Held for 30 s: fires at the check that reaches it.
  CHECK(a.update(20 * sec, severity::low) == alert_change::none);
  CHECK(a.update(40 * sec, severity::low) == alert_change::none);
  CHECK(a.update(50 * sec, severity::medium) == alert_change::fired);
  CHECK(a.level() == severity::medium);
  CHECK(a.update(60 * sec, severity::critical) == alert_change::escalated);
  CHECK(a.update(70 * sec, severity::high) == alert_change::none);
  CHECK(a.level() == severity::critical);
  // Clearing: a relapse within the keep period keeps it firing.
  CHECK(a.update(80 * sec, severity::none) == alert_change::none);
  CHECK(a.update(120 * sec, severity::low) == alert_change::none);
  CHECK(a.firing());
  CHECK(a.update(130 * sec, severity::none) == alert_change::none);
  CHECK(a.update(180 * sec, severity::none) == alert_change::none);
  CHECK(a.update(190 * sec, severity::none) == alert_change::resolved);
  CHECK(!a.firing());
  // Without anti-flap: fires and resolves at once.
  alert_state plain;
  CHECK(plain.update(0, severity::high) == alert_change::fired);
  CHECK(plain.update(1, severity::none) == alert_change::resolved);
}

TEST_CASE("classifier performance: accuracy, macro precision/recall/F1, "
          "log-loss and degradation against the reference period") {
  performance_tracker t{4};
  auto add = [&](const char* pred, const char* truth, double conf) {
    return t.add({pred, 0, conf, truth, 0});
  };
  // Reference period: 3 of 4 right.
  CHECK(add("buy", "buy", 0.9) == 0);
  CHECK(add("sell", "sell", 0.8) == 0);
  CHECK(add("buy", "sell", 0.6) == 1);
  CHECK(add("hold", "hold", 0.7) == 0);
  REQUIRE(t.reference());
  CHECK(t.reference()->accuracy == 0.75);
  // Hand computation over classes {buy, sell, hold}:
  //   buy: tp 1 fp 1 fn 0 -> p .5 r 1 f1 2/3; sell: tp 1 fp 0 fn 1 -> p 1
  //   r .5 f1 2/3; hold: p 1 r 1 f1 1.
  auto ref = *t.reference();
  CHECK(ref.precision == doctest::Approx((0.5 + 1 + 1) / 3));
  CHECK(ref.recall == doctest::Approx((1 + 0.5 + 1) / 3));
  CHECK(ref.f1 == doctest::Approx((2.0 / 3 + 2.0 / 3 + 1) / 3));
  // log-loss: -(ln .9 + ln .8 + ln(.4 / 2) + ln .7) / 4.
  CHECK(
    ref.log_loss
    == doctest::Approx(
      -(std::log(0.9) + std::log(0.8) + std::log(0.2) + std::log(0.7)) / 4));
  // Now 1 of 4 right: (0.75 - 0.25) / 0.75 worse.
  add("buy", "sell", 0.9);
  add("sell", "buy", 0.9);
  add("hold", "buy", 0.9);
  add("buy", "buy", 0.9);
  CHECK(t.current().accuracy == 0.25);
  CHECK(t.degradation() == doctest::Approx(2.0 / 3));
  t.reset();
  CHECK(!t.reference());
  CHECK(t.degradation() == 0);
}

TEST_CASE("regressor performance: MAE, RMSE, directional accuracy") {
  performance_tracker t{3};
  CHECK(t.add({"", 1.0, 0, "", 2.0}) == 1.0);
  t.add({"", -1.0, 0, "", 1.0});
  t.add({"", 0.5, 0, "", 0.5});
  auto f = t.current();
  CHECK(!f.classifier);
  CHECK(f.mae == doctest::Approx(1.0));
  CHECK(f.rmse == doctest::Approx(std::sqrt(5.0 / 3)));
  CHECK(f.directional_accuracy == doctest::Approx(2.0 / 3));
  // Errors doubling: MAE degradation +100 %.
  t.add({"", 3.0, 0, "", 1.0});
  t.add({"", -3.0, 0, "", 1.0});
  t.add({"", 1.0, 0, "", 1.0});
  CHECK(t.degradation() == doctest::Approx((2.0 - 1.0) / 1.0));
}

TEST_CASE("feature importance: Spearman equals SciPy's spearmanr, top-k "
          "overlap, entering and leaving, drift") {
  auto cases = nlohmann::json::parse(
    test::read_file(ARGUS_SOURCE_DIR "/tests/oracles/drift_cases.json"));
  for (const auto& c : cases["spearman"]) {
    CAPTURE(c["name"].get<std::string>());
    auto a = c["a"].get<std::vector<double>>();
    auto b = c["b"].get<std::vector<double>>();
    importance_map x, y;
    for (size_t i = 0; i < a.size(); ++i) {
      x["f" + std::to_string(i)] = a[i];
      y["f" + std::to_string(i)] = b[i];
    }
    CHECK(compare_importance(x, y).spearman
          == doctest::Approx(c["rho"].get<double>()).epsilon(1e-12));
  }
  importance_map before{
    {"momentum", 0.4}, {"volume", 0.3}, {"rsi", 0.2}, {"spread", 0.1}};
  importance_map after{
    {"momentum", 0.1}, {"volume", 0.3}, {"rsi", 0.2}, {"sentiment", 0.4}};
  auto c = compare_importance(before, after, 2);
  CHECK(ranking(after).front() == "sentiment");
  CHECK(c.top_k_overlap == 0.5); // volume stays in the top 2
  CHECK(c.entered == std::vector<std::string>{"sentiment"});
  CHECK(c.left == std::vector<std::string>{"momentum"});
  // |.4-.1| + 0 + 0 + |.1-0| + |0-.4| = 0.8, halved.
  CHECK(c.drift == doctest::Approx(0.4));
  CHECK(compare_importance(before, before).drift == 0);
  CHECK(compare_importance(before, before).spearman == doctest::Approx(1.0));
}
