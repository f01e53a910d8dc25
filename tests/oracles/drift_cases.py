#!/usr/bin/python3
"""Reference values for argus's drift tests, computed by SciPy 1.10 and
numpy 1.24 (Debian bookworm's python3-scipy).

Writes tests/oracles/drift_cases.json: for each case its two samples and
what SciPy (or numpy, for the binned scores argus defines on top of it)
says. Regenerate with
    /usr/bin/python3 tests/oracles/drift_cases.py > tests/oracles/drift_cases.json
The cases are chosen for their edges: ties, tiny samples, identical and
constant samples, heavy tails, unequal sizes, both KS methods and both
Cramér-von Mises methods, and a Cramér-von Mises statistic at a million
values computed exactly (SciPy's own sums in floating point are not).
"""
import json
from fractions import Fraction
import sys
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

assert scipy.__version__.startswith("1.10"), scipy.__version__
warnings.simplefilter("ignore")


def exact_deciles(ref):
    """The 9 inner deciles by linear interpolation between order statistics
    (numpy's default method), with the index k(n-1)/10 and the
    interpolation computed in exact rational arithmetic and rounded once.
    numpy's quantile of linspace(0, 1, 11) takes 10 * 0.3 as
    3.0000000000000004 and can put an edge a rounding error past a value;
    statistics.quantiles' (x(10-d) + yd)/10 moves a tied value's edge by an
    ulp."""
    s = np.sort(np.asarray(ref, dtype=float)).tolist()
    n = len(s)
    out = []
    for k in range(1, 10):
        j, m = divmod(k * (n - 1), 10)
        if j + 1 >= n:
            out.append(s[-1])
            continue
        x, y = Fraction(s[j]), Fraction(s[j + 1])
        out.append(float(x + (y - x) * Fraction(m, 10)))
    return np.array(out)


def psi(ref, cur):
    # 10 bins at the reference's exact deciles, left-closed, outer ends
    # open; an empty share becomes 1e-4.
    interior = exact_deciles(ref)
    r = np.bincount(np.searchsorted(interior, ref, side="right"),
                    minlength=10) / len(ref)
    c = np.bincount(np.searchsorted(interior, cur, side="right"),
                    minlength=10) / len(cur)
    r = np.where(r == 0, 1e-4, r)
    c = np.where(c == 0, 1e-4, c)
    return float(np.sum((c - r) * np.log(c / r)))


def binned(ref, cur):
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins=10)
    p = np.histogram(ref, bins=edges)[0].astype(float)
    q = np.histogram(cur, bins=edges)[0].astype(float)
    js = float(distance.jensenshannon(p, q, base=2))
    hel = float(np.sqrt(np.sum((np.sqrt(p / p.sum()) - np.sqrt(q / q.sum())) ** 2) / 2))
    return js, hel


def or_none(f):
    try:
        return f()
    except ValueError:
        return None


def numeric_case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ks = stats.ks_2samp(a, b)
    js, hel = binned(a, b)
    ad = or_none(lambda: stats.anderson_ksamp([a, b]))
    cvm = stats.cramervonmises_2samp(a, b)
    return {
        "name": name,
        "reference": a.tolist(),
        "current": b.tolist(),
        "ks": {"statistic": float(ks.statistic), "pvalue": float(ks.pvalue),
               "exact": bool(max(len(a), len(b)) <= 10000)},
        "wasserstein": float(stats.wasserstein_distance(a, b)),
        "wasserstein_score": float(stats.wasserstein_distance(a, b)
                                   / max(np.std(a), 0.001)),
        "psi": psi(a, b),
        "jensen_shannon": js,
        "hellinger": hel,
        "anderson": None if ad is None else
            {"statistic": float(ad.statistic), "pvalue": float(ad.pvalue)},
        "cramervonmises": {"statistic": float(cvm.statistic),
                           "pvalue": float(cvm.pvalue)},
    }


def categorical_case(name, ref, cur):
    cats = sorted(k for k in set(ref) | set(cur)
                  if ref.get(k, 0) > 0 or cur.get(k, 0) > 0)
    table = np.array([[ref.get(k, 0) for k in cats],
                      [cur.get(k, 0) for k in cats]], dtype=float)
    if len(cats) > 1:
        chi2, p, dof, _ = stats.chi2_contingency(table)
    else:
        chi2, p, dof = 0.0, 1.0, 0
    r = table[0] / table[0].sum()
    c = table[1] / table[1].sum()
    rr = np.where(r == 0, 1e-4, r)
    cc = np.where(c == 0, 1e-4, c)
    return {
        "name": name,
        "reference": ref,
        "current": cur,
        "chi2": {"statistic": float(chi2), "pvalue": float(p), "dof": int(dof)},
        "psi": float(np.sum((cc - rr) * np.log(cc / rr))),
        "jensen_shannon": float(distance.jensenshannon(table[0], table[1], base=2)),
        "new_categories": [k for k in cats if ref.get(k, 0) == 0],
    }


def one(method, ref_path, cur_path, categorical):
    """What SciPy says for one method on two files (one value a line): the
    live oracle of `argusctl drift-test` in the tests."""
    read = (lambda p: [l.strip() for l in open(p) if l.strip()]) if categorical \
        else (lambda p: np.loadtxt(p, ndmin=1))
    a, b = read(ref_path), read(cur_path)
    if categorical:
        ref, cur = {}, {}
        for x in a:
            ref[x] = ref.get(x, 0) + 1
        for x in b:
            cur[x] = cur.get(x, 0) + 1
        c = categorical_case("", ref, cur)
        return {"chi2": {"statistic": c["chi2"]["statistic"], "pvalue": c["chi2"]["pvalue"]},
                "psi": {"statistic": c["psi"], "pvalue": None},
                "js": {"statistic": c["jensen_shannon"], "pvalue": None}}[method]
    c = numeric_case("", a, b)
    return {"ks": c["ks"],
            "psi": {"statistic": c["psi"], "pvalue": None},
            "wasserstein": {"statistic": c["wasserstein"], "pvalue": None},
            "js": {"statistic": c["jensen_shannon"], "pvalue": None},
            "hellinger": {"statistic": c["hellinger"], "pvalue": None},
            "ad": c["anderson"],
            "cvm": c["cramervonmises"]}[method]


def cvm_large_samples():
    """A million values with heavy ties, from integer formulas the C++ test
    repeats (each value a multiple of 1/8, exact in binary)."""
    a = [((i * 7919) % 1009) / 8 for i in range(600_000)]
    b = [((j * 104729 + 17) % 997) / 8 + 0.25 for j in range(400_000)]
    return a, b


def exact_cvm_statistic(a, b):
    """The two-sample Cramér-von Mises T in exact rationals: midranks from
    the tie groups, U = n sum (r_i - i)^2 + m sum (s_j - j)^2."""
    n, m = len(a), len(b)
    ca, cb = {}, {}
    for x in a:
        ca[x] = ca.get(x, 0) + 1
    for x in b:
        cb[x] = cb.get(x, 0) + 1
    before = ia = ib = 0
    sx = sy = 0  # sums of (2r - 2i)^2, integers
    for v in sorted(set(ca) | set(cb)):
        na, nb = ca.get(v, 0), cb.get(v, 0)
        twice_r = 2 * before + na + nb + 1
        for k in range(1, na + 1):
            sx += (twice_r - 2 * (ia + k)) ** 2
        for k in range(1, nb + 1):
            sy += (twice_r - 2 * (ib + k)) ** 2
        before += na + nb
        ia += na
        ib += nb
    u = Fraction(n * sx + m * sy, 4)
    k, big_n = n * m, n + m
    return float(u / (k * big_n) - Fraction(4 * k - 1, 6 * big_n))


def cvm_large_case():
    a, b = cvm_large_samples()
    scipy_result = stats.cramervonmises_2samp(a, b)
    return {"exact_statistic": exact_cvm_statistic(a, b),
            "scipy_statistic": float(scipy_result.statistic),
            "scipy_pvalue": float(scipy_result.pvalue)}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "one":
        json.dump(one(sys.argv[2], sys.argv[3], sys.argv[4],
                      "--categorical" in sys.argv), sys.stdout)
        return
    rng = np.random.default_rng(20261122)
    numeric = [
        numeric_case("tiny_5_vs_5", [0.1, 0.5, 0.9, 1.3, 2.0], [0.2, 0.4, 1.5, 2.2, 2.5]),
        numeric_case("ties_small_integers", rng.integers(0, 5, 30), rng.integers(0, 6, 40)),
        numeric_case("identical", np.arange(25) * 0.5, np.arange(25) * 0.5),
        numeric_case("constant_vs_constant", [3.0] * 12, [3.0] * 9),
        numeric_case("constant_vs_shifted", [3.0] * 12, [4.0] * 9),
        numeric_case("heavy_tails_cauchy", rng.standard_cauchy(200), rng.standard_cauchy(300) + 0.5),
        numeric_case("unequal_50_vs_5000", rng.normal(0, 1, 50), rng.normal(0.3, 1, 5000)),
        numeric_case("equal_1000_shift", rng.normal(0, 1, 1000), rng.normal(0.1, 1, 1000)),
        numeric_case("asymp_12000_vs_15000", rng.normal(0, 1, 12000), rng.normal(0.03, 1, 15000)),
        numeric_case("asymp_20000_vs_7", rng.normal(0, 1, 20000), rng.normal(1.0, 1, 7)),
        numeric_case("asymp_11000_vs_300", rng.normal(0, 1, 11000), rng.normal(0.1, 1.2, 300)),
        numeric_case("cvm_exact_ties_15_vs_18", rng.integers(0, 8, 15), rng.integers(1, 9, 18)),
        numeric_case("cvm_exact_20_vs_20", rng.normal(0, 1, 20), rng.normal(0.8, 1, 20)),
        numeric_case("lognormal_300_vs_400", rng.lognormal(0, 1, 300), rng.lognormal(0.2, 1.1, 400)),
        numeric_case("same_distribution_800_vs_600", rng.normal(5, 2, 800), rng.normal(5, 2, 600)),
        numeric_case("big_shift_40_vs_60", rng.normal(0, 1, 40), rng.normal(3, 1, 60)),
        numeric_case("scale_change_2000_vs_2500", rng.normal(0, 1, 2000), rng.normal(0, 1.5, 2500)),
        numeric_case("exponential_7_vs_13", rng.exponential(1, 7), rng.exponential(2, 13)),
        # 11 values: k(n-1)/10 = k exactly, but 10 * linspace's 0.3 is
        # 3.0000000000000004, which would put the third edge past the value
        # 3 and that value in the bin below.
        numeric_case("psi_exact_edges_11_values",
                     [0, 1, 2, 3, 1003, 1004, 1005, 1006, 1007, 1008, 1009],
                     [3, 3, 3, 3, 3, 1003, 1004, 1005, 1006, 1007, 1008]),
    ]
    categorical = [
        categorical_case("same_mix", {"buy": 40, "sell": 35, "hold": 25},
                         {"buy": 42, "sell": 33, "hold": 25}),
        categorical_case("new_category", {"buy": 40, "sell": 35, "hold": 25},
                         {"buy": 30, "sell": 30, "hold": 20, "short": 20}),
        categorical_case("missing_category", {"buy": 40, "sell": 35, "hold": 25},
                         {"buy": 60, "sell": 40}),
        categorical_case("two_categories_yates", {"up": 30, "down": 20},
                         {"up": 18, "down": 32}),
        categorical_case("one_category", {"up": 30}, {"up": 18}),
    ]
    spearman = []
    for name, a, b in [
            ("no_ties", rng.normal(0, 1, 12), rng.normal(0, 1, 12)),
            ("ties", rng.integers(0, 4, 15).astype(float),
             rng.integers(0, 5, 15).astype(float)),
            ("reversed", np.arange(8.0), -np.arange(8.0))]:
        spearman.append({"name": name, "a": a.tolist(), "b": b.tolist(),
                         "rho": float(stats.spearmanr(a, b).correlation)})
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__,
               "numeric": numeric, "categorical": categorical,
               "spearman": spearman, "cvm_large": cvm_large_case()},
              sys.stdout)


if __name__ == "__main__":
    main()
