#!/usr/bin/python3
"""tests/unit/ref/stats_ref.py - reference values for tests/unit/test_stats.c.

Prints the C table rows pasted into test_stats.c.  Not run by the test
suite: it documents how every expected number was made, with tools that
share no code with pipeline/lib/stats.c (SciPy, statsmodels, NumPy; mpmath
only to check SciPy where its parameters are huge).  Regenerate with

    apt-get install -y python3-scipy python3-statsmodels python3-mpmath
    /usr/bin/python3 tests/unit/ref/stats_ref.py > /tmp/stats_ref.txt

(Debian 12: SciPy 1.10.1, statsmodels 0.13.5, NumPy 1.24.2, mpmath 1.2.1.)

SciPy 1.10's incomplete gamma loses accuracy far in the tails of very large
shapes: chi2.cdf(1999690640.9, 2e9) gives 1.38e-7 where the value is 5.0e-7
(mpmath at 40 digits, and the Wilson-Hilferty approximation, agree on
5.0e-7), so chi2.ppf is off by 6e-6 relatively there.  Every quantile with a
parameter above 1e7 is therefore checked against mpmath: where the root is
not within 1e-12 (relatively) of SciPy's, it is replaced by the mpmath root,
found by bisection.  The replacements, and any distribution-function values
where SciPy and mpmath differ, are listed in comments at the end of the
output.
"""
import math
import sys
import warnings

import mpmath as mp
import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from scipy.stats import mstats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import PerfectSeparationError

mp.mp.dps = 40

notes = []


def g(v):
    """A double as the shortest C literal that reads back to it exactly."""
    v = float(v)
    if math.isinf(v) or math.isnan(v):
        raise ValueError(v)
    s = repr(v)
    return s[:-2] if s.endswith(".0") else s


def row(*vals):
    return "\t{ " + ", ".join(v if isinstance(v, str) else g(v) for v in vals) + " },"


# ---- mpmath checks for huge parameters --------------------------------------

def mp_gamma_p(a, x):
    """Regularised lower incomplete gamma P(a, x) at 40 digits."""
    a, x = mp.mpf(a), mp.mpf(x)
    return mp.exp(a * mp.log(x) - x - mp.loggamma(a + 1)) * mp.hyp1f1(1, a + 1, x, maxterms=10**8)


def mp_beta_i(x, a, b):
    """Regularised incomplete beta I_x(a, b) at 40 digits."""
    x, a, b = mp.mpf(x), mp.mpf(a), mp.mpf(b)
    if min(a, b) <= 50 and a == int(a) and b == int(b):
        # a binomial tail, summed over the short side: I_x(a, b) = P(Bin(a+b-1, x) >= a)
        n = int(a + b - 1)
        if b <= a:
            return mp.fsum(mp.binomial(n, f) * (1 - x) ** f * x ** (n - f) for f in range(int(b)))
        return 1 - mp.fsum(mp.binomial(n, j) * x ** j * (1 - x) ** (n - j) for j in range(int(a)))
    if x > (a + 1) / (a + b + 2):
        return 1 - mp_beta_i(1 - x, b, a)
    # the continued fraction of DLMF 8.17.22 (mpmath's own betainc and hyp2f1
    # take minutes here), evaluated forwards at 40 digits
    pre = mp.exp(a * mp.log(x) + b * mp.log1p(-x) - mp.log(a)
                 - (mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)))
    tiny = mp.mpf(10) ** -300
    c, d = mp.mpf(1), 1 / (1 - (a + b) * x / (a + 1))
    h = d
    for m in range(1, 10**7):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= c * d
        if abs(c * d - 1) < mp.mpf(10) ** -35:
            return pre * h
    raise SystemExit("continued fraction did not converge")


def mp_checked(f, q, what):
    """q (from scipy) if the increasing f changes sign within 1e-12 * q of it;
    else the root of f by bisection in mpmath, with a note."""
    for k in range(12, 1, -1):
        lo, hi = mp.mpf(q) * (1 - mp.mpf(10) ** -k), mp.mpf(q) * (1 + mp.mpf(10) ** -k)
        if f(lo) <= 0 <= f(hi):
            break
    else:
        raise SystemExit("%s: no bracket near scipy's %r" % (what, q))
    if k == 12:
        return q
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    r = float((lo + hi) / 2)
    notes.append("mpmath instead of scipy for %s: scipy %r, mpmath %r" % (what, float(q), r))
    return r


def checked_chi2(p, nu, upper, what):
    """chi2.ppf(p) (or isf when upper), checked with mpmath when nu is huge."""
    q = stats.chi2.isf(p, nu) if upper else stats.chi2.ppf(p, nu)
    if nu < 1e7:
        return q
    if upper:
        return mp_checked(lambda x: p - (1 - mp_gamma_p(nu / 2, x / 2)), q, what)
    return mp_checked(lambda x: mp_gamma_p(nu / 2, x / 2) - p, q, what)


def checked_beta(p, a, b, upper, what):
    """beta.ppf(p, a, b) (or isf when upper), checked with mpmath when huge."""
    q = stats.beta.isf(p, a, b) if upper else stats.beta.ppf(p, a, b)
    if a + b < 1e7:
        return q
    if upper:
        return mp_checked(lambda x: p - (1 - mp_beta_i(x, a, b)), q, what)
    return mp_checked(lambda x: mp_beta_i(x, a, b) - p, q, what)


# ---- proportions ---------------------------------------------------------------

PROP_CASES = [
    (0, 1, 0.95), (1, 1, 0.95), (0, 1, 0.999999), (1, 1, 0.999999),
    (0, 10, 0.95), (10, 10, 0.998), (3, 10, 0.95), (30, 120, 0.95),
    (37, 1000, 0.999999), (1, 2, 0.998), (0, 1e9, 0.95), (1e9, 1e9, 0.95),
    (1e9, 1e9 + 1, 0.95), (1e9, 1e9 + 1, 0.999999), (5e8, 1e9, 0.95), (5e8, 1e9, 0.998),
    (123456, 1e9, 0.95), (50000, 50001, 0.999999), (30000, 60000, 0.999999),
    (1, 50000, 0.999999),
]


def prop_tables():
    print("/* wilson: proportion_confint(x, n, 1 - conf, method='wilson') */")
    for x, n, conf in PROP_CASES:
        lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
        print(row(x, n, conf, x / n, lo, hi))
    print("/* exact: proportion_confint(x, n, 1 - conf, method='beta') */")
    for x, n, conf in PROP_CASES:
        lo, hi = proportion_confint(x, n, alpha=1 - conf, method="beta")
        a2 = (1 - conf) / 2
        if x > 0:
            lo = checked_beta(a2, x, n - x + 1, False, "exact lower %g/%g %g" % (x, n, conf))
        if x < n:
            hi = checked_beta(a2, x + 1, n - x, True, "exact upper %g/%g %g" % (x, n, conf))
        print(row(x, n, conf, x / n, lo, hi))


# ---- counts ----------------------------------------------------------------------

COUNT_CASES = [
    (0, 0.95), (0, 0.999999), (1, 0.95), (1, 0.999999), (2, 0.998), (9, 0.95),
    (10, 0.95), (25, 0.998), (100, 0.95), (1000, 0.999999), (1e4, 0.95),
    (1e9, 0.95), (1e9, 0.998), (1e9, 0.999999),
]


def count_exact(x, conf):
    a2 = (1 - conf) / 2
    lo = 0.0 if x == 0 else checked_chi2(a2, 2 * x, False, "count lower %g %g" % (x, conf)) / 2
    hi = checked_chi2(a2, 2 * x + 2, True, "count upper %g %g" % (x, conf)) / 2
    return lo, hi


def count_byar(x, conf):
    z = stats.norm.isf((1 - conf) / 2)
    lo = 0.0 if x == 0 else x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    hi = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return max(lo, 0.0), hi


def count_tables():
    print("/* count_exact: chi2.ppf(a/2, 2x)/2, chi2.isf(a/2, 2x+2)/2 */")
    for x, conf in COUNT_CASES:
        lo, hi = count_exact(x, conf)
        print(row(x, conf, x, lo, hi))
    print("/* count_byar: Byar's formula with norm.isf(a/2) */")
    for x, conf in COUNT_CASES:
        lo, hi = count_byar(x, conf)
        print(row(x, conf, x, lo, hi))
    print("/* rate: the count interval (exact below 10, Byar from 10) * mult / den */")
    for x, den, mult, conf in [(0, 1, 1000, 0.95), (3, 2000, 1e5, 0.95), (9, 1e6, 1e5, 0.998),
                               (10, 1e6, 1e5, 0.998), (250, 123456, 1e5, 0.95),
                               (1e9, 1e9, 1, 0.999999), (7, 0.5, 1, 0.95)]:
        lo, hi = count_exact(x, conf) if x < 10 else count_byar(x, conf)
        s = mult / den
        print(row(x, den, mult, conf, x * s, lo * s, hi * s))


# ---- directly standardised rates ---------------------------------------------

ESP2013 = np.array([5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
                    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 800, 200], float)

DSR_CASES = [
    # events, population per band, conf
    ([0, 0, 1, 2, 3, 5, 4, 6, 8, 9, 12, 15, 14, 18, 20, 22, 19, 12, 6, 2],
     [3100, 3300, 3200, 3600, 4100, 4500, 4800, 4700, 4400, 4200, 4300, 4100, 3900,
      3600, 3200, 2600, 1700, 1100, 500, 120], 0.95),
    ([0, 0, 0, 1, 0, 2, 0, 1, 0, 2, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0],
     [900, 950, 1000, 1100, 1200, 1250, 1300, 1200, 1100, 1000, 1000, 950, 900, 850,
      800, 600, 400, 250, 90, 0], 0.998),   # 10 events; band 95+ has no people
    ([120, 90, 85, 110, 160, 210, 260, 300, 350, 420, 500, 560, 640, 700, 760, 820,
      700, 520, 300, 90],
     [51000, 52000, 50500, 56000, 61000, 64000, 66000, 63000, 60000, 59000, 61000,
      60000, 57000, 52000, 47000, 38000, 26000, 16000, 7000, 1500], 0.999999),
]


def dsr_tables():
    print("/* dsr: numpy sums; Dobson's interval from the chi2 limits of the total */")
    for x, pop, conf in DSR_CASES:
        x, pop = np.array(x, float), np.array(pop, float)
        live = pop > 0
        rate = np.zeros_like(x)
        rate[live] = x[live] / pop[live]
        var = np.zeros_like(x)
        var[live] = x[live] / pop[live] ** 2
        dsr = np.sum(ESP2013 * rate) / np.sum(ESP2013)
        v = np.sum(ESP2013 ** 2 * var) / np.sum(ESP2013) ** 2
        o = x.sum()
        olo, ohi = count_exact(o, conf)
        lo = dsr + math.sqrt(v / o) * (olo - o)
        hi = dsr + math.sqrt(v / o) * (ohi - o)
        print("\t{ { " + ", ".join(g(v) for v in x) + " },")
        print("\t  { " + ", ".join(g(v) for v in pop) + " },")
        print("\t  " + ", ".join(g(v) for v in (conf, dsr * 1e5, max(lo, 0) * 1e5, hi * 1e5))
              + " },")


# ---- funnel limits -----------------------------------------------------------------

def spiegelhalter(dist, p, den):
    """Spiegelhalter 2005 appendix: r_p the p-quantile, interpolated."""
    r = dist.ppf(p)
    f, fm = dist.cdf(r), dist.cdf(r - 1)
    return (r - (f - p) / (f - fm)) / den


def funnel(kind, target, den, conf):
    dist = stats.poisson(target * den) if kind == "RATE" else stats.binom(int(den), target)
    a2 = (1 - conf) / 2
    lo = max(spiegelhalter(dist, a2, den), 0.0)
    hi = max(spiegelhalter(dist, 1 - a2, den), 0.0)
    if kind == "PROP":
        lo, hi = min(lo, 1.0), min(hi, 1.0)
    if target * den > 1e7:
        # mpmath check of the discrete distribution function around r_p
        for p in (a2, 1 - a2):
            r = dist.ppf(p)
            for rr in (r - 1, r):
                if kind == "RATE":
                    f = 1 - mp_gamma_p(rr + 1, target * den)
                else:
                    f = 1 - mp_beta_i(target, rr + 1, den - rr)
                if abs(float(f) - dist.cdf(rr)) > 1e-8 * min(p, 1 - p):
                    notes.append("funnel %s %g %g: cdf(%d) scipy %.17g, mpmath %.17g "
                                 "(r_p agrees; the limit moves by under 1e-12 relatively)"
                                 % (kind, target, den, rr, dist.cdf(rr), float(f)))
                if (rr == r) != (float(f) >= p):
                    raise SystemExit("funnel: r_p disagrees with mpmath")
    return lo, hi


FUNNEL_CASES = [
    ("RATE", 0.1, 1, 0.95), ("RATE", 0.05, 1, 0.998), ("RATE", 3.5, 1, 0.95),
    ("RATE", 0.1, 10, 0.95), ("RATE", 0.002, 1000, 0.95), ("RATE", 0.002, 12345, 0.998),
    ("RATE", 1.5, 200, 0.95), ("RATE", 0.0005, 1e6, 0.999999), ("RATE", 0.1, 1e9, 0.95),
    ("RATE", 0.05, 1e9, 0.998), ("RATE", 0.0, 100, 0.95),
    ("PROP", 0.2, 1, 0.95), ("PROP", 0.5, 1, 0.998), ("PROP", 0.3, 10, 0.95),
    ("PROP", 0.02, 500, 0.998), ("PROP", 0.9, 1000, 0.95), ("PROP", 0.999, 5000, 0.95),
    ("PROP", 0.1, 1e6, 0.999999), ("PROP", 0.1, 1e9, 0.95), ("PROP", 0.35, 1e9, 0.998),
    ("PROP", 0.0, 10, 0.95),
]

POSITION_UNITS = [("RATE", 0.01, 2000), ("RATE", 0.0002, 1e6), ("PROP", 0.3, 400),
                  ("PROP", 0.05, 20000), ("PROP", 0.95, 20)]


def funnel_tables():
    print("/* funnel: scipy poisson/binom ppf and cdf, Spiegelhalter's interpolation */")
    for kind, target, den, conf in FUNNEL_CASES:
        lo, hi = funnel(kind, target, den, conf)
        print(row("PL_FUNNEL_" + kind, target, den, conf, lo, hi))
    print("/* funnel_position: whole x either side of each change of position, by exact tails */")
    names = ["PL_FUNNEL_INSIDE", "PL_FUNNEL_ABOVE95", "PL_FUNNEL_ABOVE998",
             "PL_FUNNEL_BELOW95", "PL_FUNNEL_BELOW998"]
    for kind, target, den in POSITION_UNITS:
        D = stats.poisson(target * den) if kind == "RATE" else stats.binom(int(den), target)

        def pos(x):
            hi, lo = D.sf(x - 1), D.cdf(x)
            return (2 if hi < 0.001 else 1 if hi < 0.025 else 4 if lo < 0.001
                    else 3 if lo < 0.025 else 0)
        top = int(den) if kind == "PROP" else int(target * den * 3 + 50)
        xs = set((19, 20)) if (kind, target, den) == ("PROP", 0.95, 20) else set()
        for x in range(1, top + 1):
            if pos(x) != pos(x - 1):
                xs.update((x - 1, x))
        for x in sorted(xs):
            print(row("PL_FUNNEL_" + kind, target, x, den, names[pos(x)]))


# ---- heterogeneity ------------------------------------------------------------------

HETERO_CASES = [
    ("RATE", [12, 30, 8, 45, 19, 60, 7, 25, 33, 14],
     [10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000], 0.1),
    ("RATE", [12, 30, 8, 45, 19, 60, 7, 25, 33, 14],
     [10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000], 0.0),
    ("RATE", [10, 21, 9, 26, 15, 30, 8, 20, 22, 12],
     [10000, 21000, 9000, 26000, 15000, 30000, 8000, 20000, 22000, 12000], 0.1),
    ("PROP", [40, 55, 12, 80, 33, 90, 21, 64, 47, 30, 5, 70],
     [200, 240, 90, 300, 180, 320, 150, 260, 230, 160, 60, 250], 0.1),
    ("PROP", [0, 3], [10, 10], 0.0),
    ("RATE", [1000, 0], [1000, 1000], 0.0),          # p = 1.8e-219
    ("RATE", [1e6, 0, 3], [1000, 1000, 1000], 0.0),  # p underflows to 0
]


def hetero_tables():
    print("/* heterogeneity: chi2 and p from scipy chisquare / chi2_contingency, "
          "z winsorised by mstats.winsorize */")
    for kind, x, den, winsor in HETERO_CASES:
        x, den = np.array(x, float), np.array(den, float)
        k = len(x)
        t = x.sum() / den.sum()
        if kind == "RATE":
            chi2, p = stats.chisquare(x, f_exp=den * t)
            s2 = t / den
        else:
            table = np.vstack([x, den - x])
            chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
            assert dof == k - 1
            s2 = t * (1 - t) / den
        z = (x / den - t) / np.sqrt(s2)
        zw = np.asarray(mstats.winsorize(z, limits=(winsor, winsor))) if winsor else z
        phi = np.mean(zw ** 2)
        w = 1 / s2
        tau2 = max(0.0, (k * phi - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum()))
        print("\t{ PL_FUNNEL_%s, %d, %s," % (kind, k, g(winsor)))
        print("\t  { " + ", ".join(g(v) for v in x) + " },")
        print("\t  { " + ", ".join(g(v) for v in den) + " },")
        print("\t  " + ", ".join(g(v) for v in (t, chi2, k - 1, p, phi, tau2)) + " },")
    print("/* funnel_limits_od: target +- norm.isf(a/2) * sqrt(s^2 + tau2), clamped */")
    for kind, target, tau2, den, conf in [("RATE", 0.0012, 2e-8, 20000, 0.95),
                                          ("RATE", 0.0012, 0, 20000, 0.998),
                                          ("RATE", 0.5, 0.01, 3, 0.95),
                                          ("PROP", 0.25, 0.001, 300, 0.95),
                                          ("PROP", 0.97, 0.002, 100, 0.998),
                                          ("PROP", 0.02, 0.0004, 50, 0.95)]:
        s2 = target / den if kind == "RATE" else target * (1 - target) / den
        h = stats.norm.isf((1 - conf) / 2) * math.sqrt(s2 + tau2)
        lo, hi = max(target - h, 0.0), max(target + h, 0.0)
        if kind == "PROP":
            lo, hi = min(lo, 1.0), min(hi, 1.0)
        print(row("PL_FUNNEL_" + kind, target, tau2, den, conf, lo, hi))


# ---- quartiles, means, trend ------------------------------------------------------------

QUART_CASES = [
    [42.0],
    [3.0, 1.0],
    [5.0, 1.0, 4.0, 2.0, 3.0],
    [7.5, -2.0, 7.5, 0.0, 13.25, 1e-3, 100.0, 7.5, -50.0, 3.0],
    [0.1 * i * i for i in range(17)],
]

MEAN_CASES = [
    ([42.0], 0.95),
    ([1.0, 2.0], 0.95),
    ([12.5, 9.0, 14.25, 11.0, 10.5, 13.0, 8.75, 12.0, 15.5, 10.0], 0.95),
    ([12.5, 9.0, 14.25, 11.0, 10.5, 13.0, 8.75, 12.0, 15.5, 10.0], 0.999999),
    ([1e6 + 0.5, 1e6 - 0.25, 1e6 + 1.0], 0.998),
]

TREND_CASES = [
    ([2019, 2020, 2021, 2022, 2023], [41.0, 43.5, 44.0, 47.25, 49.0],
     [4.0, 3.5, 5.0, 4.5, 6.0], 0.95),
    ([0, 1], [1.0, 3.0], [1.0, 1.0], 0.998),
    ([1, 2, 2, 4, 7, 8], [0.31, 0.28, 0.30, 0.26, 0.22, 0.21],
     [1e-4, 2e-4, 1.5e-4, 1e-4, 3e-4, 2e-4], 0.999999),
]


def misc_tables():
    print("/* quartiles: numpy.quantile(v, [0.25, 0.5, 0.75]) (method 'linear', R type 7) */")
    for v in QUART_CASES:
        q = np.quantile(np.array(v), [0.25, 0.5, 0.75])
        print("\t{ %d, { %s }, { %s } }," % (len(v), ", ".join(g(a) for a in v),
                                              ", ".join(g(a) for a in q)))
    print("/* mean_t: scipy.stats.t.interval(conf, n - 1, mean, sem) */")
    for v, conf in MEAN_CASES:
        a = np.array(v)
        m = a.mean()
        lo, hi = (m, m) if len(a) == 1 else stats.t.interval(conf, len(a) - 1, loc=m,
                                                             scale=stats.sem(a))
        print("\t{ %d, { %s }, %s, %s, %s, %s }," % (len(v), ", ".join(g(b) for b in v),
                                                    g(conf), g(m), g(lo), g(hi)))
    print("/* trend: statsmodels WLS(y, [1, t], 1/var), normalized_cov_params, norm.isf */")
    for t, y, var, conf in TREND_CASES:
        X = sm.add_constant(np.array(t, float), has_constant="add")
        res = sm.WLS(np.array(y), X, weights=1 / np.array(var)).fit()
        se = math.sqrt(res.normalized_cov_params[1, 1])
        z = stats.norm.isf((1 - conf) / 2)
        b = res.params[1]
        print("\t{ %d, { %s }, { %s }, { %s }, %s, %s, %s, %s }," % (
            len(t), ", ".join(g(a) for a in t), ", ".join(g(a) for a in y),
            ", ".join(g(a) for a in var), g(conf), g(b), g(b - z * se), g(b + z * se)))


# ---- Chao1 ---------------------------------------------------------------------------------

def chao_tables():
    print("/* chao1: Chao 1987 formulas in numpy, norm.isf */")
    for s, f1, f2, conf in [(100, 20, 10, 0.95), (50, 30, 2, 0.95), (12, 5, 0, 0.95),
                            (10, 1, 0, 0.95), (10, 0, 3, 0.95), (40, 25, 1, 0.998),
                            (1e6, 1e5, 5e4, 0.999999), (3, 3, 0, 0.998)]:
        if f2 > 0:
            f0 = f1 * f1 / (2 * f2)
            r = f1 / f2
            var = f2 * (r ** 4 / 4 + r ** 3 + r ** 2 / 2)
        else:
            f0 = f1 * (f1 - 1) / 2
            n = s + f0
            var = f1 * (f1 - 1) / 2 + f1 * (2 * f1 - 1) ** 2 / 4 - f1 ** 4 / (4 * n)
        if f0 > 0:
            c = math.exp(stats.norm.isf((1 - conf) / 2) * math.sqrt(math.log(1 + var / f0 ** 2)))
            lo, hi = s + f0 / c, s + f0 * c
        else:
            lo = hi = s
        print(row(s, f1, f2, conf, s + f0, lo, hi))


# ---- log-linear capture-recapture ----------------------------------------------------------

LL_CASES = [
    # k, cells[1 .. 2^k - 1] (bit j = source j), conf
    (3, [120, 95, 30, 80, 25, 0, 6], 0.95),            # a zero cell
    (3, [60, 45, 40, 70, 8, 30, 12], 0.95),            # strong dependence
    (4, [300, 270, 243, 240, 120, 173, 156, 210, 0, 94, 0, 84, 0, 60, 0], 0.95),
    # ^ sources 0 and 3 never share anyone: their interaction runs to -infinity
    (5, [90, 70, 14, 55, 9, 8, 2, 64, 12, 10, 3, 7, 1, 2, 0,
         48, 8, 7, 1, 6, 2, 0, 1, 5, 1, 1, 0, 1, 0, 0, 0], 0.998),
]


def design(k, twoway):
    rows = []
    for m in range(1, 2 ** k):
        r = [1.0] + [float((m >> j) & 1) for j in range(k)]
        if twoway:
            r += [float((m >> i) & (m >> j) & 1) for i in range(k) for j in range(i + 1, k)]
        rows.append(r)
    return np.array(rows)


def loglin_tables():
    print("/* loglinear: statsmodels GLM(y, X, family=Poisson()), exp(params[0]), bse[0]; "
          "usable = converged with |params| <= 30, lower AIC wins */")
    for k, cells, conf in LL_CASES:
        y = np.array(cells, float)
        fits = []
        for twoway in (False, True):
            X = design(k, twoway)
            name = "two-way" if twoway else "independence"
            model = sm.GLM(y, X, family=sm.families.Poisson())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    res = model.fit(maxiter=100, tol=1e-13)
                    converged = res.converged
                except PerfectSeparationError:
                    # statsmodels' IRLS refuses a saturated fit (every fitted
                    # value equal to its cell); Newton's method has no such check
                    try:
                        res = model.fit(method="newton", maxiter=100, tol=1e-13)
                        converged = res.mle_retvals["converged"]
                    except np.linalg.LinAlgError:
                        sys.stderr.write("k=%d %s: singular, not usable\n" % (k, name))
                        continue
            usable = (converged and np.all(np.abs(res.params) <= 30)
                      and np.all(np.isfinite(res.bse)))
            sys.stderr.write("k=%d %s: converged %s max|b| %.3g aic %.6g dev %.6g usable %s\n"
                             % (k, name, converged, np.max(np.abs(res.params)), res.aic,
                                res.deviance, usable))
            fits.append((usable, res.aic, res, name, X))
        usable = [f for f in fits if f[0]]
        best = min(usable, key=lambda f: f[1])
        res = best[2]
        z = stats.norm.isf((1 - conf) / 2)
        b0, se = res.params[0], res.bse[0]
        if k == 3 and best[3] == "two-way":
            # saturated: no three-way interaction gives the unseen cell in
            # closed form, m1 m2 m4 m7 / (m3 m5 m6), and var(log) = sum 1/m
            closed = y[0] * y[1] * y[3] * y[6] / (y[2] * y[4] * y[5])
            assert abs(math.exp(b0) / closed - 1) < 1e-9, (math.exp(b0), closed)
            assert abs(se / math.sqrt(np.sum(1 / y)) - 1) < 1e-6
        seen = y.sum()
        print("\t{ %d, { 0, %s }," % (k, ", ".join(g(v) for v in cells)))
        print("\t  %s, %s, %s, %s, %s, %s, %s, \"%s\" }," % (
            g(conf), g(seen + math.exp(b0)), g(seen + math.exp(b0 - z * se)),
            g(seen + math.exp(b0 + z * se)), g(math.exp(b0)), g(res.deviance),
            g(len(y) - best[4].shape[1]), best[3]))


def main():
    print("/* generated by tests/unit/ref/stats_ref.py: SciPy %s, statsmodels %s, NumPy %s, "
          "mpmath %s */" % (scipy.__version__, statsmodels.__version__, np.__version__,
                            mp.__version__))
    prop_tables()
    count_tables()
    dsr_tables()
    funnel_tables()
    hetero_tables()
    misc_tables()
    chao_tables()
    loglin_tables()
    for n in notes:
        print("/* %s */" % n)


if __name__ == "__main__":
    main()
