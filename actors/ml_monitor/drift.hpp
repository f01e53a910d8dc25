#pragma once

// Two-sample drift tests: each statistic and p-value is defined
// as SciPy 1.10 / numpy 1.24 define it (tests/oracles/drift_cases.py
// generates the reference values with Debian's python3-scipy):
//
//   ks_2samp            scipy.stats.ks_2samp(a, b), two-sided, method
//                       'auto': exact (lattice paths) when both samples have
//                       at most 10 000 values, else SciPy's 'asymp' (the
//                       exact one-sample distribution at n = round(n1 n2 /
//                       (n1 + n2))); in exact mode the statistic is
//                       round(D lcm) / lcm, as SciPy returns it.
//   wasserstein         scipy.stats.wasserstein_distance(a, b).
//   psi                 10 bins cut at the reference's linear deciles
//                       (index and interpolation exact, `decile_edges`;
//                       Python Fractions are the oracle),
//                       bins left-closed with open outer
//                       ends, an empty bin's share replaced by 1e-4:
//                       sum (c - r) ln(c / r).
//   jensen_shannon      scipy.spatial.distance.jensenshannon(p, q, base=2)
//   hellinger           sqrt(sum (sqrt p - sqrt q)^2 / 2)
//                       both over 10 equal-width bins of the pooled range
//                       (np.histogram_bin_edges(pooled, 10)).
//   chi2_categorical    scipy.stats.chi2_contingency on the 2 x K table of
//                       category counts (categories absent from both
//                       samples never appear; Yates only when dof = 1).
//   anderson_ksamp      scipy.stats.anderson_ksamp([a, b]) with midranks:
//                       the standardised statistic, and SciPy's p-value
//                       (interpolated, capped at 0.25, floored at 0.001).
//   cramervonmises      scipy.stats.cramervonmises_2samp(a, b), 'auto':
//                       exact when both samples have at most 20 values.

#include "messages/ml.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace argus::drift {

struct test_result {
  double statistic = 0;
  /// NaN where the test has none (distances).
  double pvalue = 0;
};

/// SciPy's ks_2samp; `exact` says which method answered.
struct ks_result : test_result {
  bool exact = false;
};

ks_result ks_2samp(std::vector<double> a, std::vector<double> b);

/// Sorts finite doubles ascending: a least-significant-digit radix sort on
/// the IEEE bits for large inputs (3-4x std::sort at 100 000 values; the
/// KS test on 2 x 100 000 samples is mostly sorting), std::sort below.
void sort_values(std::vector<double>& xs);

double wasserstein(std::vector<double> a, std::vector<double> b);

/// W1 over the reference's population standard deviation (floor 0.001):
/// a unit-free drift score.
double wasserstein_score(const std::vector<double>& reference,
                         const std::vector<double>& current);

/// The reference's 9 inner decile edges for PSI: linear interpolation
/// between order statistics (numpy's default method), with the index
/// h = k(n-1)/10 computed in integers (j = k(n-1) div 10, f = (k(n-1) mod
/// 10)/10) and each edge x + (y - x) f rounded once, as exact rational
/// arithmetic gives it. numpy's quantile of linspace(0, 1, 11) computes
/// 10 * 0.3 as 3.0000000000000004, and its floating-point lerp is an ulp
/// off for about one pair in twelve: either can put an edge just past a
/// value, moving it to the bin below; `sorted` ascending and non-empty.
std::vector<double> decile_edges(const std::vector<double>& sorted);

/// The 11 edges numpy.linspace(lo, hi, 11) gives (and histogram's edges).
std::vector<double> np_linspace(double lo, double hi, int num);

double psi(const std::vector<double>& reference,
           const std::vector<double>& current);

/// Shares of `xs` in the 10 equal-width bins of the pooled range of
/// `reference` and `current` (numpy.histogram semantics).
std::vector<double> pooled_histogram(const std::vector<double>& xs,
                                     const std::vector<double>& edges);
std::vector<double> pooled_edges(const std::vector<double>& reference,
                                 const std::vector<double>& current);

double jensen_shannon(const std::vector<double>& reference,
                      const std::vector<double>& current);
double hellinger(const std::vector<double>& reference,
                 const std::vector<double>& current);

/// Jensen-Shannon distance (base 2) of two count or share vectors.
double jensen_shannon_of(const std::vector<double>& p,
                         const std::vector<double>& q);

/// Categorical drift from category counts.
struct categorical_result : test_result {
  double dof = 0;
  double psi = 0;
  double jensen_shannon = 0;
  /// Categories in the current window that the reference never had.
  std::vector<std::string> new_categories;
};

categorical_result
chi2_categorical(const std::map<std::string, uint64_t>& reference,
                 const std::map<std::string, uint64_t>& current);

test_result anderson_ksamp(std::vector<double> a, std::vector<double> b);

test_result cramervonmises(std::vector<double> a, std::vector<double> b);

/// The severity of a drift score s against `drift_threshold` t (0.1) and
/// `critical_drift_threshold` c (0.3): s < t none; then the span [t, c) in
/// equal thirds low, medium, high (0.1, 0.167, 0.233 by default); s >= c
/// critical.
severity severity_of(double score, double threshold, double critical);

/// The methods `argusctl drift-test` and the monitor know, by name: ks psi
/// wasserstein js hellinger chi2 ad cvm.
struct method_result {
  std::string method;
  double statistic = 0;
  /// NaN for distances.
  double pvalue = 0;
  /// What is compared with the thresholds: the statistic for the distances
  /// (PSI, Wasserstein score, JS, Hellinger) and for KS (its D); for the
  /// tests without an effect size of their own (AD, CvM) the KS D of the
  /// same samples; for chi-square the PSI over the categories.
  double score = 0;
  bool drift = false;
  severity level = severity::none;
  std::vector<std::string> new_categories;
};

/// Runs `method` on numeric samples; drift when the score reaches
/// `threshold` and, for methods with a p-value, p < `alpha` too (large
/// samples make tiny shifts significant; the effect size keeps them from
/// alarming). Throws std::invalid_argument for an unknown method or
/// unusable samples.
method_result run_method(const std::string& method,
                         const std::vector<double>& reference,
                         const std::vector<double>& current, double alpha,
                         double threshold, double critical);

/// The same for category labels (methods chi2, psi, js).
method_result run_categorical(const std::string& method,
                              const std::vector<std::string>& reference,
                              const std::vector<std::string>& current,
                              double alpha, double threshold, double critical);

/// Benjamini-Hochberg: which of `pvalues` are discoveries at false
/// discovery rate `q` (the largest k with p_(k) <= k q / m, and every
/// p-value at or below p_(k)).
std::vector<bool> benjamini_hochberg(const std::vector<double>& pvalues,
                                     double q);

} // namespace argus::drift
