"""What readers searched for: the queries behind the maintainers' report and dashboard.

Every function takes an engine and returns plain rows, newest data included; ``since``
limits them to searches made at or after that moment (timezone-aware UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, func, select
from sqlalchemy.exc import SQLAlchemyError

from kb.review.dedup import utc_day_expr
from kb.store.tables import search_log


def _since(q, since: datetime | None):
    return q.where(search_log.c.created_at >= since) if since is not None else q


def zero_result_queries(
    engine: Engine, *, since: datetime | None = None, limit: int = 500
) -> list[dict]:
    """``[{"query", "count", "last"}]``: searches that found nothing, most frequent first."""
    s = search_log.c
    q = (
        select(s.query, func.count().label("count"), func.max(s.created_at).label("last"))
        .where(s.results == 0)
        .group_by(s.query)
        .order_by(func.count().desc(), s.query)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(_since(q, since)).mappings()]


def top_queries(engine: Engine, *, since: datetime | None = None, limit: int = 50) -> list[dict]:
    """``[{"query", "count", "zero", "clicks"}]``: the most frequent searches, with how many
    found nothing and how many ended on an opened result."""
    s = search_log.c
    q = (
        select(
            s.query,
            func.count().label("count"),
            func.sum(case((s.results == 0, 1), else_=0)).label("zero"),
            func.count(s.clicked_id).label("clicks"),
        )
        .group_by(s.query)
        .order_by(func.count().desc(), s.query)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            {**dict(r), "zero": int(r["zero"] or 0)}
            for r in conn.execute(_since(q, since)).mappings()
        ]


def query_counts(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """``[(query, count)]`` of rows of :func:`zero_result_queries` or :func:`top_queries`."""
    return [(str(r["query"]), int(r["count"] or 0)) for r in rows]


def zero_result_queries_by_day(
    engine: Engine, *, since: datetime | None = None, limit: int = 20000
) -> list[tuple[str, int, str]]:
    """``[(query, count, YYYY-MM-DD)]`` of searches that found nothing, per UTC day, so a
    rewritten article is judged only on the searches made since; empty without a log."""
    s = search_log.c
    day = utc_day_expr(engine, s.created_at).label("day")
    q = (
        select(s.query, func.count().label("count"), day)
        .where(s.results == 0)
        .group_by(s.query, day)
        .order_by(func.count().desc())
        .limit(limit)
    )
    try:
        with engine.connect() as conn:
            return [(str(r[0]), int(r[1]), str(r[2])) for r in conn.execute(_since(q, since))]
    except SQLAlchemyError:  # a database older than the search log: no searches to weigh
        return []


def searches_for_article(
    engine: Engine, article_id: str, *, since: datetime | None = None, limit: int = 20
) -> list[tuple[str, int]]:
    """``[(query, count)]`` of searches whose reader opened this article."""
    s = search_log.c
    q = (
        select(s.query, func.count().label("count"))
        .where(s.clicked_id == article_id)
        .group_by(s.query)
        .order_by(func.count().desc(), s.query)
        .limit(limit)
    )
    try:
        with engine.connect() as conn:
            return [(str(r[0]), int(r[1])) for r in conn.execute(_since(q, since))]
    except SQLAlchemyError:  # a database older than the search log
        return []


def failed_searches(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20000,
) -> list[dict]:
    """``[{"query", "lang", "failure", "article", "count"}]``: the searches that did not help,
    most frequent first. ``failure`` is ``contact`` (the reader then contacted support),
    ``unsatisfied`` (voted the article unsatisfying) or ``no_result`` (found nothing), in that
    order when one search is several; ``article`` is the result the reader opened, if any.
    Empty on a database without the search log's outcomes."""
    s = search_log.c
    failure = case(
        (s.outcome == "contact", "contact"),
        (s.outcome == "unsatisfied", "unsatisfied"),
        else_="no_result",
    ).label("failure")
    q = (
        select(
            s.query,
            s.lang,
            failure,
            s.clicked_id.label("article"),
            func.count().label("count"),
        )
        .where((s.results == 0) | s.outcome.in_(("contact", "unsatisfied")))
        .group_by(s.query, s.lang, failure, s.clicked_id)
        .order_by(func.count().desc(), s.query)
        .limit(limit)
    )
    if until is not None:
        q = q.where(s.created_at < until)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(_since(q, since)).mappings()]
    except SQLAlchemyError:  # a database older than the journey's search outcomes
        return []
