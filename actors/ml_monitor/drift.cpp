#include "actors/ml_monitor/drift.hpp"

#include "actors/ml_monitor/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace argus::drift {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Pr(D_{n,n} >= h/n): SciPy's `_compute_prob_outside_square`.
double prob_outside_square(int64_t n, int64_t h) {
  double P = 0.0;
  auto k = static_cast<int64_t>(std::floor(static_cast<double>(n) / h));
  while (k >= 0) {
    double p1 = 1.0;
    for (int64_t j = 0; j < h; ++j)
      p1 = static_cast<double>(n - k * h - j) * p1
           / static_cast<double>(n + k * h + j + 1);
    P = p1 * (1.0 - P);
    --k;
  }
  return 2 * P;
}

/// The share of lattice paths from (0, 0) to (m, n) that leave the band
/// |x/m - y/n| < h / lcm (Viehmann's recursion for 1 - p, as SciPy's
/// `_compute_outer_prob_inside_method`).
double outer_prob_inside(int64_t m, int64_t n, int64_t g, int64_t h) {
  if (m < n)
    std::swap(m, n);
  auto mg = m / g;
  auto ng = n / g;
  auto minj = int64_t{0};
  auto maxj = std::min<int64_t>(
    static_cast<int64_t>(std::ceil(static_cast<double>(h) / mg)), n + 1);
  auto curlen = maxj - minj;
  auto lenA = std::min<int64_t>(2 * maxj + 2, n + 1);
  std::vector<double> A(static_cast<size_t>(lenA), 1.0);
  for (auto j = minj; j < maxj; ++j)
    A[static_cast<size_t>(j)] = 0.0;
  for (int64_t i = 1; i <= m; ++i) {
    auto lastminj = minj;
    auto lastlen = curlen;
    minj = std::max<int64_t>(
      static_cast<int64_t>(std::floor(static_cast<double>(ng * i - h) / mg))
        + 1,
      0);
    minj = std::min(minj, n);
    maxj = std::min<int64_t>(
      static_cast<int64_t>(std::ceil(static_cast<double>(ng * i + h) / mg)),
      n + 1);
    if (maxj <= minj)
      return 1.0;
    double val = minj == 0 ? 0.0 : 1.0;
    for (int64_t jj = 0; jj < maxj - minj; ++jj) {
      auto j = jj + minj;
      val
        = (A[static_cast<size_t>(jj + minj - lastminj)] * static_cast<double>(i)
           + val * static_cast<double>(j))
          / static_cast<double>(i + j);
      A[static_cast<size_t>(jj)] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen)
      for (auto r = maxj - minj; r < maxj - minj + (lastlen - curlen); ++r)
        A[static_cast<size_t>(r)] = 1.0;
  }
  return A[static_cast<size_t>(maxj - minj - 1)];
}

/// Shares of each of 10 bins (left-closed, outer ends open) cut at the
/// reference's deciles.
std::vector<double> decile_shares(const std::vector<double>& xs,
                                  const std::vector<double>& interior) {
  std::vector<double> counts(interior.size() + 1, 0.0);
  for (auto x : xs) {
    auto i = std::upper_bound(interior.begin(), interior.end(), x)
             - interior.begin();
    counts[static_cast<size_t>(i)] += 1;
  }
  for (auto& c : counts)
    c /= static_cast<double>(xs.size());
  return counts;
}

double psi_of(std::vector<double> r, std::vector<double> c) {
  double sum = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    auto ri = r[i] == 0 ? 1e-4 : r[i];
    auto ci = c[i] == 0 ? 1e-4 : c[i];
    sum += (ci - ri) * std::log(ci / ri);
  }
  return sum;
}

/// Twice the midranks of `z` (1-based): integers, exact at any size.
std::vector<int64_t> twice_midranks(const std::vector<double>& z) {
  std::vector<size_t> order(z.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return z[a] < z[b];
  });
  std::vector<int64_t> r(z.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && z[order[j + 1]] == z[order[i]])
      ++j;
    auto rank = static_cast<int64_t>(i + 1) + static_cast<int64_t>(j + 1);
    for (size_t k = i; k <= j; ++k)
      r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

/// The exact p-value of the two-sample CvM statistic U (Xiao, Gordon and
/// Yakovlev's algorithm, as SciPy's `_pval_cvm_2samp_exact`).
double cvm_exact_pvalue(double u, int64_t m, int64_t n) {
  auto lcm = std::lcm(m, n);
  auto a = lcm / m;
  auto b = lcm / n;
  auto mn = m * n;
  double zeta = std::floor(static_cast<double>(lcm * lcm * (m + n))
                           * (6 * u - static_cast<double>(mn * (4 * mn - 1)))
                           / static_cast<double>(6 * mn * mn));
  // gs[v]: value -> number of paths to (u, v) with that sum.
  using table = std::map<int64_t, uint64_t>;
  std::vector<table> gs(static_cast<size_t>(m + 1));
  gs[0][0] = 1;
  for (int64_t uu = 0; uu <= n; ++uu) {
    std::vector<table> next(static_cast<size_t>(m + 1));
    table tmp;
    for (int64_t v = 0; v <= m; ++v) {
      for (const auto& [value, freq] : gs[static_cast<size_t>(v)])
        tmp[value] += freq;
      auto add = (a * v - b * uu) * (a * v - b * uu);
      table shifted;
      for (const auto& [value, freq] : tmp)
        shifted.emplace_hint(shifted.end(), value + add, freq);
      tmp = std::move(shifted);
      next[static_cast<size_t>(v)] = tmp;
    }
    gs = std::move(next);
  }
  double hits = 0;
  double total = 0;
  for (const auto& [value, freq] : gs[static_cast<size_t>(m)]) {
    total += static_cast<double>(freq);
    if (static_cast<double>(value) >= zeta)
      hits += static_cast<double>(freq);
  }
  return hits / total;
}

} // namespace

void sort_values(std::vector<double>& xs) {
  if (xs.size() < 4096) {
    std::sort(xs.begin(), xs.end());
    return;
  }
  // Order-preserving keys: flip all bits of negatives, the sign of others.
  std::vector<uint64_t> keys(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    uint64_t u;
    std::memcpy(&u, &xs[i], sizeof u);
    keys[i] = (u >> 63) ? ~u : (u | (uint64_t{1} << 63));
  }
  std::vector<uint64_t> tmp(xs.size());
  constexpr int bits = 16;
  constexpr size_t buckets = size_t{1} << bits;
  std::vector<size_t> count(buckets);
  for (int shift = 0; shift < 64; shift += bits) {
    std::fill(count.begin(), count.end(), 0);
    for (auto k : keys)
      ++count[(k >> shift) & (buckets - 1)];
    // A digit every key shares needs no pass.
    if (count[(keys[0] >> shift) & (buckets - 1)] == keys.size())
      continue;
    size_t sum = 0;
    for (auto& c : count) {
      auto n = c;
      c = sum;
      sum += n;
    }
    for (auto k : keys)
      tmp[count[(k >> shift) & (buckets - 1)]++] = k;
    keys.swap(tmp);
  }
  for (size_t i = 0; i < xs.size(); ++i) {
    auto k = keys[i];
    uint64_t u = (k >> 63) ? (k & ~(uint64_t{1} << 63)) : ~k;
    std::memcpy(&xs[i], &u, sizeof u);
  }
}

ks_result ks_2samp(std::vector<double> a, std::vector<double> b) {
  if (a.empty() || b.empty())
    throw std::invalid_argument("ks_2samp needs two non-empty samples");
  sort_values(a);
  sort_values(b);
  auto n1 = static_cast<int64_t>(a.size());
  auto n2 = static_cast<int64_t>(b.size());
  // The largest |F1 - F2| over every observed value (CDFs right-
  // continuous: ties are taken whole).
  double d = 0;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    double x = (j == b.size() || (i < a.size() && a[i] <= b[j])) ? a[i] : b[j];
    while (i < a.size() && a[i] <= x)
      ++i;
    while (j < b.size() && b[j] <= x)
      ++j;
    double diff = static_cast<double>(i) / static_cast<double>(n1)
                  - static_cast<double>(j) / static_cast<double>(n2);
    d = std::max(d, std::abs(diff));
  }
  ks_result r;
  auto g = std::gcd(n1, n2);
  if (std::max(n1, n2) <= 10000) {
    auto lcm = (n1 / g) * n2;
    auto h = static_cast<int64_t>(std::nearbyint(d * static_cast<double>(lcm)));
    r.statistic = static_cast<double>(h) / static_cast<double>(lcm);
    r.exact = true;
    if (h == 0)
      r.pvalue = 1.0;
    else if (n1 == n2)
      r.pvalue = prob_outside_square(n1, h);
    else
      r.pvalue = outer_prob_inside(n1, n2, g, h);
    if (std::isfinite(r.pvalue) && r.pvalue >= 0 && r.pvalue <= 1)
      return r;
    // As SciPy: an unsuccessful exact computation falls back to asymp
    // (with the unrounded statistic).
    r.exact = false;
  }
  r.statistic = d;
  auto m = static_cast<double>(std::max(n1, n2));
  auto n = static_cast<double>(std::min(n1, n2));
  auto en = m * n / (m + n);
  r.pvalue = stats::kolmogorov_two_sided_sf(
    static_cast<int64_t>(std::nearbyint(en)), d);
  r.pvalue = std::clamp(r.pvalue, 0.0, 1.0);
  return r;
}

double wasserstein(std::vector<double> a, std::vector<double> b) {
  if (a.empty() || b.empty())
    throw std::invalid_argument("wasserstein needs two non-empty samples");
  sort_values(a);
  sort_values(b);
  std::vector<double> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all));
  double total = 0;
  size_t i = 0, j = 0;
  for (size_t k = 0; k + 1 < all.size(); ++k) {
    while (i < a.size() && a[i] <= all[k])
      ++i;
    while (j < b.size() && b[j] <= all[k])
      ++j;
    double fa = static_cast<double>(i) / static_cast<double>(a.size());
    double fb = static_cast<double>(j) / static_cast<double>(b.size());
    total += std::abs(fa - fb) * (all[k + 1] - all[k]);
  }
  return total;
}

double wasserstein_score(const std::vector<double>& reference,
                         const std::vector<double>& current) {
  double mean = 0;
  for (auto x : reference)
    mean += x;
  mean /= static_cast<double>(reference.size());
  double var = 0;
  for (auto x : reference)
    var += (x - mean) * (x - mean);
  double sd = std::sqrt(var / static_cast<double>(reference.size()));
  return wasserstein(reference, current) / std::max(sd, 0.001);
}

std::vector<double> np_linspace(double lo, double hi, int num) {
  std::vector<double> y(static_cast<size_t>(num));
  double step = (hi - lo) / (num - 1);
  for (int i = 0; i < num; ++i)
    y[static_cast<size_t>(i)] = static_cast<double>(i) * step + lo;
  y.back() = hi;
  return y;
}

namespace {

/// A sum of doubles held exactly: Shewchuk's grow-expansion keeps it as
/// non-overlapping parts in increasing magnitude (each TwoSum exact).
class exact_sum {
public:
  exact_sum(std::initializer_list<double> terms) {
    for (double t : terms)
      add(t);
  }

  /// The sign of the exact sum: the largest non-zero part's.
  int sign() const noexcept {
    for (size_t i = n_; i-- > 0;)
      if (parts_[i] != 0)
        return parts_[i] > 0 ? 1 : -1;
    return 0;
  }

  /// The sum rounded to a double: within an ulp of the exact one.
  double approx() const noexcept {
    double s = 0;
    for (size_t i = 0; i < n_; ++i)
      s += parts_[i];
    return s;
  }

private:
  void add(double t) noexcept {
    double q = t;
    size_t kept = 0;
    for (size_t i = 0; i < n_; ++i) {
      double s = q + parts_[i];
      double bv = s - q;
      double err = (q - (s - bv)) + (parts_[i] - bv);
      if (err != 0)
        parts_[kept++] = err;
      q = s;
    }
    parts_[kept++] = q;
    n_ = kept;
  }

  double parts_[8];
  size_t n_ = 0;
};

/// a * b as value and rounding error, exactly.
std::pair<double, double> two_product(double a, double b) noexcept {
  double p = a * b;
  return {p, std::fma(a, b, -p)};
}

/// (10 - m) x + m y - 10 (t_hi + t_lo), exactly.
exact_sum ten_times_gap(double x, double y, int m, double t_hi, double t_lo) {
  auto [px, ex] = two_product(10.0 - m, x);
  auto [py, ey] = two_product(m, y);
  auto [pt, et] = two_product(-10.0, t_hi);
  return {px, ex, py, ey, pt, et, -10 * t_lo};
}

/// x + (y - x) m / 10 rounded once to the nearest double (ties to even),
/// as exact rational arithmetic gives it. Floating-point lerp is off by an
/// ulp for about one pair in twelve, and an edge an ulp past a value moves
/// that value to the bin below: 0.02 + 0.12 * 0.5 is 0.08000000000000002,
/// so a current value of 0.08 fell below the median. Near zero it is off
/// by far more (-0.27 + 0.3 * 0.9 gives 5.6e-17 for -2.8e-18).
double lerp_tenths(double x, double y, int m) {
  if (m == 0 || x == y)
    return x;
  // Within two ulps of the answer: the numerator within an ulp, divided.
  double c = ten_times_gap(x, y, m, 0, 0).approx() / 10;
  if (!std::isfinite(c))
    return c;
  // Step to the double whose rounding interval holds the exact value: a
  // midpoint between c and a neighbour is c + half the gap (a power of
  // two, so ten of it is exact).
  auto even = [](double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return (bits & 1) == 0;
  };
  constexpr auto inf = std::numeric_limits<double>::infinity();
  for (;;) {
    double up = std::nextafter(c, inf);
    int past_up = ten_times_gap(x, y, m, c, (up - c) / 2).sign();
    if (past_up > 0 || (past_up == 0 && even(up))) {
      c = up;
      continue;
    }
    double down = std::nextafter(c, -inf);
    int past_down = ten_times_gap(x, y, m, c, (down - c) / 2).sign();
    if (past_down < 0 || (past_down == 0 && even(down))) {
      c = down;
      continue;
    }
    return c;
  }
}

} // namespace

std::vector<double> decile_edges(const std::vector<double>& sorted) {
  auto n = sorted.size();
  std::vector<double> edges;
  edges.reserve(9);
  for (size_t k = 1; k < 10; ++k) {
    auto h = k * (n - 1);
    auto j = h / 10;
    auto m = static_cast<int>(h % 10);
    if (j + 1 >= n) {
      edges.push_back(sorted[n - 1]);
      continue;
    }
    edges.push_back(lerp_tenths(sorted[j], sorted[j + 1], m));
  }
  return edges;
}

double psi(const std::vector<double>& reference,
           const std::vector<double>& current) {
  auto sorted = reference;
  std::sort(sorted.begin(), sorted.end());
  auto interior = decile_edges(sorted);
  return psi_of(decile_shares(reference, interior),
                decile_shares(current, interior));
}

std::vector<double> pooled_edges(const std::vector<double>& reference,
                                 const std::vector<double>& current) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const auto* xs : {&reference, &current})
    for (auto x : *xs) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  return np_linspace(lo, hi, 11);
}

std::vector<double> pooled_histogram(const std::vector<double>& xs,
                                     const std::vector<double>& edges) {
  // numpy.histogram with explicit edges: [e_i, e_i+1), the last closed.
  auto sorted = xs;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> counts(edges.size() - 1);
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    auto from = std::lower_bound(sorted.begin(), sorted.end(), edges[i]);
    auto to = i + 2 == edges.size()
                ? std::upper_bound(sorted.begin(), sorted.end(), edges[i + 1])
                : std::lower_bound(sorted.begin(), sorted.end(), edges[i + 1]);
    counts[i] = static_cast<double>(to - from);
  }
  return counts;
}

double jensen_shannon_of(const std::vector<double>& p,
                         const std::vector<double>& q) {
  double sp = std::accumulate(p.begin(), p.end(), 0.0);
  double sq = std::accumulate(q.begin(), q.end(), 0.0);
  auto rel_entr = [](double x, double y) {
    return x > 0 && y > 0 ? x * std::log(x / y) : (x == 0 ? 0.0 : nan);
  };
  double left = 0;
  double right = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double pi = p[i] / sp;
    double qi = q[i] / sq;
    double m = (pi + qi) / 2.0;
    left += rel_entr(pi, m);
    right += rel_entr(qi, m);
  }
  double js = (left + right) / std::log(2.0);
  return std::sqrt(js / 2.0);
}

double jensen_shannon(const std::vector<double>& reference,
                      const std::vector<double>& current) {
  auto edges = pooled_edges(reference, current);
  return jensen_shannon_of(pooled_histogram(reference, edges),
                           pooled_histogram(current, edges));
}

double hellinger(const std::vector<double>& reference,
                 const std::vector<double>& current) {
  auto edges = pooled_edges(reference, current);
  auto p = pooled_histogram(reference, edges);
  auto q = pooled_histogram(current, edges);
  double sum = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    double d = std::sqrt(p[i] / static_cast<double>(reference.size()))
               - std::sqrt(q[i] / static_cast<double>(current.size()));
    sum += d * d;
  }
  return std::sqrt(sum / 2.0);
}

categorical_result
chi2_categorical(const std::map<std::string, uint64_t>& reference,
                 const std::map<std::string, uint64_t>& current) {
  // The 2 x K table over the categories seen on either side.
  std::vector<std::string> names;
  std::vector<double> r, c;
  for (const auto& [k, n] : reference)
    if (n > 0)
      names.push_back(k);
  for (const auto& [k, n] : current)
    if (n > 0 && (!reference.count(k) || reference.at(k) == 0))
      names.push_back(k);
  std::sort(names.begin(), names.end());
  categorical_result res;
  for (const auto& k : names) {
    auto ri = reference.count(k) ? reference.at(k) : 0;
    auto ci = current.count(k) ? current.at(k) : 0;
    r.push_back(static_cast<double>(ri));
    c.push_back(static_cast<double>(ci));
    if (ri == 0)
      res.new_categories.push_back(k);
  }
  double rt = std::accumulate(r.begin(), r.end(), 0.0);
  double ct = std::accumulate(c.begin(), c.end(), 0.0);
  double total = rt + ct;
  res.dof = names.size() >= 1 ? static_cast<double>(names.size() - 1) : 0;
  if (res.dof == 0 || rt == 0 || ct == 0) {
    res.statistic = 0;
    res.pvalue = 1.0;
  } else {
    double stat = 0;
    for (size_t i = 0; i < names.size(); ++i)
      for (int row = 0; row < 2; ++row) {
        double observed = row == 0 ? r[i] : c[i];
        double expected = (row == 0 ? rt : ct) * (r[i] + c[i]) / total;
        if (res.dof == 1) {
          // Yates: move each observation half a count towards expected.
          double diff = expected - observed;
          double direction = diff > 0 ? 1.0 : diff < 0 ? -1.0 : 0.0;
          observed += std::min(0.5, std::abs(diff)) * direction;
        }
        stat += (observed - expected) * (observed - expected) / expected;
      }
    res.statistic = stat;
    res.pvalue = stats::chi2_sf(stat, res.dof);
  }
  std::vector<double> rs, cs;
  for (size_t i = 0; i < names.size(); ++i) {
    rs.push_back(rt > 0 ? r[i] / rt : 0);
    cs.push_back(ct > 0 ? c[i] / ct : 0);
  }
  res.psi = psi_of(rs, cs);
  res.jensen_shannon = jensen_shannon_of(r, c);
  return res;
}

test_result anderson_ksamp(std::vector<double> a, std::vector<double> b) {
  std::vector<std::vector<double>> samples{std::move(a), std::move(b)};
  std::vector<double> Z;
  for (auto& s : samples) {
    if (s.empty())
      throw std::invalid_argument("anderson_ksamp: a sample is empty");
    std::sort(s.begin(), s.end());
    Z.insert(Z.end(), s.begin(), s.end());
  }
  std::sort(Z.begin(), Z.end());
  std::vector<double> Zstar = Z;
  Zstar.erase(std::unique(Zstar.begin(), Zstar.end()), Zstar.end());
  if (Zstar.size() < 2)
    throw std::invalid_argument(
      "anderson_ksamp needs more than one distinct observation");
  const double N = static_cast<double>(Z.size());
  const double k = 2;
  // A2akN, equation 7 of Scholz and Stephens (midranks).
  double A2kN = 0;
  for (const auto& s : samples) {
    double inner_sum = 0;
    for (auto z : Zstar) {
      double left = static_cast<double>(std::lower_bound(Z.begin(), Z.end(), z)
                                        - Z.begin());
      double lj = static_cast<double>(std::upper_bound(Z.begin(), Z.end(), z)
                                      - Z.begin())
                  - left;
      if (Z.size() == Zstar.size())
        lj = 1.0;
      double Bj = left + lj / 2.0;
      double right_s = static_cast<double>(
        std::upper_bound(s.begin(), s.end(), z) - s.begin());
      double fij = right_s
                   - static_cast<double>(std::lower_bound(s.begin(), s.end(), z)
                                         - s.begin());
      double Mij = right_s - fij / 2.0;
      double ni = static_cast<double>(s.size());
      inner_sum += lj / N * (N * Mij - Bj * ni) * (N * Mij - Bj * ni)
                   / (Bj * (N - Bj) - N * lj / 4.0);
    }
    A2kN += inner_sum / static_cast<double>(s.size());
  }
  A2kN *= (N - 1.0) / N;
  double H = 0;
  for (const auto& s : samples)
    H += 1.0 / static_cast<double>(s.size());
  // hs_cs = cumsum(1 / arange(N - 1, 1, -1)); h = hs_cs[-1] + 1;
  // g = sum(hs_cs / arange(2, N)).
  auto Ni = static_cast<int64_t>(Z.size());
  std::vector<double> hs_cs;
  double acc = 0;
  for (int64_t v = Ni - 1; v > 1; --v) {
    acc += 1.0 / static_cast<double>(v);
    hs_cs.push_back(acc);
  }
  double h = (hs_cs.empty() ? 0.0 : hs_cs.back()) + 1;
  double g = 0;
  for (size_t idx = 0; idx < hs_cs.size(); ++idx)
    g += hs_cs[idx] / static_cast<double>(idx + 2);
  double ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  double cb = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h
              + 4 * g - 6;
  double cc = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k
              + (2 * h - 6) * H + 4 * h;
  double cd = (2 * h + 6) * k * k - 4 * h * k;
  double sigmasq = (ca * N * N * N + cb * N * N + cc * N + cd)
                   / ((N - 1.) * (N - 2.) * (N - 3.));
  double m = k - 1;
  double A2 = (A2kN - m) / std::sqrt(sigmasq);
  static constexpr double b0[]
    = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
  static constexpr double b1[]
    = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
  static constexpr double b2[]
    = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
  static constexpr double sig[] = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
  double critical[7];
  for (int i = 0; i < 7; ++i)
    critical[i] = b0[i] + b1[i] / std::sqrt(m) + b2[i] / m;
  test_result res;
  res.statistic = A2;
  if (A2 < *std::min_element(critical, critical + 7)) {
    res.pvalue = 0.25;
  } else if (A2 > *std::max_element(critical, critical + 7)) {
    res.pvalue = 0.001;
  } else {
    // Least-squares quadratic through (critical, log sig), as np.polyfit.
    double S[5] = {0, 0, 0, 0, 0};
    double T[3] = {0, 0, 0};
    for (int i = 0; i < 7; ++i) {
      double x = critical[i];
      double y = std::log(sig[i]);
      double p = 1;
      for (int e = 0; e < 5; ++e) {
        S[e] += p;
        if (e < 3)
          T[e] += p * y;
        p *= x;
      }
    }
    // Normal equations for c0 + c1 x + c2 x^2, solved by Cramer's rule.
    double M[3][3]
      = {{S[0], S[1], S[2]}, {S[1], S[2], S[3]}, {S[2], S[3], S[4]}};
    auto det3 = [](double a[3][3]) {
      return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
             - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
             + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    };
    double D = det3(M);
    double coef[3];
    for (int col = 0; col < 3; ++col) {
      double Mc[3][3];
      for (int r = 0; r < 3; ++r)
        for (int cc2 = 0; cc2 < 3; ++cc2)
          Mc[r][cc2] = cc2 == col ? T[r] : M[r][cc2];
      coef[col] = det3(Mc) / D;
    }
    res.pvalue = std::exp(coef[0] + coef[1] * A2 + coef[2] * A2 * A2);
  }
  return res;
}

test_result cramervonmises(std::vector<double> a, std::vector<double> b) {
  if (a.size() <= 1 || b.size() <= 1)
    throw std::invalid_argument(
      "cramervonmises needs at least two observations per sample");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  auto nx = static_cast<int64_t>(a.size());
  auto ny = static_cast<int64_t>(b.size());
  // U = nx * sum (r_i - i)^2 + ny * sum (s_j - j)^2 over the midranks r, s
  // in the pooled sample. Twice a midrank is an integer, so 4U is a sum of
  // integer squares: kept exact in 128 bits up to any size a window holds,
  // where double sums lose digits from about 10^5 values on.
  __extension__ typedef __int128 wide;
  std::vector<double> z = a;
  z.insert(z.end(), b.begin(), b.end());
  auto twice_r = twice_midranks(z);
  wide sx = 0;
  for (int64_t i = 0; i < nx; ++i) {
    wide d = twice_r[static_cast<size_t>(i)] - 2 * (i + 1);
    sx += d * d;
  }
  wide sy = 0;
  for (int64_t i = 0; i < ny; ++i) {
    wide d = twice_r[static_cast<size_t>(nx + i)] - 2 * (i + 1);
    sy += d * d;
  }
  wide four_u = wide{nx} * sx + wide{ny} * sy;
  double u = static_cast<double>(static_cast<long double>(four_u) / 4);
  wide k_wide = wide{nx} * ny;
  double k = static_cast<double>(nx * ny);
  double N = static_cast<double>(nx + ny);
  test_result res;
  // T = U / (kN) - (4k - 1) / (6N) = (6 * 4U - 4k(4k - 1)) / (24 kN): one
  // rounding, after an exact difference.
  wide numerator = 6 * four_u - 4 * k_wide * (4 * k_wide - 1);
  wide denominator = 24 * k_wide * wide{nx + ny};
  res.statistic = static_cast<double>(static_cast<long double>(numerator)
                                      / static_cast<long double>(denominator));
  if (std::max(nx, ny) <= 20) {
    res.pvalue = cvm_exact_pvalue(u, nx, ny);
    return res;
  }
  double et = (1 + 1 / N) / 6;
  double vt
    = (N + 1)
      * (4 * k * N - 3 * (static_cast<double>(nx * nx + ny * ny)) - 2 * k);
  vt = vt / (45 * N * N * 4 * k);
  double tn = 1.0 / 6 + (res.statistic - et) / std::sqrt(45 * vt);
  res.pvalue = tn < 0.003 ? 1.0 : std::max(0.0, 1.0 - stats::cvm_limit_cdf(tn));
  return res;
}

severity severity_of(double score, double threshold, double critical) {
  if (!(score >= threshold))
    return severity::none;
  if (score >= critical)
    return severity::critical;
  double third = (critical - threshold) / 3;
  if (score < threshold + third)
    return severity::low;
  if (score < threshold + 2 * third)
    return severity::medium;
  return severity::high;
}

namespace {

void conclude(method_result& r, double alpha, double threshold,
              double critical) {
  bool significant = std::isnan(r.pvalue) || r.pvalue < alpha;
  r.drift = significant && r.score >= threshold;
  r.level
    = r.drift ? severity_of(r.score, threshold, critical) : severity::none;
}

} // namespace

method_result run_method(const std::string& method,
                         const std::vector<double>& reference,
                         const std::vector<double>& current, double alpha,
                         double threshold, double critical) {
  if (reference.empty() || current.empty())
    throw std::invalid_argument("both samples need values");
  method_result r;
  r.method = method;
  r.pvalue = nan;
  if (method == "ks") {
    auto ks = ks_2samp(reference, current);
    r.statistic = ks.statistic;
    r.pvalue = ks.pvalue;
    r.score = ks.statistic;
  } else if (method == "psi") {
    r.statistic = r.score = psi(reference, current);
  } else if (method == "wasserstein") {
    r.statistic = wasserstein(reference, current);
    r.score = wasserstein_score(reference, current);
  } else if (method == "js") {
    r.statistic = r.score = jensen_shannon(reference, current);
  } else if (method == "hellinger") {
    r.statistic = r.score = hellinger(reference, current);
  } else if (method == "ad" || method == "cvm") {
    auto t = method == "ad" ? anderson_ksamp(reference, current)
                            : cramervonmises(reference, current);
    r.statistic = t.statistic;
    r.pvalue = t.pvalue;
    r.score = ks_2samp(reference, current).statistic;
  } else {
    throw std::invalid_argument("unknown method '" + method
                                + "' (ks psi wasserstein js hellinger ad cvm; "
                                  "chi2 for categories)");
  }
  conclude(r, alpha, threshold, critical);
  return r;
}

method_result run_categorical(const std::string& method,
                              const std::vector<std::string>& reference,
                              const std::vector<std::string>& current,
                              double alpha, double threshold, double critical) {
  if (reference.empty() || current.empty())
    throw std::invalid_argument("both samples need values");
  std::map<std::string, uint64_t> r_counts, c_counts;
  for (const auto& x : reference)
    ++r_counts[x];
  for (const auto& x : current)
    ++c_counts[x];
  auto c = chi2_categorical(r_counts, c_counts);
  method_result r;
  r.method = method;
  r.new_categories = c.new_categories;
  r.pvalue = nan;
  if (method == "chi2") {
    r.statistic = c.statistic;
    r.pvalue = c.pvalue;
    r.score = c.psi;
  } else if (method == "psi") {
    r.statistic = r.score = c.psi;
  } else if (method == "js") {
    r.statistic = r.score = c.jensen_shannon;
  } else {
    throw std::invalid_argument("unknown method '" + method
                                + "' for categories (chi2 psi js)");
  }
  conclude(r, alpha, threshold, critical);
  return r;
}

std::vector<bool> benjamini_hochberg(const std::vector<double>& pvalues,
                                     double q) {
  auto m = pvalues.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return pvalues[a] < pvalues[b];
  });
  size_t k = 0;
  for (size_t rank = 1; rank <= m; ++rank)
    if (pvalues[order[rank - 1]]
        <= static_cast<double>(rank) * q / static_cast<double>(m))
      k = rank;
  std::vector<bool> result(m, false);
  for (size_t rank = 1; rank <= k; ++rank)
    result[order[rank - 1]] = true;
  return result;
}

} // namespace argus::drift
