#include "actors/ml_monitor/windows.hpp"

#include "actors/ml_monitor/drift.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace argus;

TEST_CASE("a feature's reference fills from the first observations and its "
          "window's PSI, kept in O(bins), equals the full computation") {
  std::mt19937_64 rng{3};
  std::normal_distribution<double> before{0, 1};
  std::normal_distribution<double> after{0.7, 1.3};
  feature_reference ref{500};
  feature_window win{300};
  int64_t t = 0;
  for (int i = 0; i < 500; ++i) {
    auto x = before(rng);
    CHECK(ref.observe(x));
    win.observe(x, ++t, &ref);
  }
  REQUIRE(ref.complete());
  CHECK(!ref.observe(1.0)); // complete: no more
  CHECK(ref.edges().size() == 9);
  CHECK(std::is_sorted(ref.values().begin(), ref.values().end()));
  for (int i = 0; i < 1000; ++i) {
    win.observe(i < 600 ? before(rng) : after(rng), ++t, &ref);
    if (i % 97 == 0 || i == 999) {
      CAPTURE(i);
      CHECK(win.size() == 300);
      CHECK(win.psi(ref)
            == doctest::Approx(drift::psi(ref.values(), win.values()))
                 .epsilon(1e-12));
    }
  }
  CHECK(win.psi(ref) > 0.2); // the shifted regime fills the window now
}

TEST_CASE("a baseline larger than the capacity is kept as its quantile "
          "sketch - the window also ages out") {
  std::vector<double> big;
  for (int i = 0; i < 100001; ++i)
    big.push_back(i);
  feature_reference ref{1001};
  ref.set_baseline(big);
  REQUIRE(ref.complete());
  REQUIRE(ref.values().size() == 1001);
  CHECK(ref.values().front() == 0);
  CHECK(ref.values().back() == 100000);
  CHECK(ref.values()[500] == 50000); // the median survives exactly
  feature_window win{1000, 10};
  for (int64_t t = 0; t < 50; ++t)
    win.observe(static_cast<double>(t), t, &ref);
  CHECK(win.size() == 11); // t in [39, 49]
  win.expire(100, &ref);
  CHECK(win.size() == 0);
}
