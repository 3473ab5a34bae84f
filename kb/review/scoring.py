"""Scores for articles and revisions: pure functions over votes, no database, no web.

Definitions (the standard ones):

- **CSAT** is the share of satisfied answers, 4 or 5 on the 1–5 scale.
- **CES** is the mean of the 1–7 effort answers ("how easy was it to solve your problem?",
  7 = very easy); the **hard share** is the share of CES answers from 1 to 3.
- **NPS** (only when a site-level 0–10 question is enabled) is the share of promoters (9–10)
  minus the share of detractors (0–6), in points from -100 to 100.

Repeated votes count once: one vote per visitor per article per UTC day, the latest answer
winning (:func:`dedupe`). The raw events in the database are never changed.

A :class:`Tally` holds the sufficient statistics of a set of votes; tallies add up, so the
database can sum per (article, revision) and Python can combine revisions, categories and
the whole site without seeing a single vote again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kb.core.vocabulary import SATISFIED_MIN
from kb.core.votes import Vote
from kb.review.stats import Z95, mean_interval, wilson_interval

K = TypeVar("K", bound=Hashable)

HARD_MAX = 3  # CES 1..3 are "hard"
CSAT_RANGE = (1, 5)
CES_RANGE = (1, 7)


def utc_day(ts: dt.datetime | None) -> dt.date | None:
    """The UTC calendar day of a timestamp (naive timestamps are taken as UTC)."""
    if ts is None:
        return None
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.timezone.utc)
    return ts.date()


def _order(v: Vote) -> tuple:
    ts = v.created_at
    if ts is not None and ts.tzinfo is not None:
        ts = ts.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return (ts or dt.datetime.min, v.id)


def dedupe(votes: Iterable[Vote]) -> list[Vote]:
    """One vote per visitor per article per UTC day: the latest (by time, then id) wins.

    A vote without a visitor hash cannot be matched to another one and always counts.
    The result keeps the input order of the winning votes.
    """
    winners: dict[Hashable, tuple[int, Vote]] = {}
    for i, v in enumerate(votes):
        key: Hashable = (v.article, v.visitor, utc_day(v.created_at)) if v.visitor else i
        held = winners.get(key)
        if held is None or _order(v) >= _order(held[1]):
            winners[key] = (held[0] if held else i, v)
    return [v for _, v in sorted(winners.values(), key=lambda iv: iv[0])]


@dataclass
class Tally:
    """Sufficient statistics of a set of (deduplicated) votes."""

    votes: int = 0
    satisfied: int = 0  # CSAT 4-5
    csat_sum: int = 0
    ces_votes: int = 0  # votes that answered CES
    ces_sum: int = 0
    ces_sq: int = 0
    hard: int = 0  # CES 1-3
    comments: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    @classmethod
    def of(cls, votes: Iterable[Vote]) -> Tally:
        t = cls()
        for v in votes:
            t.add(v)
        return t

    def add(self, v: Vote) -> None:
        self.votes += 1
        self.csat_sum += v.csat
        if v.csat >= SATISFIED_MIN:
            self.satisfied += 1
        if v.ces is not None:
            self.ces_votes += 1
            self.ces_sum += v.ces
            self.ces_sq += v.ces * v.ces
            if v.ces <= HARD_MAX:
                self.hard += 1
        if v.comment and v.comment.strip():
            self.comments += 1
        if v.reason:
            self.reasons[v.reason] = self.reasons.get(v.reason, 0) + 1
        if v.created_at is not None:
            ts = v.created_at
            if ts.tzinfo is None:  # naive means UTC (as in utc_day); never compare the two kinds
                ts = ts.replace(tzinfo=dt.timezone.utc)
            self.first = ts if self.first is None else min(self.first, ts)
            self.last = ts if self.last is None else max(self.last, ts)

    def __add__(self, other: Tally) -> Tally:
        reasons = dict(self.reasons)
        for k, n in other.reasons.items():
            reasons[k] = reasons.get(k, 0) + n
        return Tally(
            votes=self.votes + other.votes,
            satisfied=self.satisfied + other.satisfied,
            csat_sum=self.csat_sum + other.csat_sum,
            ces_votes=self.ces_votes + other.ces_votes,
            ces_sum=self.ces_sum + other.ces_sum,
            ces_sq=self.ces_sq + other.ces_sq,
            hard=self.hard + other.hard,
            comments=self.comments + other.comments,
            reasons=reasons,
            first=_min(self.first, other.first),
            last=_max(self.last, other.last),
        )

    # -- rates -----------------------------------------------------------------------------
    @property
    def csat(self) -> float | None:
        """Share of satisfied votes (0..1), ``None`` without votes."""
        return self.satisfied / self.votes if self.votes else None

    @property
    def csat_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.satisfied, self.votes)

    @property
    def ces(self) -> float | None:
        """Mean CES (1..7), ``None`` when nobody answered it."""
        return self.ces_sum / self.ces_votes if self.ces_votes else None

    @property
    def ces_interval(self) -> tuple[float, float] | None:
        return mean_interval(self.ces_sum, self.ces_sq, self.ces_votes, *CES_RANGE)

    @property
    def hard_share(self) -> float | None:
        """Share of CES answers from 1 to 3 (0..1), ``None`` when nobody answered CES."""
        return self.hard / self.ces_votes if self.ces_votes else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready scores: rates in 0..1, CES in 1..7, ``None`` where undefined."""
        return {
            "votes": self.votes,
            "csat": _round(self.csat),
            "csat_low": _round(_at(self.csat_interval, 0)),
            "csat_high": _round(_at(self.csat_interval, 1)),
            "ces": _round(self.ces, 2),
            "ces_low": _round(_at(self.ces_interval, 0), 2),
            "ces_high": _round(_at(self.ces_interval, 1), 2),
            "ces_votes": self.ces_votes,
            "hard_share": _round(self.hard_share),
            "comments": self.comments,
            "reasons": dict(sorted(self.reasons.items())),
            "first_vote": self.first.isoformat() if self.first else None,
            "last_vote": self.last.isoformat() if self.last else None,
        }


def pct(x: float | None) -> str:
    """A share (0..1) as a whole percentage, "–" when undefined."""
    return "–" if x is None else f"{round(100 * x)}%"


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def _at(pair: tuple[float, float] | None, i: int) -> float | None:
    return pair[i] if pair else None


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(x, digits)


def tally_by(votes: Iterable[Vote], key: Callable[[Vote], K]) -> dict[K, Tally]:
    """Tallies of votes grouped by ``key(vote)``."""
    out: dict[K, Tally] = {}
    for v in votes:
        k = key(v)
        t = out.get(k)
        if t is None:
            t = out[k] = Tally()
        t.add(v)
    return out


def by_revision(votes: Iterable[Vote]) -> dict[str, dict[str | None, Tally]]:
    """``{article_id: {revision: Tally}}`` of deduplicated votes (None: a vote sent with no
    revision)."""
    out: dict[str, dict[str | None, Tally]] = {}
    for (article, revision), t in tally_by(
        dedupe(votes), lambda v: (v.article, v.revision)
    ).items():
        out.setdefault(article, {})[revision] = t
    return out


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out = out + t
    return out


@dataclass
class Baselines:
    """What an article is judged against: the whole site, its category, its type."""

    site: Tally
    by_category: dict[str, Tally]
    by_type: dict[str, Tally]

    def for_article(self, article: Mapping[str, Any], peers: str = "site") -> Tally:
        """The baseline of ``peers`` ("site", "category" or "type") for one article."""
        if peers == "category":
            return self.by_category.get(str(article.get("category") or ""), self.site)
        if peers == "type":
            return self.by_type.get(str(article.get("type") or ""), self.site)
        return self.site


def baselines(
    article_tallies: Mapping[str, Tally], articles: Mapping[str, Mapping[str, Any]]
) -> Baselines:
    """Site, category and type baselines from per-article tallies.

    Votes of articles no longer in the help center count for the site but for no group.
    """
    site = Tally()
    cats: dict[str, Tally] = {}
    types: dict[str, Tally] = {}
    for article_id, t in article_tallies.items():
        site = site + t
        a = articles.get(article_id)
        if a is None:
            continue
        c, k = str(a.get("category") or ""), str(a.get("type") or "")
        cats[c] = cats.get(c, Tally()) + t
        types[k] = types.get(k, Tally()) + t
    return Baselines(site, cats, types)


@dataclass(frozen=True)
class Nps:
    responses: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        """Promoters minus detractors, in points (-100..100)."""
        if not self.responses:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.responses

    @property
    def interval(self) -> tuple[float, float] | None:
        """95 % normal interval for the NPS (a difference of two shares of one sample)."""
        n = self.responses
        if not n:
            return None
        p, d = self.promoters / n, self.detractors / n
        var = (p + d - (p - d) ** 2) / n
        half = 100 * Z95 * var**0.5
        s = self.score or 0.0
        return max(-100.0, s - half), min(100.0, s + half)


def nps(scores: Iterable[int]) -> Nps:
    """Net Promoter Score from 0–10 answers: promoters 9–10, passives 7–8, detractors 0–6."""
    pro = pas = det = 0
    for s in scores:
        if s >= 9:
            pro += 1
        elif s >= 7:
            pas += 1
        else:
            det += 1
    return Nps(pro + pas + det, pro, pas, det)
