"""How well each rule catches the weak articles, on simulated traffic with a known truth.

:mod:`kb.dev.simulate` makes the articles and their votes; here every rule judges the same
votes and is scored against the truth. Next to kb's rules stands the simulation's own
posterior (:class:`Truth`): the probability that an article is weak computed from the very
distributions the simulation drew the articles from. No rule working from the votes can
rank the articles better, so its figures are the ceiling of what the votes allow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from kb.core.project import ReviewSettings
from kb.dev.simulate import SITE_CSAT, TYPICAL_SD, WEAK_GAP, make_articles, make_votes, typical_csat
from kb.review.flags import ArticleReview, naive_flag, review
from kb.review.scoring import by_revision

WEAK_SHARE = 0.12  # make_articles' default
# kb's rule before the two-group model, and the two groups' first settings.
BEFORE = {"method": "beta", "ces_margin": 0.12, "weak_confidence": 0.5}
FIRST = {"ces_margin": 0.12, "weak_confidence": 0.5}
GOAL = (0.90, 0.85)  # precision, recall on weak articles with >= 20 votes


class Truth:
    """P(weak | satisfied of votes) from the simulation's true distributions.

    Typical articles' true CSAT is Beta around :func:`typical_csat` (sd :data:`TYPICAL_SD`),
    weak ones' uniform over :data:`WEAK_GAP` below :data:`SITE_CSAT`; the binomial likelihood
    of the article's votes is integrated over each on a grid. It reads CSAT alone: in this
    simulation an article's ease follows its true CSAT, so its CES answers say little that
    its CSAT does not (docs/review.md).
    """

    def __init__(self, weak_share: float = WEAK_SHARE, points: int = 400) -> None:
        mean = typical_csat(weak_share)
        strength = mean * (1 - mean) / (TYPICAL_SD * TYPICAL_SD) - 1
        a, b = mean * strength, (1 - mean) * strength
        grid = [(i + 0.5) / points for i in range(points)]
        self._log = [(math.log(c), math.log1p(-c)) for c in grid]
        dens = [(a - 1) * lc + (b - 1) * l1c for lc, l1c in self._log]
        top = max(dens)
        typical = [math.exp(d - top) for d in dens]
        lo, hi = SITE_CSAT - WEAK_GAP[1], SITE_CSAT - WEAK_GAP[0]
        weak = [1.0 if lo <= c <= hi else 0.0 for c in grid]
        self._typical = [x * (1 - weak_share) / sum(typical) for x in typical]
        self._weak = [x * weak_share / sum(weak) for x in weak]
        self._seen: dict[tuple[int, int], float] = {}

    def p_weak(self, satisfied: int, votes: int) -> float:
        key = (satisfied, votes)
        if key not in self._seen:
            ll = [satisfied * lc + (votes - satisfied) * l1c for lc, l1c in self._log]
            top = max(ll)
            like = [math.exp(x - top) for x in ll]
            weak = sum(x * w for x, w in zip(like, self._weak, strict=True))
            typical = sum(x * w for x, w in zip(like, self._typical, strict=True))
            self._seen[key] = weak / (weak + typical)
        return self._seen[key]


@dataclass
class Figures:
    precision: float
    recall: float
    precision_all: float  # over every flagged article, whatever its votes
    recall_all: float  # over every weak article, whatever its votes
    weak: int  # weak articles with at least ``min_votes`` votes
    flagged: int


@dataclass
class Frontier:
    """The best a score can do at any threshold, on articles with at least ``min_votes``."""

    precision_at_recall: float  # the highest precision with recall >= GOAL[1]
    recall_at_precision: float  # the highest recall with precision >= GOAL[0]
    threshold: float | None  # the score's threshold giving recall_at_precision


Rule = Callable[[ArticleReview], bool]
Score = Callable[[ArticleReview], float]


@dataclass
class Evaluation:
    figures: dict[str, Figures]
    frontiers: dict[str, Frontier] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Figures:
        return self.figures[name]


def _statistical(r: ArticleReview) -> bool:
    return any(x.code in ("csat", "ces") for x in r.reasons)


def rules(
    settings: ReviewSettings | None = None, truth: Truth | None = None
) -> dict[str, tuple[ReviewSettings, Rule]]:
    """The rules compared on simulated traffic: kb's (``settings``' method), its CSAT reason
    alone (without the separate hard-share test), the two groups with their first settings
    (:data:`FIRST`), the Beta rule kb used before the two-group model, the naive "CSAT < 50 %
    over >= 5 votes", and the simulation's own posterior at 0.5 (more likely weak than not)."""
    s = settings or ReviewSettings()
    t = truth or Truth()
    return {
        "kb": (s, _statistical),
        "kb_csat": (s, lambda r: any(x.code == "csat" for x in r.reasons)),
        "kb_first": (replace(s, **FIRST), _statistical),
        "beta": (replace(s, **BEFORE), _statistical),
        "naive": (s, lambda r: naive_flag(r.current)),
        "truth": (s, lambda r: t.p_weak(r.current.satisfied, r.current.votes) >= 0.5),
    }


def scores(settings: ReviewSettings | None = None, truth: Truth | None = None) -> dict:
    """The scores whose frontier is measured: kb's ``p_weak`` and the simulation's own."""
    s = settings or ReviewSettings()
    t = truth or Truth()
    return {
        "kb": (s, lambda r: r.p_weak or 0.0),
        "truth": (s, lambda r: t.p_weak(r.current.satisfied, r.current.votes)),
    }


def frontier(scored: list[tuple[float, bool]]) -> Frontier:
    """Precision and recall at every threshold of the (score, weak) pairs, summed up."""
    weak = sum(1 for _, w in scored if w)
    best_p = best_r = 0.0
    threshold = None
    tp = fp = 0
    ordered = sorted(scored, key=lambda sw: -sw[0])
    for i, (score, w) in enumerate(ordered):
        tp, fp = tp + w, fp + (not w)
        if i + 1 < len(ordered) and ordered[i + 1][0] == score:
            continue  # a threshold takes every article with this score
        p, r = tp / (tp + fp), tp / weak if weak else 1.0
        if r >= GOAL[1]:
            best_p = max(best_p, p)
        if p >= GOAL[0] and r > best_r:
            best_r, threshold = r, score
    return Frontier(best_p, best_r, threshold)


def evaluate(
    n_articles: int = 2000,
    seeds: Iterable[int] = range(1, 6),
    *,
    min_votes: int = 20,
    settings: ReviewSettings | None = None,
    compare: dict[str, tuple[ReviewSettings, Rule]] | None = None,
    score: dict[str, tuple[ReviewSettings, Score]] | None = None,
) -> Evaluation:
    """Precision and recall of each rule of ``compare`` (default :func:`rules`) on
    simulated traffic, every rule judging the same votes; and the :func:`frontier` of each
    score of ``score`` (default :func:`scores`).

    Only the statistical reasons (CSAT, CES) are scored: the simulation has no review
    dates or searches. ``precision`` and ``recall`` count articles with at least
    ``min_votes`` votes; ``precision_all`` and ``recall_all`` count every article.
    """
    truth = Truth()
    compare = compare or rules(settings, truth)
    score = scores(settings, truth) if score is None else score
    counts = {name: [0, 0, 0, 0, 0, 0] for name in compare}  # tp fp fn, over all: tp fp fn
    scored: dict[str, list[tuple[float, bool]]] = {name: [] for name in score}
    for seed in seeds:
        arts = make_articles(n_articles, seed=seed)
        weak = {a.id: a.weak for a in arts}
        manifest = [a.manifest_entry() for a in arts]
        tallies = by_revision(make_votes(arts, seed=seed))
        judged = {
            s: review(manifest, tallies, None, s).articles
            for s in {s for s, _ in [*compare.values(), *score.values()]}
        }
        for name, (s, rule) in compare.items():
            c = counts[name]
            for r in judged[s]:
                flagged = rule(r)
                outcome = 0 if flagged and weak[r.id] else 1 if flagged else 2 if weak[r.id] else -1
                if outcome >= 0:
                    c[3 + outcome] += 1
                    if r.current.votes >= min_votes:
                        c[outcome] += 1
        for name, (s, fn) in score.items():
            scored[name] += [(fn(r), weak[r.id]) for r in judged[s] if r.current.votes >= min_votes]
    figures = {
        name: Figures(
            _share(tp, tp + fp),
            _share(tp, tp + fn),
            _share(tpa, tpa + fpa),
            _share(tpa, tpa + fna),
            tp + fn,
            tpa + fpa,
        )
        for name, (tp, fp, fn, tpa, fpa, fna) in counts.items()
    }
    return Evaluation(figures, {name: frontier(pairs) for name, pairs in scored.items()})


def _share(k: int, n: int) -> float:
    return k / n if n else 1.0
