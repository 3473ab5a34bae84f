"""Small, dependency-free statistics: intervals for rates and means, the Beta distribution.

Everything here is plain Python (``math`` only) so the scoring runs wherever kb runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054  # two-sided 95 % normal quantile
# A reader's CES goes with their own CSAT, so an article's hard share mostly repeats what its
# CSAT says; counted at full weight it flags the low end of typical articles (measured on the
# simulation's development seeds, docs/review.md).
CES_WEIGHT = 0.1


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


# -- two groups of articles: typical and weak --------------------------------------------------


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@dataclass(frozen=True)
class BetaGroup:
    """A Beta(mean·strength, (1-mean)·strength) distribution of one rate over a group."""

    mean: float
    strength: float

    @property
    def ab(self) -> tuple[float, float]:
        return self.mean * self.strength, (1 - self.mean) * self.strength

    def log_evidence(self, k: int, n: int) -> float:
        """log P(k of n | this group), leaving out the binomial coefficient (it cancels)."""
        a, b = self.ab
        return _log_beta(a + k, b + n - k) - _log_beta(a, b)

    def moments(self, k: int, n: int) -> tuple[float, float]:
        """E[p] and E[p²] of an article's rate after its k of n, given this group."""
        a, b = self.ab
        mean = (a + k) / (a + b + n)
        var = mean * (1 - mean) / (a + b + n + 1)
        return mean, var + mean * mean


@dataclass(frozen=True)
class Evidence:
    """One article's counts: satisfied of votes, hard of CES answers."""

    satisfied: int
    votes: int
    hard: int
    ces_votes: int


@dataclass(frozen=True)
class TwoGroups:
    """The site's articles as a mixture of typical and weak ones (see :func:`fit_two_groups`)."""

    weak_share: float
    csat: tuple[BetaGroup, BetaGroup]  # typical, weak
    hard: tuple[BetaGroup, BetaGroup]
    ces_weight: float
    articles: int  # articles the fit saw

    def _log_odds(self, e: Evidence) -> float:
        """log P(weak | e) - log P(typical | e)."""
        prior = math.log(self.weak_share) - math.log1p(-self.weak_share)
        csat = self.csat[1].log_evidence(e.satisfied, e.votes) - self.csat[0].log_evidence(
            e.satisfied, e.votes
        )
        hard = self.hard[1].log_evidence(e.hard, e.ces_votes) - self.hard[0].log_evidence(
            e.hard, e.ces_votes
        )
        return prior + csat + self.ces_weight * hard

    def p_weak(self, e: Evidence) -> float:
        """The posterior probability that an article with this evidence is a weak one."""
        x = self._log_odds(e)
        return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


def _fit_group(
    rows: list[tuple[int, int]], weights: list[float], prior: BetaGroup, max_strength: float
) -> BetaGroup:
    """Moment-matching M step: the group's Beta from its members' posterior moments."""
    a, b = prior.ab
    total = first = second = 0.0
    for (k, n), w in zip(rows, weights, strict=True):
        if w <= 0:
            continue
        m1 = (a + k) / (a + b + n)
        total += w
        first += w * m1
        second += w * (m1 * (1 - m1) / (a + b + n + 1) + m1 * m1)
    if total < 1e-9:
        return prior
    mean = min(max(first / total, 1e-3), 1 - 1e-3)
    var = second / total - mean * mean
    strength = mean * (1 - mean) / var - 1 if var > 0 else max_strength
    return BetaGroup(mean, min(max(strength, 2.0), max_strength))


def _weak_probabilities(model: TwoGroups, rows: list[Evidence]) -> list[float]:
    """:meth:`TwoGroups.p_weak` of every row, with each group's constants computed once."""
    (ta, tb), (wa, wb) = (g.ab for g in model.csat)
    (tha, thb), (wha, whb) = (g.ab for g in model.hard)
    w = model.ces_weight
    const = (
        math.log(model.weak_share)
        - math.log1p(-model.weak_share)
        - _log_beta(wa, wb)
        + _log_beta(ta, tb)
    )
    hard_const = _log_beta(tha, thb) - _log_beta(wha, whb)
    out = []
    for e in rows:
        k, n, h, m = e.satisfied, e.votes, e.hard, e.ces_votes
        x = const + _log_beta(wa + k, wb + n - k) - _log_beta(ta + k, tb + n - k)
        if w and m:
            x += w * (
                hard_const + _log_beta(wha + h, whb + m - h) - _log_beta(tha + h, thb + m - h)
            )
        out.append(1 / (1 + math.exp(-x)) if x > -700 else 0.0)
    return out


def fit_two_groups(
    evidence: Iterable[Evidence],
    *,
    min_gap: float = 0.15,
    ces_weight: float = CES_WEIGHT,
    iterations: int = 200,
    max_strength: float = 2000.0,
) -> TwoGroups:
    """Fit typical and weak articles to the site's own counts by EM (empirical Bayes).

    Each group has its own Beta distribution of the true CSAT and of the true hard share
    (CES 1-3), and a share of the articles. The E step gives every article its probability of
    being weak from its CSAT and CES counts together; the M step moves each group's Beta to
    the moments of its members' posterior rates, weighted by those probabilities. The weak
    group's CSAT stays at least ``min_gap`` below the typical group's and its hard share at or
    above it: a weak article is one clearly worse, not the low end of ordinary spread. A
    reader's CES goes with their own CSAT, so the hard share is partly the same evidence
    again: its log-likelihood counts with ``ces_weight`` (0: CSAT alone).
    """
    seen: dict[Evidence, int] = {}
    for e in evidence:
        if e.votes > 0:
            seen[e] = seen.get(e, 0) + 1
    rows, times = list(seen), list(seen.values())  # many small articles have equal counts
    articles = sum(times)
    csat_rows = [(e.satisfied, e.votes) for e in rows]
    hard_rows = [(e.hard, e.ces_votes) for e in rows]
    a, b = fit_beta_prior(
        (r for r, t in zip(csat_rows, times, strict=True) for _ in range(t)),
        max_strength=max_strength,
    )
    ha, hb = fit_beta_prior(
        (r for r, t in zip(hard_rows, times, strict=True) for _ in range(t)),
        max_strength=max_strength,
    )
    mean, hard_mean = a / (a + b), ha / (ha + hb)
    model = TwoGroups(
        0.1,
        (BetaGroup(mean, a + b), BetaGroup(max(mean - 2 * min_gap, 0.02), 20.0)),
        (BetaGroup(hard_mean, ha + hb), BetaGroup(min(hard_mean + min_gap, 0.98), 20.0)),
        ces_weight,
        articles,
    )
    if articles < 3:
        return model
    previous = -1.0
    for _ in range(iterations):
        p = [x * t for x, t in zip(_weak_probabilities(model, rows), times, strict=True)]
        q = [t - x for x, t in zip(p, times, strict=True)]
        share = min(max(sum(p) / articles, 1e-3), 0.5)
        typical = _fit_group(csat_rows, q, model.csat[0], max_strength)
        weak = _fit_group(csat_rows, p, model.csat[1], max_strength)
        weak = BetaGroup(min(weak.mean, max(typical.mean - min_gap, 1e-3)), weak.strength)
        hard_typical = _fit_group(hard_rows, q, model.hard[0], max_strength)
        hard_weak = _fit_group(hard_rows, p, model.hard[1], max_strength)
        hard_weak = BetaGroup(max(hard_weak.mean, hard_typical.mean), hard_weak.strength)
        model = TwoGroups(share, (typical, weak), (hard_typical, hard_weak), ces_weight, articles)
        if abs(share - previous) < 1e-6:
            break
        previous = share
    return model
