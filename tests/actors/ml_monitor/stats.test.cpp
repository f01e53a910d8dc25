#include "actors/ml_monitor/stats.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>

using namespace argus;

TEST_CASE("distribution functions at known points") {
  // chi2.sf(3.841458820694124, 1) = 0.05; chi2.sf(0, k) = 1.
  CHECK(stats::chi2_sf(3.841458820694124, 1)
        == doctest::Approx(0.05).epsilon(1e-10));
  CHECK(stats::chi2_sf(0, 3) == 1.0);
  CHECK(stats::chi2_sf(18.307038053275146, 10)
        == doctest::Approx(0.05).epsilon(1e-10));
  // K_{1/2}(x) = sqrt(pi / (2x)) e^-x.
  for (double x : {0.1, 1.0, 7.5})
    CHECK(stats::bessel_k(0.5, x)
          == doctest::Approx(std::sqrt(3.14159265358979323846 / (2 * x))
                             * std::exp(-x))
               .epsilon(1e-12));
  // Smirnov: P(D+_1 >= x) = 1 - x.
  CHECK(stats::smirnov_sf(1, 0.3) == doctest::Approx(0.7).epsilon(1e-14));
  CHECK(stats::kolmogorov_two_sided_sf(10, 0) == 1.0);
  CHECK(stats::kolmogorov_two_sided_sf(10, 1) == 0.0);
}
