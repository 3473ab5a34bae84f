"""Simulated reader traffic with a known truth, for testing the flags and for demos.

The model (each part chosen to look like real help-center feedback):

- Traffic per article is a long tail (log-normal): most articles get a handful of votes,
  a few get hundreds.
- A *fine* article's true CSAT is drawn around 78% (sd about 7 points) and its true
  "hard" share (CES 1–3) around 20%; a *weak* article either satisfies few readers
  (true CSAT 25–55%, many find it hard) or, one in four, satisfies them about as well as
  the others but leaves many struggling (hard share 45–70%).
- Six readers in ten answer the CES question; a low vote picks a reason half the time.
- Some readers vote twice on the same day (changing their mind); only their last answer
  is the truth, so deduplication is exercised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass

from kb.core.vocabulary import REASONS
from kb.core.votes import Vote
from kb.review.flags import naive_flag, review
from kb.review.scoring import by_revision

CATEGORIES = ("getting-started", "account", "billing", "troubleshooting")
TYPES = ("faq", "howto", "troubleshooting")


@dataclass
class SimArticle:
    id: str
    category: str
    type: str
    true_csat: float
    true_hard: float
    weak: bool
    traffic: int

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


def _beta_around(rng: random.Random, mean: float, sd: float) -> float:
    k = mean * (1 - mean) / (sd * sd) - 1
    return rng.betavariate(mean * k, (1 - mean) * k)


def make_articles(
    n: int,
    *,
    weak_share: float = 0.12,
    median_votes: float = 15.0,
    sigma: float = 1.3,
    seed: int = 1,
) -> list[SimArticle]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        weak = rng.random() < weak_share
        if weak and rng.random() < 0.75:
            csat, hard = rng.uniform(0.25, 0.55), rng.uniform(0.35, 0.6)
        elif weak:
            csat, hard = _beta_around(rng, 0.74, 0.07), rng.uniform(0.45, 0.7)
        else:
            csat, hard = _beta_around(rng, 0.78, 0.07), _beta_around(rng, 0.2, 0.06)
        traffic = min(int(rng.lognormvariate(math.log(median_votes), sigma)), 3000)
        out.append(
            SimArticle(
                f"a{i:04d}", rng.choice(CATEGORIES), rng.choice(TYPES), csat, hard, weak, traffic
            )
        )
    return out


def _answer(rng: random.Random, a: SimArticle) -> tuple[int, int | None, str | None]:
    satisfied = rng.random() < a.true_csat
    csat = rng.choice((4, 5, 5)) if satisfied else rng.choice((1, 2, 2, 3, 3))
    ces = None
    if rng.random() < 0.6:
        ces = rng.randint(1, 3) if rng.random() < a.true_hard else rng.randint(4, 7)
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


@dataclass
class Figures:
    precision: float
    recall: float
    precision_all: float  # over every flagged article, whatever its votes
    weak: int  # weak articles with at least ``min_votes`` votes
    flagged: int


def evaluate(
    n_articles: int = 2000, seeds: range = range(1, 6), *, min_votes: int = 20, settings=None
) -> dict[str, Figures]:
    """Precision and recall of kb's flags and of the naive rule on simulated traffic.

    Only the statistical reasons (CSAT, CES) are scored: the simulation has no review
    dates or searches. Recall counts weak articles with at least ``min_votes`` votes.
    """
    counts = {"kb": [0, 0, 0, 0, 0], "naive": [0, 0, 0, 0, 0]}  # tp, fp, fn, tp_all, fp_all
    for seed in seeds:
        arts = make_articles(n_articles, seed=seed)
        truth = {a.id: a.weak for a in arts}
        result = review(
            [a.manifest_entry() for a in arts],
            by_revision(make_votes(arts, seed=seed)),
            None,
            settings,
        )
        for r in result.articles:
            weak = truth[r.id]
            calls = {
                "kb": any(x.code in ("csat", "ces") for x in r.reasons),
                "naive": naive_flag(r.current),
            }
            for name, flagged in calls.items():
                c = counts[name]
                if flagged:
                    c[3 if weak else 4] += 1
                if r.current.votes >= min_votes:
                    if flagged:
                        c[0 if weak else 1] += 1
                    elif weak:
                        c[2] += 1
    out = {}
    for name, (tp, fp, fn, tpa, fpa) in counts.items():
        out[name] = Figures(
            tp / (tp + fp) if tp + fp else 1.0,
            tp / (tp + fn) if tp + fn else 1.0,
            tpa / (tpa + fpa) if tpa + fpa else 1.0,
            tp + fn,
            tpa + fpa,
        )
    return out


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
    by_key = {a["id"]: a for a in articles} | {a["path"]: a for a in articles}
    if weak is None:
        weak_ids = {a["id"] for a in rng.sample(articles, min(2, len(articles)))}
    else:
        weak_ids = {by_key[w]["id"] for w in weak if w in by_key}
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
