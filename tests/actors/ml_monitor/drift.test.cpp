#include "actors/ml_monitor/drift.hpp"

#include "actors/ml_monitor/stats.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "tests/support/temp_dir.hpp"
#include <nlohmann/json.hpp>

using namespace argus;
using nlohmann::json;

namespace {

/// SciPy's reference values (tests/oracles/drift_cases.py).
const json& cases() {
  static const json j = json::parse(
    test::read_file(ARGUS_SOURCE_DIR "/tests/oracles/drift_cases.json"));
  return j;
}

std::vector<double> values(const json& j) {
  return j.get<std::vector<double>>();
}

/// Statistics to 1e-9 relative (absolute 1e-12 near zero).
void check_statistic(double ours, const json& scipy, const char* what) {
  std::string label = what;
  CAPTURE(label);
  auto theirs = scipy.get<double>();
  CAPTURE(ours);
  CAPTURE(theirs);
  CHECK(std::abs(ours - theirs) <= std::max(1e-9 * std::abs(theirs), 1e-12));
}

/// p-values to 1e-6 absolute or 1e-3 relative.
void check_pvalue(double ours, const json& scipy, const char* what) {
  std::string label = what;
  CAPTURE(label);
  auto theirs = scipy.get<double>();
  CAPTURE(ours);
  CAPTURE(theirs);
  auto diff = std::abs(ours - theirs);
  CHECK((diff <= 1e-6 || diff <= 1e-3 * std::abs(theirs)));
}

} // namespace

TEST_CASE("drift tests equal SciPy 1.10 on every reference case") {
  REQUIRE(cases()["scipy"].get<std::string>().rfind("1.10", 0) == 0);
  size_t n = 0;
  for (const auto& c : cases()["numeric"]) {
    CAPTURE(c["name"].get<std::string>());
    auto a = values(c["reference"]);
    auto b = values(c["current"]);
    auto ks = drift::ks_2samp(a, b);
    check_statistic(ks.statistic, c["ks"]["statistic"], "ks statistic");
    check_pvalue(ks.pvalue, c["ks"]["pvalue"], "ks pvalue");
    CHECK(ks.exact == c["ks"]["exact"].get<bool>());
    check_statistic(drift::wasserstein(a, b), c["wasserstein"], "wasserstein");
    check_statistic(drift::wasserstein_score(a, b), c["wasserstein_score"],
                    "wasserstein score");
    check_statistic(drift::psi(a, b), c["psi"], "psi");
    check_statistic(drift::jensen_shannon(a, b), c["jensen_shannon"],
                    "jensen-shannon");
    check_statistic(drift::hellinger(a, b), c["hellinger"], "hellinger");
    if (c["anderson"].is_null()) {
      CHECK_THROWS_AS(drift::anderson_ksamp(a, b), std::invalid_argument);
    } else {
      auto ad = drift::anderson_ksamp(a, b);
      check_statistic(ad.statistic, c["anderson"]["statistic"], "AD statistic");
      check_pvalue(ad.pvalue, c["anderson"]["pvalue"], "AD pvalue");
    }
    auto cvm = drift::cramervonmises(a, b);
    check_statistic(cvm.statistic, c["cramervonmises"]["statistic"],
                    "CvM statistic");
    check_pvalue(cvm.pvalue, c["cramervonmises"]["pvalue"], "CvM pvalue");
    ++n;
  }
  CHECK(n >= 19);
  for (const auto& c : cases()["categorical"]) {
    CAPTURE(c["name"].get<std::string>());
    auto ref = c["reference"].get<std::map<std::string, uint64_t>>();
    auto cur = c["current"].get<std::map<std::string, uint64_t>>();
    auto r = drift::chi2_categorical(ref, cur);
    check_statistic(r.statistic, c["chi2"]["statistic"], "chi2 statistic");
    check_pvalue(r.pvalue, c["chi2"]["pvalue"], "chi2 pvalue");
    CHECK(r.dof == c["chi2"]["dof"].get<double>());
    check_statistic(r.psi, c["psi"], "categorical psi");
    check_statistic(r.jensen_shannon, c["jensen_shannon"], "categorical js");
    CHECK(r.new_categories
          == c["new_categories"].get<std::vector<std::string>>());
  }
}

TEST_CASE("PSI's decile edges are the exact interpolation rounded once, so "
          "a value equal to a decile lands in the bin above it") {
  // 0.02 + (0.14 - 0.02) * 0.5 in floating point is 0.08000000000000002;
  // a current value of 0.08 then fell in the bin below the median.
  auto edges = drift::decile_edges({0.02, 0.14});
  REQUIRE(edges.size() == 9);
  CHECK(edges[4] == 0.08);
  // One reference value at each of 0.02 and 0.14: the median bin starts at
  // 0.08, so 0.08 shares the upper half with 0.14.
  CHECK(drift::psi({0.02, 0.14}, {0.02, 0.08})
        == doctest::Approx(drift::psi({0.02, 0.14}, {0.02, 0.09})));
  // Pairs on a 0.01 grid, as prices and features come, where numpy's
  // floating-point lerp misses the nearest double; the expected edges are
  // Python's float(Fraction(x) + (Fraction(y) - Fraction(x)) * k / 10).
  struct edge_case {
    double x, y;
    int k;
    double exact;
  };
  const edge_case exact_edges[] = {
    {-0.27, 0.03, 9, -2.7755575615628915e-18}, // not 5.6e-17
    {-1.69, -0.91, 7, -1.144},
    {-0.71, 0.03, 9, -0.044},
    {1.96, 4.69, 7, 3.8710000000000004},
    {0.06, 1.82, 8, 1.468},
    {0.24, 2.39, 3, 0.885},
    {-3.51, -1.36, 9, -1.5750000000000002},
    {4.21, 7.08, 7, 6.219},
    {-0.93, 1.12, 7, 0.5050000000000001},
  };
  for (auto& c : exact_edges) {
    CAPTURE(c.x);
    CAPTURE(c.y);
    CAPTURE(c.k);
    CHECK(drift::decile_edges({c.x, c.y})[static_cast<size_t>(c.k - 1)]
          == c.exact);
  }
}

TEST_CASE("Benjamini-Hochberg against a hand-computed example") {
  // m = 10, q = 0.05: thresholds k * 0.005. Sorted p: 0.001 (<= 0.005),
  // 0.008 (<= 0.010), 0.039 (> 0.015), 0.041 (> 0.020), ..., 0.042 is the
  // 5th (> 0.025); the largest k with p_(k) <= k q / m is 2.
  std::vector<double> p
    = {0.039, 0.001, 0.6, 0.041, 0.008, 0.042, 0.06, 0.074, 0.205, 0.5};
  auto d = drift::benjamini_hochberg(p, 0.05);
  std::vector<bool> expected
    = {false, true, false, false, true, false, false, false, false, false};
  CHECK(d == expected);
  // A larger p-value early in the order can still be a discovery when a
  // later one passes its threshold (step-up).
  auto up = drift::benjamini_hochberg({0.02, 0.03, 0.04}, 0.05);
  CHECK(up == std::vector<bool>{true, true, true});
  CHECK(drift::benjamini_hochberg({}, 0.05).empty());
}

TEST_CASE("sort_values orders large inputs as std::sort does, signs, zeros "
          "and ties included") {
  std::mt19937_64 rng{9};
  std::normal_distribution<double> d{0, 1e3};
  std::vector<double> xs;
  for (int i = 0; i < 20000; ++i)
    xs.push_back(i % 7 == 0 ? std::round(d(rng)) : d(rng));
  xs.push_back(0.0);
  xs.push_back(-0.0);
  xs.push_back(1e300);
  xs.push_back(-1e-300);
  auto expected = xs;
  std::sort(expected.begin(), expected.end());
  drift::sort_values(xs);
  // Equal as values (-0.0 == 0.0 in either order).
  CHECK(xs == expected);
  CHECK(std::is_sorted(xs.begin(), xs.end()));
}

TEST_CASE("the Cramér-von Mises statistic stays exact at a million values "
          "with heavy ties") {
  // The samples of tests/oracles/drift_cases.py's cvm_large_samples().
  std::vector<double> a(600'000);
  std::vector<double> b(400'000);
  for (int64_t i = 0; i < 600'000; ++i)
    a[static_cast<size_t>(i)] = static_cast<double>((i * 7919) % 1009) / 8;
  for (int64_t j = 0; j < 400'000; ++j)
    b[static_cast<size_t>(j)]
      = static_cast<double>((j * 104729 + 17) % 997) / 8 + 0.25;
  const auto& c = cases()["cvm_large"];
  auto exact = c["exact_statistic"].get<double>();
  auto cvm = drift::cramervonmises(a, b);
  CAPTURE(cvm.statistic);
  CAPTURE(exact);
  // One rounding from the exact rational: a few ulps at most. Sums in
  // double (SciPy's among them) are off by about 1e-11 here.
  CHECK(std::abs(cvm.statistic - exact) <= 4e-16 * exact);
  check_pvalue(cvm.pvalue, c["scipy_pvalue"], "CvM pvalue at 10^6");
}
