"""Small, dependency-free statistics: intervals for rates and means, the Beta distribution.

Everything here is plain Python (``math`` only) so the scoring runs wherever kb runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion; ``None`` without observations.

    Unlike the textbook ``p ± z·sqrt(p(1-p)/n)`` it stays inside [0, 1] and is honest for
    small ``n`` and for rates near 0 or 1 (Brown, Cai & DasGupta 2001).
    """
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Rounding can put a bound a hair past p when p is 0 or 1 (5.6e-17 > 0): keep p inside.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def mean_interval(
    total: float, total_sq: float, n: int, lo: float, hi: float, z: float = Z95
) -> tuple[float, float] | None:
    """A normal-approximation interval for a mean of scores bounded by [lo, hi].

    The variance is floored at what a single vote away from the mean would give, so two
    identical votes do not claim certainty.
    """
    if n <= 0:
        return None
    mean = total / n
    if n == 1:
        return lo, hi
    var = max((total_sq - n * mean * mean) / (n - 1), 0.0)
    var = max(var, ((hi - lo) / 2) ** 2 / n)
    half = z * math.sqrt(var / n)
    return max(lo, mean - half), min(hi, mean + half)


# -- the Beta distribution --------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete Beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 3e-14:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """P(X ≤ x) for X ~ Beta(a, b): the regularized incomplete Beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """The q-quantile of Beta(a, b), by bisection on :func:`beta_cdf` (precise to 1e-9)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if beta_cdf(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def fit_beta_prior(
    counts: Iterable[tuple[int, int]], *, min_strength: float = 2.0, max_strength: float = 2000.0
) -> tuple[float, float]:
    """An empirical-Bayes Beta(α, β) prior for per-article rates from (successes, n) pairs.

    Method of moments with the binomial noise taken out (Kleinman 1973): the spread of the
    observed rates minus what sampling alone would produce is the spread of the true rates.
    Returns (α, β); with too little data the prior is weak and centred on the pooled rate.
    """
    pairs = [(k, n) for k, n in counts if n > 0]
    total_n = sum(n for _, n in pairs)
    if total_n == 0:
        return 1.0, 1.0
    m = sum(k for k, _ in pairs) / total_n
    m = min(max(m, 1e-3), 1 - 1e-3)
    strength = min_strength
    if len(pairs) >= 3:
        sum_sq_n = sum(n * n for _, n in pairs)
        spread = sum(n * (k / n - m) ** 2 for k, n in pairs)
        denom = total_n - sum_sq_n / total_n
        if denom > 0:
            between = (spread - (len(pairs) - 1) * m * (1 - m)) / denom
            if between <= 0:
                strength = max_strength
            else:
                strength = m * (1 - m) / between - 1
    strength = min(max(strength, min_strength), max_strength)
    return m * strength, (1 - m) * strength
