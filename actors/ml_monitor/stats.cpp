#include "actors/ml_monitor/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace argus::stats {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int e128 = 128;
const long double ep128 = std::ldexp(1.0L, e128);
const long double em128 = std::ldexp(1.0L, -e128);

double clip(double p) {
  return std::clamp(p, 0.0, 1.0);
}

/// log(n!/n^n) by Stirling's series (as SciPy's `_log_nfactorial_div_n_pow_n`).
double log_nfactorial_div_n_pow_n(double n) {
  static constexpr double coeffs[]
    = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
       -1.9175269175269175269e-3, 8.4175084175084175084e-4,
       -5.952380952380952381e-4,  7.9365079365079365079e-4,
       -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  double rn = 1.0 / n;
  double x = rn / n;
  double poly = 0;
  for (double c : coeffs)
    poly = poly * x + c;
  return std::log(n) / 2 - n + std::log(2 * pi) / 2 + rn * poly;
}

/// Pr(D_n <= d): Durbin's matrix method as Marsaglia, Tsang and Wang.
double kolmogn_dmtw_cdf(int64_t n, double d) {
  if (d >= 1.0)
    return 1.0;
  double nd = static_cast<double>(n) * d;
  if (nd <= 0.5)
    return 0.0;
  auto k = static_cast<int>(std::ceil(nd));
  double h = k - nd;
  int m = 2 * k - 1;
  using matrix = std::vector<long double>;
  matrix H(static_cast<size_t>(m * m), 0.0L);
  auto at = [m](matrix& a, int i, int j) -> long double& {
    return a[static_cast<size_t>(i * m + j)];
  };
  std::vector<long double> v(static_cast<size_t>(m));
  std::vector<long double> w(static_cast<size_t>(m));
  long double fac = 1.0L;
  for (int j = 1; j <= m; ++j) {
    w[static_cast<size_t>(j - 1)] = fac;
    fac /= j;
    v[static_cast<size_t>(j - 1)]
      = (1.0L - std::pow(static_cast<long double>(h), j)) * fac;
  }
  long double tt
    = std::pow(std::max(2.0L * h - 1.0L, 0.0L), static_cast<long double>(m))
      - 2 * std::pow(static_cast<long double>(h), static_cast<long double>(m));
  v[static_cast<size_t>(m - 1)] = (1.0L + tt) * fac;
  for (int i = 1; i < m; ++i)
    for (int r = i - 1; r < m; ++r)
      at(H, r, i) = w[static_cast<size_t>(r - (i - 1))];
  for (int r = 0; r < m; ++r)
    at(H, r, 0) = v[static_cast<size_t>(r)];
  for (int c = 0; c < m; ++c)
    at(H, m - 1, c) = v[static_cast<size_t>(m - 1 - c)];
  auto multiply = [&](const matrix& a, const matrix& b) {
    matrix r(static_cast<size_t>(m * m), 0.0L);
    for (int i = 0; i < m; ++i)
      for (int l = 0; l < m; ++l) {
        auto x = a[static_cast<size_t>(i * m + l)];
        if (x == 0)
          continue;
        for (int j = 0; j < m; ++j)
          r[static_cast<size_t>(i * m + j)]
            += x * b[static_cast<size_t>(l * m + j)];
      }
    return r;
  };
  matrix P(static_cast<size_t>(m * m), 0.0L);
  for (int i = 0; i < m; ++i)
    at(P, i, i) = 1.0L;
  int64_t nn = n;
  int expnt = 0;
  int hexpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      P = multiply(P, H);
      expnt += hexpnt;
    }
    H = multiply(H, H);
    hexpnt *= 2;
    if (std::abs(at(H, k - 1, k - 1)) > ep128) {
      for (auto& x : H)
        x /= ep128;
      hexpnt += e128;
    }
    nn /= 2;
  }
  long double p = at(P, k - 1, k - 1);
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<long double>(i) * p / static_cast<long double>(n);
    if (std::abs(p) < em128) {
      p *= ep128;
      expnt -= e128;
    }
  }
  if (expnt != 0)
    p = std::ldexp(p, expnt);
  return clip(static_cast<double>(p));
}

void pomeranz_j1j2(int64_t i, int64_t n, int64_t ll, int64_t ceilf,
                   int64_t roundf, int64_t& j1, int64_t& j2) {
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    auto ip1div2 = (i + 1) / 2;
    auto ip1mod2 = (i + 1) % 2;
    if (ip1mod2 == 0) {
      if (ip1div2 == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  j1 = std::max<int64_t>(j1 + 2, 0);
  j2 = std::min(j2, n);
}

/// Pr(D_n <= x) by Pomeranz's recursion.
double kolmogn_pomeranz_cdf(int64_t n, double x) {
  double t = static_cast<double>(n) * x;
  auto ll = static_cast<int64_t>(std::floor(t));
  double f = t - static_cast<double>(ll);
  double g = std::min(f, 1.0 - f);
  int64_t ceilf = f > 0 ? 1 : 0;
  int64_t roundf = f > 0.5 ? 1 : 0;
  auto npwrs = static_cast<size_t>(2 * (ll + 1));
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  double nd = static_cast<double>(n);
  for (size_t m = 1; m < npwrs; ++m) {
    gpower[m] = gpower[m - 1] * (g / nd) / static_cast<double>(m);
    twogpower[m] = twogpower[m - 1] * (2 * g / nd) / static_cast<double>(m);
    onem2gpower[m]
      = onem2gpower[m - 1] * ((1 - 2 * g) / nd) / static_cast<double>(m);
  }
  std::vector<double> V0(npwrs, 0.0), V1(npwrs, 0.0);
  V1[0] = 1;
  int64_t V0s = 0, V1s = 0;
  int64_t j1 = 0, j2 = 0;
  pomeranz_j1j2(0, n, ll, ceilf, roundf, j1, j2);
  int expnt = 0;
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    auto k1 = j1;
    std::swap(V0, V1);
    std::swap(V0s, V1s);
    std::fill(V1.begin(), V1.end(), 0.0);
    pomeranz_j1j2(i, n, ll, ceilf, roundf, j1, j2);
    const auto& pwrs = (i == 1 || i == 2 * n + 1) ? gpower
                       : (i % 2)                  ? twogpower
                                                  : onem2gpower;
    auto ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = np.convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]),
      // of which entries [j1 - k1, j1 - k1 + (j2 - j1 + 1)) are used.
      // (A numpy slice past the end is shorter: so is `a_len`.)
      auto a_len
        = std::min<int64_t>(ln2, static_cast<int64_t>(npwrs) - (k1 - V0s));
      auto conv_start = j1 - k1;
      auto conv_len = j2 - j1 + 1;
      for (int64_t c = 0; c < conv_len; ++c) {
        auto idx = conv_start + c;
        double sum = 0;
        for (int64_t a = 0; a <= idx && a < a_len; ++a) {
          auto b = idx - a;
          if (b >= ln2)
            continue;
          sum += V0[static_cast<size_t>(k1 - V0s + a)]
                 * pwrs[static_cast<size_t>(b)];
        }
        V1[static_cast<size_t>(c)] = sum;
      }
      double mx = *std::max_element(V1.begin(), V1.end());
      if (0 < mx && mx < static_cast<double>(em128)) {
        for (auto& x : V1)
          x *= static_cast<double>(ep128);
        expnt -= e128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  double ans = V1[static_cast<size_t>(n - V1s)];
  for (int64_t m = 1; m <= n; ++m) {
    if (std::abs(ans) > static_cast<double>(ep128)) {
      ans *= static_cast<double>(em128);
      expnt += e128;
    }
    ans *= static_cast<double>(m);
  }
  if (expnt != 0)
    ans = std::ldexp(ans, expnt);
  return clip(ans);
}

/// Pr(D_n <= x) by the Pelz-Good approximation.
double kolmogn_pelz_good_cdf(int64_t n, double x) {
  if (x <= 0.0)
    return 0.0;
  if (x >= 1.0)
    return 1.0;
  const double pi2 = pi * pi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  double z = std::sqrt(static_cast<double>(n)) * x;
  double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  double qlog = -pi2 / 8 / z2;
  if (qlog < -708)
    return 0.0;
  double q = std::exp(qlog);
  double k1a = -z2;
  double k1b = pi2 / 4;
  double k2a = 6 * z6 + 2 * z4;
  double k2b = (2 * z4 - 5 * z2) * pi2 / 4;
  double k2c = pi4 * (1 - 2 * z2) / 16;
  double k3d = pi6 * (5 - 30 * z2) / 64;
  double k3c = pi4 * (-60 * z2 + 212 * z4) / 16;
  double k3b = pi2 * (135 * z4 - 96 * z6) / 4;
  double k3a = -30 * z6 - 90 * std::pow(z, 8);
  double K[4] = {0, 0, 0, 0};
  auto maxk = static_cast<int>(std::ceil(16 * z / pi));
  for (int k = maxk; k > 0; --k) {
    double m = 2 * k - 1;
    double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    double qpower = std::pow(q, 8 * k);
    double coeffs[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                        k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (int i = 0; i < 4; ++i)
      K[i] = K[i] * qpower + coeffs[i];
  }
  const double sqrt2pi = std::sqrt(2 * pi);
  double denom[4] = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (int i = 0; i < 4; ++i)
    K[i] = K[i] * q * sqrt2pi / denom[i];
  q = std::exp(-pi2 / 2 / z2);
  double k2extra = 0;
  double k3extra = 0;
  double sqrt3z = std::sqrt(3.0) * z;
  for (int k = maxk; k > 0; --k) {
    double ks2 = static_cast<double>(k) * k;
    double qp = std::pow(q, ks2);
    double kspi = pi * k;
    k2extra += ks2 * qp;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
  }
  K[2] += k2extra * pi2 * sqrt2pi / (-36 * z3);
  K[3] += k3extra * pi2 * sqrt2pi / (216 * z6);
  double sum = 0;
  for (int i = 0; i < 4; ++i)
    sum += K[i] / std::pow(static_cast<double>(n), i / 2.0);
  return sum;
}

} // namespace

double smirnov_sf(int64_t n, double e) {
  if (!(n > 0 && e >= 0.0 && e <= 1.0))
    return std::numeric_limits<double>::quiet_NaN();
  if (e == 0.0)
    return 1.0;
  auto nd = static_cast<double>(n);
  auto nn = static_cast<int64_t>(std::floor(nd * (1.0 - e)));
  // Birnbaum-Tingey: every term is positive, so the sum is stable; in log
  // space for large n.
  double p = 0.0;
  double lgn1 = std::lgamma(nd + 1);
  for (int64_t v = 0; v <= nn; ++v) {
    double evn = e + static_cast<double>(v) / nd;
    double omevn = 1.0 - evn;
    if (omevn <= 0 && n - v > 0)
      continue;
    double t
      = lgn1 - std::lgamma(static_cast<double>(v) + 1)
        - std::lgamma(static_cast<double>(n - v) + 1)
        + static_cast<double>(v - 1) * std::log(evn)
        + (n - v > 0 ? static_cast<double>(n - v) * std::log(omevn) : 0.0);
    if (t > -745)
      p += std::exp(t);
  }
  return clip(p * e);
}

double kolmogorov_two_sided_sf(int64_t n, double x) {
  if (n <= 0 || std::isnan(x))
    return std::numeric_limits<double>::quiet_NaN();
  if (x >= 1.0)
    return 0.0;
  if (x <= 0.0)
    return 1.0;
  auto nd = static_cast<double>(n);
  double t = nd * x;
  if (t <= 1.0) { // Ruben-Gambino
    if (t <= 0.5)
      return 1.0;
    double prob;
    if (n <= 140) {
      prob = 1.0;
      for (int64_t i = 1; i <= n; ++i)
        prob *= static_cast<double>(i) * (1.0 / nd) * (2 * t - 1);
    } else {
      prob
        = std::exp(log_nfactorial_div_n_pow_n(nd) + nd * std::log(2 * t - 1));
    }
    return clip(1.0 - prob);
  }
  if (t >= nd - 1) // Ruben-Gambino
    return clip(2 * std::pow(1.0 - x, nd));
  if (x >= 0.5)
    return clip(2 * smirnov_sf(n, x));
  double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693)
      return clip(1.0 - kolmogn_dmtw_cdf(n, x));
    if (nxsquared <= 4)
      return clip(1.0 - kolmogn_pomeranz_cdf(n, x));
    return clip(2 * smirnov_sf(n, x));
  }
  if (nxsquared >= 370.0)
    return 0.0;
  if (nxsquared >= 2.2)
    return clip(2 * smirnov_sf(n, x));
  double cdf;
  if (nxsquared >= 18.0)
    cdf = 1.0;
  else if (n <= 100000 && nd * std::pow(x, 1.5) <= 1.4)
    cdf = kolmogn_dmtw_cdf(n, x);
  else
    cdf = kolmogn_pelz_good_cdf(n, x);
  return clip(1.0 - cdf);
}

double gamma_q(double a, double x) {
  if (x <= 0)
    return 1.0;
  if (a <= 0)
    return 0.0;
  double lg = std::lgamma(a);
  if (x < a + 1) {
    // P by its series, Q = 1 - P.
    double sum = 1.0 / a;
    double term = sum;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-17)
        break;
    }
    return clip(1.0 - sum * std::exp(-x + a * std::log(x) - lg));
  }
  // Q by its continued fraction (modified Lentz).
  const double tiny = 1e-300;
  double b = x + 1 - a;
  double c = 1 / tiny;
  double d = 1 / b;
  double h = d;
  for (int i = 1; i < 100000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny)
      d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny)
      c = tiny;
    d = 1 / d;
    double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-17)
      break;
  }
  return clip(std::exp(-x + a * std::log(x) - lg) * h);
}

double chi2_sf(double x, double dof) {
  return gamma_q(dof / 2, x / 2);
}

double bessel_k(double nu, double x) {
  // K_nu(x) = integral over t in [0, inf) of exp(-x cosh t) cosh(nu t):
  // the integrand decays double-exponentially, so the trapezoid rule
  // converges geometrically in the step.
  const double h = 1.0 / 64;
  double sum = 0.5 * std::exp(-x);
  for (int i = 1;; ++i) {
    double t = i * h;
    double term = std::exp(-x * std::cosh(t)) * std::cosh(nu * t);
    sum += term;
    if (term < sum * 1e-18 || i > 100000)
      break;
  }
  return sum * h;
}

double cvm_limit_cdf(double x) {
  // Csörgő & Faraway (1996), eq. 1.2, summed until a term is below 1e-7
  // (as SciPy does).
  double total = 0;
  for (int k = 0;; ++k) {
    double u = std::exp(std::lgamma(k + 0.5) - std::lgamma(k + 1.0))
               / (std::pow(pi, 1.5) * std::sqrt(x));
    double y = 4.0 * k + 1;
    double q = y * y / (16 * x);
    double z = u * std::sqrt(y) * std::exp(-q) * bessel_k(0.25, q);
    total += z;
    if (std::abs(z) < 1e-7 || k > 10000)
      break;
  }
  return total;
}

} // namespace argus::stats
