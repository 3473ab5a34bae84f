"""The review's rule for repeated votes, in SQL: one vote per visitor per article per UTC day.

The deduplication of :func:`kb.review.scoring.dedupe` (the latest answer winning) runs in the
database as a window function, and the sums a :class:`~kb.review.scoring.Tally` is made of
are computed there too. :mod:`kb.review.cache` stores these sums per day and
:mod:`kb.review.queries` adds them up; both build on the expressions here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.core.vocabulary import REASONS
from kb.review.scoring import HARD_MAX, SATISFIED_MIN, Tally
from kb.store.tables import feedback

# The sums of a Tally, by column name (as in the review_days cache table).
SUM_NAMES: tuple[str, ...] = (
    "votes",
    "satisfied",
    "csat_sum",
    "ces_votes",
    "ces_sum",
    "ces_sq",
    "hard",
    "comments",
) + tuple(f"r_{r}" for r in REASONS)


def utc_day_expr(engine: Engine, column):
    """The UTC calendar day of a timestamp column, as the database computes it."""
    if engine.dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone("UTC", column))
    return sa.func.substr(column, 1, 10)  # SQLite stores naive UTC 'YYYY-MM-DD HH:MM:SS'


def latest_votes(
    engine: Engine,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_id: str | None = None,
    day_ranges: list[tuple[dt.datetime, dt.datetime]] | None = None,
):
    """A subquery of deduplicated votes (one per visitor, article and UTC day)."""
    f = feedback
    visitor_key = sa.func.coalesce(f.c.visitor, sa.cast(f.c.id, sa.String))
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(f.c.article_id, visitor_key, utc_day_expr(engine, f.c.created_at)),
            order_by=(f.c.created_at.desc(), f.c.id.desc()),
        )
        .label("rank")
    )
    q = sa.select(
        f.c.id,
        f.c.article_id,
        f.c.revision,
        f.c.csat,
        f.c.ces,
        f.c.comment,
        f.c.reason,
        f.c.lang,
        f.c.created_at,
        rank,
    )
    if since is not None:
        q = q.where(f.c.created_at >= since)
    if until is not None:
        q = q.where(f.c.created_at < until)
    if article_id is not None:
        q = q.where(f.c.article_id == article_id)
    if day_ranges is not None:
        q = q.where(
            sa.or_(*[sa.and_(f.c.created_at >= a, f.c.created_at < b) for a, b in day_ranges])
        )
    ranked = q.subquery("ranked")
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("votes")


def sums_columns(v) -> list:
    """The sums a Tally is made of, over a (sub)query of votes."""
    one = sa.literal(1)

    def count(condition) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, one), else_=0)), 0)

    has_comment = sa.and_(v.c.comment.is_not(None), sa.func.length(sa.func.trim(v.c.comment)) > 0)
    cols = [
        sa.func.count().label("votes"),
        count(v.c.csat >= SATISFIED_MIN).label("satisfied"),
        sa.func.coalesce(sa.func.sum(v.c.csat), 0).label("csat_sum"),
        sa.func.count(v.c.ces).label("ces_votes"),
        sa.func.coalesce(sa.func.sum(v.c.ces), 0).label("ces_sum"),
        sa.func.coalesce(sa.func.sum(v.c.ces * v.c.ces), 0).label("ces_sq"),
        count(v.c.ces <= HARD_MAX).label("hard"),
        count(has_comment).label("comments"),
        sa.func.min(v.c.created_at).label("first"),
        sa.func.max(v.c.created_at).label("last"),
    ]
    cols += [count(v.c.reason == reason).label(f"r_{reason}") for reason in REASONS]
    return cols


def tally_of(row: Mapping[str, Any]) -> Tally:
    """The Tally of a row of :func:`sums_columns` (or of the cache's sums)."""
    return Tally(
        votes=int(row["votes"]),
        satisfied=int(row["satisfied"]),
        csat_sum=int(row["csat_sum"]),
        ces_votes=int(row["ces_votes"]),
        ces_sum=int(row["ces_sum"]),
        ces_sq=int(row["ces_sq"]),
        hard=int(row["hard"]),
        comments=int(row["comments"]),
        reasons={r: int(row[f"r_{r}"]) for r in REASONS if row[f"r_{r}"]},
        first=aware(row["first"]),
        last=aware(row["last"]),
    )


def aware(value) -> dt.datetime | None:
    """A timestamp from the database as an aware UTC datetime (SQLite returns naive ones)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
