#include "actors/ml_monitor/performance.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

} // namespace

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
