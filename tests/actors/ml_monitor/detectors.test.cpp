#include "actors/ml_monitor/detectors.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace argus;

namespace {

/// Feeds `stream` to `d`. @returns the index of the first drift at or
/// after `from`, or -1; counts drifts before `from` in `early`.
template <class Detector>
int64_t first_drift(Detector& d, const std::vector<double>& stream, size_t from,
                    int& early, int& warnings) {
  early = 0;
  warnings = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    auto level = d.update(stream[i]);
    if (level == detector_level::warning)
      ++warnings;
    if (level == detector_level::drift) {
      if (i < from)
        ++early;
      else
        return static_cast<int64_t>(i);
    }
  }
  return -1;
}

std::vector<double> bernoulli_stream(uint64_t seed, double before, double after,
                                     size_t change, size_t total) {
  std::mt19937_64 rng{seed};
  std::vector<double> xs;
  for (size_t i = 0; i < total; ++i)
    xs.push_back(std::bernoulli_distribution{i < change ? before : after}(rng)
                   ? 1.0
                   : 0.0);
  return xs;
}

std::vector<double> gaussian_stream(uint64_t seed, double shift, size_t change,
                                    size_t total) {
  std::mt19937_64 rng{seed};
  std::normal_distribution<double> noise{0.0, 1.0};
  std::vector<double> xs;
  for (size_t i = 0; i < total; ++i)
    xs.push_back(noise(rng) + (i < change ? 0.0 : shift));
  return xs;
}

} // namespace

TEST_CASE("ADWIN finds an error-rate change within a bounded delay and not "
          "before it") {
  int early_total = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto xs = bernoulli_stream(seed, 0.1, 0.5, 2000, 3000);
    adwin d;
    int early = 0;
    int warnings = 0;
    auto at = first_drift(d, xs, 2000, early, warnings);
    CAPTURE(seed);
    REQUIRE(at >= 2000);
    CHECK(at - 2000 < 300);
    early_total += early;
    // The window sheds the old regime: by the end it estimates the new rate.
    for (auto i = static_cast<size_t>(at) + 1; i < xs.size(); ++i)
      d.update(xs[i]);
    CHECK(d.mean() == doctest::Approx(0.5).epsilon(0.15));
    CHECK(d.width() < 1200);
  }
  // delta = 0.002 bounds false alarms; over 20 000 stable values, at most 1.
  CHECK(early_total <= 1);
  // A smaller change takes longer, a stable stream never fires.
  adwin quiet;
  int early = 0;
  int warnings = 0;
  CHECK(first_drift(quiet, bernoulli_stream(99, 0.2, 0.2, 0, 5000), 0, early,
                    warnings)
        == -1);
}

TEST_CASE("Page-Hinkley detects a mean shift both ways - lambda sets the "
          "delay") {
  for (double shift : {1.0, -1.0}) {
    CAPTURE(shift);
    auto xs = gaussian_stream(7, shift, 1000, 2000);
    page_hinkley d;
    int early = 0;
    int warnings = 0;
    auto at = first_drift(d, xs, 1000, early, warnings);
    CHECK(early == 0);
    REQUIRE(at >= 1000);
    CHECK(at - 1000 < 200);
    CHECK(warnings > 0); // the warning zone comes first
    page_hinkley eager{{30, 0.005, 10, 0.9999}};
    auto eager_at = first_drift(eager, xs, 1000, early, warnings);
    CHECK(eager_at >= 1000);
    CHECK(eager_at < at);
  }
}

TEST_CASE("DDM warns at 2 sigma, drifts at 3 sigma, and restarts") {
  auto xs = bernoulli_stream(11, 0.1, 0.4, 1000, 2000);
  ddm d;
  int early = 0;
  int warnings = 0;
  auto at = first_drift(d, xs, 1000, early, warnings);
  CHECK(early == 0);
  REQUIRE(at >= 1000);
  CHECK(at - 1000 < 200);
  CHECK(warnings > 0);
  // A perfect warm-up: the first error is already worse than the best.
  ddm perfect;
  for (int i = 0; i < 40; ++i)
    CHECK(perfect.update(0) == detector_level::stable);
  CHECK(perfect.update(1) == detector_level::drift);
}

TEST_CASE("DDM tests only after warm_start values, as River does: the "
          "warm_start-th value is not yet the best point") {
  // With warm_start = 2, testing from the 2nd value would take p = 0, s = 0
  // as the best point and call the 3rd value (an error) a drift. River
  // starts at the 3rd: p = 1/3 + s = 0.27 is the best point, and the 4th
  // (p + s = 0.75 < 1/3 + 3 * 0.27) is stable.
  ddm d{ddm_params{2, 2.0, 3.0}};
  CHECK(d.update(0) == detector_level::stable);
  CHECK(d.update(0) == detector_level::stable);
  CHECK(d.update(1) == detector_level::stable);
  CHECK(d.update(1) == detector_level::stable);
}
