"""Simulated reader traffic with a known truth, for testing the flags and for demos.

The model follows what help-center feedback looks like (the shape is described in
docs/review.md, "Measured on simulated traffic"); it was written from that description and
is not fitted to any rule of kb:

- **Traffic is a long tail** (log-normal votes per article, median 10, sigma 1.6): half the
  articles get fewer than 10 votes, about a third 20 or more, a few get thousands.
- **About 12 % of articles are truly weak**: their true CSAT is 0.18 to 0.33 below the
  site's satisfied share (:data:`SITE_CSAT`). The others' true CSAT is spread around a mean a
  little above it (a Beta distribution, sd 6 points), so that the site as a whole lands on it.
- **CES is answered by about 4 voters in 10**, and it goes with CSAT: a satisfied reader
  usually found it easy (mean 5.4 of 7), a dissatisfied one usually did not (mean 3.2), and an
  article that satisfies fewer readers is also a little harder for all of them.
- A low vote picks a reason half the time; some readers vote twice on the same day
  (changing their mind), and only their last answer counts, so deduplication is exercised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass

from kb.core.vocabulary import REASONS
from kb.core.votes import Vote

CATEGORIES = ("getting-started", "account", "billing", "troubleshooting")
TYPES = ("faq", "howto", "troubleshooting")

SITE_CSAT = 0.75  # the site's satisfied share
WEAK_GAP = (0.18, 0.33)  # how far below it a weak article's true CSAT is
TYPICAL_SD = 0.06  # spread of the typical articles' true CSAT
CES_SHARE = 0.4  # voters who answer the CES question
CES_MEAN = (5.4, 3.2)  # mean CES of a satisfied, of a dissatisfied reader
CES_SD = 1.3  # one reader's CES around that mean
CES_PER_CSAT = 2.5  # an article 0.1 below the typical CSAT is 0.25 CES points harder
CES_ARTICLE_SD = 0.35  # the articles' own ease, beyond what their CSAT says


@dataclass
class SimArticle:
    id: str
    category: str
    type: str
    true_csat: float
    true_hard: float  # expected share of CES answers from 1 to 3
    weak: bool
    traffic: int
    ease: float = 0.0  # CES points added to every reader's answer

    def manifest_entry(self) -> dict:
        return {
            "id": self.id,
            "path": f"{self.category}/{self.id}.md",
            "title": self.id,
            "revision": "r1",
            "category": self.category,
            "type": self.type,
            "owner": None,
            "review_by": None,
            "tags": [],
            "summary": "",
        }


def typical_csat(weak_share: float) -> float:
    """The mean true CSAT of the typical articles: a little above the site's, so that the
    site as a whole, weak articles included, lands on :data:`SITE_CSAT`."""
    return SITE_CSAT + weak_share * sum(WEAK_GAP) / 2


def _beta_around(rng: random.Random, mean: float, sd: float) -> float:
    k = mean * (1 - mean) / (sd * sd) - 1
    return rng.betavariate(mean * k, (1 - mean) * k)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _hard_share(csat: float, ease: float) -> float:
    """The expected share of CES answers from 1 to 3 (a rounded CES below 3.5)."""
    sat, unsat = ((3.5 - m - ease) / CES_SD for m in CES_MEAN)
    return csat * _phi(sat) + (1 - csat) * _phi(unsat)


def make_articles(
    n: int,
    *,
    weak_share: float = 0.12,
    median_votes: float = 10.0,
    sigma: float = 1.6,
    seed: int = 1,
) -> list[SimArticle]:
    rng = random.Random(seed)
    typical = typical_csat(weak_share)
    out = []
    for i in range(n):
        weak = rng.random() < weak_share
        if weak:
            csat = SITE_CSAT - rng.uniform(*WEAK_GAP)
        else:
            csat = _beta_around(rng, typical, TYPICAL_SD)
        ease = CES_PER_CSAT * (csat - typical) + rng.gauss(0, CES_ARTICLE_SD)
        traffic = min(int(rng.lognormvariate(math.log(median_votes), sigma)), 3000)
        out.append(
            SimArticle(
                f"a{i:04d}",
                rng.choice(CATEGORIES),
                rng.choice(TYPES),
                csat,
                _hard_share(csat, ease),
                weak,
                traffic,
                ease,
            )
        )
    return out


def _answer(rng: random.Random, a: SimArticle) -> tuple[int, int | None, str | None]:
    satisfied = rng.random() < a.true_csat
    csat = rng.choice((4, 5, 5)) if satisfied else rng.choice((1, 2, 2, 3, 3))
    ces = None
    if rng.random() < CES_SHARE:
        mean = CES_MEAN[0 if satisfied else 1] + a.ease
        ces = min(7, max(1, round(rng.gauss(mean, CES_SD))))
    reason = rng.choice(REASONS) if csat <= 2 and rng.random() < 0.5 else None
    return csat, ces, reason


def make_votes(
    articles: list[SimArticle],
    *,
    seed: int = 1,
    repeat_share: float = 0.08,
    start: dt.datetime | None = None,
    days: int = 90,
) -> list[Vote]:
    """Votes for every article; ids, visitors and times look like the real table's."""
    rng = random.Random(seed * 7919 + 11)
    start = start or dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    votes: list[Vote] = []
    vid = 0
    for a in articles:
        for j in range(a.traffic):
            at = start + dt.timedelta(seconds=rng.randrange(days * 86400 - 3600))
            visitor = hashlib.sha256(f"{seed}:{a.id}:{j}".encode()).hexdigest()[:32]
            if rng.random() < repeat_share:  # a first answer, replaced later that day
                first_csat, first_ces, first_reason = _answer(rng, a)
                vid += 1
                votes.append(
                    Vote(
                        article=a.id,
                        revision="r1",
                        csat=first_csat,
                        ces=first_ces,
                        reason=first_reason,
                        visitor=visitor,
                        created_at=at,
                        id=vid,
                    )
                )
                at = at + dt.timedelta(minutes=rng.randint(1, 50))
            csat, ces, reason = _answer(rng, a)
            comment = (
                "It does not say what to do when the button is missing."
                if csat <= 2 and rng.random() < 0.3
                else None
            )
            vid += 1
            votes.append(
                Vote(
                    article=a.id,
                    revision="r1",
                    csat=csat,
                    ces=ces,
                    comment=comment,
                    reason=reason,
                    visitor=visitor,
                    created_at=at,
                    id=vid,
                )
            )
    votes.sort(key=lambda v: v.created_at)
    return votes


COMMENTS = {
    "outdated": (
        "The screenshots show the old menu.",
        "This button is not there any more.",
        "Settings moved, the steps no longer match.",
    ),
    "missing_steps": (
        "It skips what to do after the confirmation email.",
        "Missing the step for team accounts.",
    ),
    "not_answered": ("I wanted to know how long it takes.", "Does not cover my case (PayPal)."),
    "hard_to_follow": ("Too long, I got lost halfway.", "Which page am I supposed to be on?"),
}


def _weak_ids(articles: list[dict], weak: list[str] | None, rng: random.Random) -> set[str]:
    by_key = {a["id"]: a for a in articles} | {a["path"]: a for a in articles}
    if weak is None:
        return {a["id"] for a in rng.sample(articles, min(2, len(articles)))}
    return {by_key[w]["id"] for w in weak if w in by_key}


def demo_weak(articles: list[dict], weak: list[str] | None, seed: int = 7) -> set[str]:
    """The ids of the articles :func:`demo_rows` makes weak with the same arguments."""
    return _weak_ids(articles, weak, random.Random(seed))


def demo_rows(
    articles: list[dict],
    n_votes: int,
    *,
    weak: list[str] | None = None,
    days: int = 30,
    seed: int = 7,
    end: dt.datetime | None = None,
) -> list[dict]:
    """Import rows (for ``kb feedback import``) for a built help center's articles.

    ``weak`` names the articles (ids or paths) readers struggle with; without it two are
    picked at random. Traffic is a long tail; a few readers vote twice the same day.
    """
    rng = random.Random(seed)
    end = end or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    weak_ids = _weak_ids(articles, weak, rng)
    # A long tail, and the weak articles among the busier ones (they are why people come).
    traffic = [
        max(rng.lognormvariate(0, 1.0), 1.5) * 2.0
        if a["id"] in weak_ids
        else rng.lognormvariate(0, 1.0)
        for a in articles
    ]
    rows = []
    for i, a in enumerate(rng.choices(articles, weights=traffic, k=n_votes)):
        is_weak = a["id"] in weak_ids
        sim = SimArticle(
            a["id"],
            a.get("category") or "",
            a.get("type") or "",
            0.32 if is_weak else _beta_around(rng, 0.8, 0.06),
            0.6 if is_weak else 0.15,
            is_weak,
            0,
            -0.8 if is_weak else 0.0,
        )
        csat, ces, reason = _answer(rng, sim)
        if is_weak and csat <= 2 and reason is None:
            reason = "outdated" if rng.random() < 0.5 else "missing_steps"
        comment = rng.choice(COMMENTS[reason]) if reason and rng.random() < 0.5 else None
        at = end - dt.timedelta(seconds=rng.randrange(days * 86400))
        row = {
            "article": a["id"],
            "csat": csat,
            "ces": ces,
            "comment": comment,
            "reason": reason,
            "created_at": at.isoformat(),
            "visitor": f"demo-{seed}-{i}",
            "lang": a.get("lang") or "en",
        }
        rows.append(row)
        if rng.random() < 0.05:  # changed their mind a few minutes later
            again = dict(
                row, csat=min(5, csat + 1), created_at=(at + dt.timedelta(minutes=3)).isoformat()
            )
            if again["created_at"] <= end.isoformat():
                rows.append(again)
    rows.sort(key=lambda r: r["created_at"])
    return rows
