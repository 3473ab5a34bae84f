"""Votes out of the database for the review, summed in SQL (SQLAlchemy Core).

Python receives one row per (article, revision), or per day: a million votes are a single
pass of the database's sort, or a few thousand rows of the per-day cache
(:mod:`kb.review.cache`) once it is installed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.review import cache
from kb.review.dedup import latest_votes, sums_columns, tally_of, utc_day_expr
from kb.review.scoring import Tally
from kb.store.tables import feedback, review_days


def has_votes_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("feedback")


def load_tallies(
    engine: Engine,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_id: str | None = None,
    use_cache: bool = True,
) -> dict[str, dict[str, Tally]]:
    """``{article_id: {revision: Tally}}`` of deduplicated votes, summed by the database.

    With the review tables installed the per-day cache is refreshed and summed (``since``
    and ``until`` then count whole UTC days); otherwise every vote is deduplicated now.
    """
    out: dict[str, dict[str, Tally]] = {}
    if use_cache and cache.ready(engine):
        d = review_days.c
        q = sa.select(d.article_id, d.revision, *cache.cached_sums())
        q = cache.day_filters(q.group_by(d.article_id, d.revision), since, until, article_id)
    else:
        v = latest_votes(engine, since=since, until=until, article_id=article_id)
        rev = sa.func.coalesce(v.c.revision, "").label("revision")
        q = sa.select(v.c.article_id, rev, *sums_columns(v)).group_by(v.c.article_id, rev)
    with engine.connect() as conn:
        for row in conn.execute(q).mappings():
            out.setdefault(row["article_id"], {})[row["revision"]] = tally_of(row)
    return out


def daily_tallies(
    engine: Engine,
    *,
    since: dt.datetime | None = None,
    article_id: str | None = None,
    use_cache: bool = True,
) -> list[tuple[str, Tally]]:
    """``[(YYYY-MM-DD, Tally)]`` per UTC day, for trend charts."""
    if use_cache and cache.ready(engine):
        d = review_days.c
        q = sa.select(d.day, *cache.cached_sums()).group_by(d.day).order_by(d.day)
        q = cache.day_filters(q, since, None, article_id)
    else:
        v = latest_votes(engine, since=since, article_id=article_id)
        day = utc_day_expr(engine, v.c.created_at).label("day")
        q = sa.select(day, *sums_columns(v)).group_by(day).order_by(day)
    with engine.connect() as conn:
        return [(str(row["day"]), tally_of(row)) for row in conn.execute(q).mappings()]


def recent_comments(
    engine: Engine,
    article_id: str | None = None,
    *,
    limit: int = 100,
    since: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The newest non-empty comments (raw rows: every comment a reader wrote)."""
    f = feedback.c
    q = (
        sa.select(
            f.id, f.article_id, f.revision, f.csat, f.ces, f.comment, f.reason, f.lang, f.created_at
        )
        .where(f.comment.is_not(None), sa.func.length(sa.func.trim(f.comment)) > 0)
        .order_by(f.created_at.desc(), f.id.desc())
        .limit(limit)
    )
    if article_id is not None:
        q = q.where(f.article_id == article_id)
    if since is not None:
        q = q.where(f.created_at >= since)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]
