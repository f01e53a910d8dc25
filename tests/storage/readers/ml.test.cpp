#include "storage/readers/ml.hpp"

#include "storage/rows.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/messages/samples.hpp"
#include "tests/support/database.hpp"

using namespace argus;
using namespace argus::storage;

namespace {

constexpr int64_t t0 = 1'700'000'000'000'000'000;

drift_result_row result(const char* feature, bool drift, int64_t time_ns,
                        double pvalue = 0.001) {
  return {test::sample_model(),
          feature,
          "ks",
          0.4,
          pvalue,
          "psi",
          0.3,
          drift,
          drift ? severity::high : severity::none,
          500,
          200,
          time_ns};
}

} // namespace

TEST_CASE("the ML monitor's rows read back: models with their latest check, "
          "alerts by severity, performance, latest drift per feature") {
  test::database_fixture fx;
  auto alert = test::sample_drift_alert();
  auto low = alert;
  low.level = severity::low;
  low.feature = "rsi";
  fx.write({to_row(result("volatility", true, t0)),
            to_row(result("rsi", false, t0)),
            // The latest check: only volatility drifts, rsi's p-value is
            // undefined (stored as NULL).
            to_row(result("volatility", true, t0 + 1)),
            to_row(result("rsi", false, t0 + 1, std::nan(""))),
            to_row(performance_row{test::sample_model(), 120,
                                   R"({"accuracy":0.6})", "", 0.1, t0}),
            to_row(alert, "fired", t0), to_row(low, "fired", t0),
            to_row(test::sample_retrain_requested(), t0)});
  auto r = fx.reader();
  auto models = ml_models(*r);
  REQUIRE(models);
  REQUIRE(models->size() == 1);
  const auto& m = (*models)[0];
  CHECK(m["model_id"] == "ensemble_1");
  CHECK(m["model_version"] == "v3");
  CHECK(m["last_check_ns"] == t0 + 1);
  CHECK(m["drifted_features"] == 1);
  CHECK(m["performance"]["accuracy"] == 0.6);
  CHECK(m["retrain_requests"] == 1);

  auto critical = ml_alerts(*r, "", static_cast<int>(severity::critical), 10);
  REQUIRE(critical);
  REQUIRE(critical->size() == 1);
  CHECK((*critical)[0]["feature"] == "volatility");
  CHECK(ml_alerts(*r, "", 0, 10)->size() == 2);
  CHECK(ml_alerts(*r, "other_model", 0, 10)->empty());
  // Both alerts end: the critical one's resolution is shown at critical,
  // the low one's only when low alerts are.
  auto resolved_critical = alert;
  resolved_critical.level = severity::none;
  auto resolved_low = low;
  resolved_low.level = severity::none;
  fx.write({to_row(resolved_critical, "resolved", t0 + 5),
            to_row(resolved_low, "resolved", t0 + 5)});
  auto at_critical
    = ml_alerts(*r, "", static_cast<int>(severity::critical), 10);
  REQUIRE(at_critical);
  REQUIRE(at_critical->size() == 2);
  CHECK((*at_critical)[0]["change"] == "resolved");
  CHECK((*at_critical)[0]["feature"] == "volatility");
  CHECK((*at_critical)[1]["change"] == "fired");
  CHECK(ml_alerts(*r, "", static_cast<int>(severity::low), 10)->size() == 4);
  CHECK(ml_alerts(*r, "", 0, 10)->size() == 4);

  auto perf = ml_performance(*r, "ensemble_1", 10);
  REQUIRE(perf);
  REQUIRE(perf->size() == 1);
  CHECK((*perf)[0]["samples"] == 120);

  auto drift = ml_latest_drift(*r, "ensemble_1");
  REQUIRE(drift);
  REQUIRE(drift->size() == 2);
  for (const auto& f : *drift) {
    CHECK(f["time_ns"] == t0 + 1);
    if (f["feature"] == "rsi")
      CHECK(f["p_value"].is_null());
  }
}
