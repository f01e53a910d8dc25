// Everything the ML monitor knows about one model version: drift with
// severities, performance against labels, baselines, configured methods.

#include "actors/ml_monitor/model.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;

namespace {

constexpr int64_t sec = 1'000'000'000;

} // namespace

#include "actors/ml_monitor/model.hpp"

#include <random>

namespace {

config::ml_monitor_config monitor_config() {
  config::ml_monitor_config cfg;
  cfg.reference_window = 500;
  cfg.current_window = 300;
  cfg.alert_pending = std::chrono::seconds{60};
  cfg.alert_keep = std::chrono::seconds{120};
  cfg.retrain_cooldown = std::chrono::seconds{3600};
  return cfg;
}

/// Feeds `n` feature vectors; `shift` moves feature "spread".
void feed(model_monitor& m, std::mt19937_64& rng, int n, double shift,
          int64_t& t) {
  std::normal_distribution<double> normal{0, 1};
  const char* sides[] = {"buy", "sell", "hold"};
  for (int i = 0; i < n; ++i) {
    features_observed x;
    x.model = m.ref();
    x.numeric = {{"momentum", normal(rng)},
                 {"volume", normal(rng) * 2 + 10},
                 {"spread", normal(rng) + shift}};
    x.categorical = {{"side", sides[rng() % 3]}};
    x.time_ns = ++t;
    m.observe(x);
  }
}

} // namespace

TEST_CASE("model_monitor: a shifted feature drifts with a severity, the "
          "others do not, alerts fire after their pending period, and a "
          "critical drift asks for retraining once per cooldown") {
  auto cfg = monitor_config();
  model_monitor m{{"gradient_boost", "v1"}, cfg};
  std::mt19937_64 rng{21};
  int64_t t = 0;
  feed(m, rng, 500, 0.0, t); // the reference
  feed(m, rng, 300, 0.0, t); // a current window like it
  int64_t now = 1000 * sec;
  auto quiet = m.check(now);
  REQUIRE(quiet.features.size() == 4);
  for (const auto& f : quiet.features) {
    CAPTURE(f.feature);
    CHECK(!f.drift);
    CHECK(f.test == (f.categorical ? "chi2" : "ks"));
  }
  CHECK(m.alerts(quiet).empty());
  CHECK(!m.retrain(quiet));
  // "spread" moves by 1.5 sd: PSI far above the critical 0.3.
  feed(m, rng, 300, 1.5, t);
  auto c = m.check(now += 30 * sec);
  const feature_check* spread = nullptr;
  for (const auto& f : c.features) {
    if (f.feature == "spread")
      spread = &f;
    else
      CHECK(!f.drift);
  }
  REQUIRE(spread);
  CHECK(spread->drift);
  CHECK(spread->pvalue < 1e-6);
  CHECK(spread->score_method == "psi");
  CHECK(spread->level == severity::critical);
  CHECK(c.drifted_share == doctest::Approx(0.25));
  CHECK(c.failed);
  // Pending 60 s: nothing fires at the first check that sees it.
  CHECK(m.alerts(c).empty());
  auto r = m.retrain(c);
  REQUIRE(r);
  CHECK(r->trigger == "critical_drift");
  auto evidence = nlohmann::json::parse(r->reason);
  REQUIRE(evidence["features"].size() == 1);
  CHECK(evidence["features"][0]["feature"] == "spread");
  // Within the cooldown: no second request.
  auto c2 = m.check(now += 60 * sec);
  CHECK(!m.retrain(c2));
  auto fired = m.alerts(c2);
  bool spread_fired = false;
  for (const auto& e : fired)
    if (e.alert.feature == "spread") {
      spread_fired = e.change == alert_change::fired;
      CHECK(e.alert.level == severity::critical);
    }
  CHECK(spread_fired);
  // Back to normal: resolves only after the keep period.
  feed(m, rng, 300, 0.0, t);
  auto calm = m.check(now += 60 * sec);
  for (const auto& e : m.alerts(calm))
    CHECK(e.alert.feature != "spread");
  auto later = m.check(now += 130 * sec);
  bool resolved = false;
  for (const auto& e : m.alerts(later))
    if (e.alert.feature == "spread")
      resolved = e.change == alert_change::resolved;
  CHECK(resolved);
  // After the cooldown a new critical drift asks again.
  feed(m, rng, 300, -2.0, t);
  CHECK(m.retrain(m.check(now += 3600 * sec)));
}

TEST_CASE("model_monitor: labels joined to predictions degrade performance "
          "and the detectors on the error stream fire") {
  auto cfg = monitor_config();
  cfg.performance_window = 200;
  model_monitor m{{"lstm", "v2"}, cfg};
  std::mt19937_64 rng{4};
  auto outcome = [&](double error_rate) {
    bool wrong = std::bernoulli_distribution{error_rate}(rng);
    m.outcome({"buy", 0, 0.8, wrong ? "sell" : "buy", 0});
  };
  for (int i = 0; i < 400; ++i)
    outcome(0.1);
  auto ok = m.check(1);
  CHECK(std::abs(ok.degradation) < 0.1);
  CHECK(!ok.failed);
  for (int i = 0; i < 200; ++i)
    outcome(0.6);
  auto bad = m.check(2);
  CHECK(bad.performance.accuracy < 0.6);
  CHECK(bad.degradation > 0.2);
  CHECK(bad.performance_level >= severity::high);
  CHECK(bad.detectors.at("adwin") == detector_level::drift);
  CHECK(bad.detectors.at("ddm") == detector_level::drift);
  CHECK(bad.failed);
  auto r = m.retrain(bad);
  REQUIRE(r);
  CHECK(r->trigger == "performance_degradation");
}

TEST_CASE("model_monitor: an uploaded baseline is the reference at once, for "
          "numeric and categorical features") {
  auto cfg = monitor_config();
  model_monitor m{{"xgb", "v9"}, cfg};
  std::mt19937_64 rng{12};
  std::normal_distribution<double> normal{0, 1};
  baseline_uploaded b;
  b.model = m.ref();
  b.feature = "spread";
  for (int i = 0; i < 5000; ++i) // larger than the reference window
    b.values.push_back(normal(rng));
  m.baseline(b);
  baseline_uploaded c;
  c.model = m.ref();
  c.feature = "side";
  c.categories = {"buy", "sell", "buy", "sell"};
  m.baseline(c);
  // Fewer observations than a reference would need: the baseline serves.
  int64_t t = 0;
  for (int i = 0; i < 100; ++i) {
    features_observed x;
    x.model = m.ref();
    x.numeric = {{"spread", normal(rng) + 3}};
    x.categorical = {{"side", i % 3 ? "buy" : "short"}};
    x.time_ns = ++t;
    m.observe(x);
  }
  auto check = m.check(1);
  REQUIRE(check.features.size() == 2);
  for (const auto& f : check.features) {
    CAPTURE(f.feature);
    CHECK(f.drift);
    CHECK(f.level == severity::critical);
    if (f.feature == "spread")
      CHECK(f.reference_size == cfg.reference_window); // the sketch
    else
      CHECK(f.new_categories == std::vector<std::string>{"short"});
  }
}

TEST_CASE("model_monitor: a feature's method named in the config is used, "
          "and the detectors take their parameters from the config") {
  auto cfg = monitor_config();
  cfg.feature_methods = {{"spread", "wasserstein"}, {"volume", "ad"}};
  cfg.ddm_warm_start = 1000; // nothing can drift before 1000 outcomes
  model_monitor m{{"gradient_boost", "v1"}, cfg};
  std::mt19937_64 rng{21};
  int64_t t = 0;
  feed(m, rng, 500, 0.0, t);
  feed(m, rng, 300, 1.0, t);
  auto c = m.check(1);
  for (const auto& f : c.features) {
    CAPTURE(f.feature);
    if (f.feature == "spread") {
      CHECK(f.test == "wasserstein");
      CHECK(f.score_method == "wasserstein");
      CHECK(f.drift);
    } else if (f.feature == "volume") {
      CHECK(f.test == "ad");
      CHECK(f.score_method == "ks");
    } else if (!f.categorical) {
      CHECK(f.test == "ks");
    }
  }
  for (int i = 0; i < 200; ++i)
    m.outcome({"buy", 0, 0.9, "sell", 0}); // every prediction wrong
  CHECK(m.check(2).detectors.at("ddm") == detector_level::stable);
}
