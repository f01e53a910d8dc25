#pragma once

// Distribution functions the drift tests need, each as SciPy 1.10
// computes it, so that argus's p-values equal SciPy's:
//   kolmogorov_two_sided_sf  scipy.stats.kstwo.sf (Simard & L'Ecuyer's
//                            method selection: Ruben-Gambino, Durbin matrix,
//                            Pomeranz, Pelz-Good, 2 * Smirnov)
//   smirnov_sf               scipy.special.smirnov (exact one-sided, the
//                            Birnbaum-Tingey sum)
//   chi2_sf                  scipy.stats.chi2.sf (regularised upper gamma)
//   cvm_limit_cdf            the limiting Cramér-von Mises distribution
//                            (scipy.stats._hypotests._cdf_cvm_inf)
// Pure functions; no state.

#include <cstdint>

namespace argus::stats {

/// P(D_n >= x) for the two-sided one-sample KS statistic with n samples.
double kolmogorov_two_sided_sf(int64_t n, double x);

/// P(D+_n >= x) for the one-sided statistic.
double smirnov_sf(int64_t n, double x);

/// The regularised upper incomplete gamma function Q(a, x).
double gamma_q(double a, double x);

/// P(X >= x) for X chi-square with `dof` degrees of freedom.
double chi2_sf(double x, double dof);

/// The modified Bessel function of the second kind K_nu(x), x > 0.
double bessel_k(double nu, double x);

/// The CDF of the limiting distribution of the Cramér-von Mises statistic.
double cvm_limit_cdf(double x);

} // namespace argus::stats
