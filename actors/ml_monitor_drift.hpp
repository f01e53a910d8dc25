#pragma once

// Two-sample drift tests (issue 5): each statistic and p-value is defined
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
//   psi                 10 bins cut at the reference's np.quantile
//                       (linear) deciles, bins left-closed with open outer
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

double wasserstein(std::vector<double> a, std::vector<double> b);

/// W1 over the reference's population standard deviation (floor 0.001):
/// a unit-free drift score.
double wasserstein_score(const std::vector<double>& reference,
                         const std::vector<double>& current);

/// numpy.quantile(sorted, q) with the default linear method (exactly as
/// numpy 1.24 computes it); `sorted` ascending and non-empty.
double np_quantile(const std::vector<double>& sorted, double q);

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

/// Benjamini-Hochberg: which of `pvalues` are discoveries at false
/// discovery rate `q` (the largest k with p_(k) <= k q / m, and every
/// p-value at or below p_(k)).
std::vector<bool> benjamini_hochberg(const std::vector<double>& pvalues,
                                     double q);

} // namespace argus::drift
