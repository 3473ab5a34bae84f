"""What readers searched for: the queries behind the maintainers' report.

Every function takes an engine and returns plain rows (dicts), newest data included;
``since`` limits them to searches made at or after that moment (timezone-aware UTC).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, case, func, select

from .store import search_log


def _since(q, since: datetime | None):
    return q.where(search_log.c.created_at >= since) if since is not None else q


def zero_result_queries(engine: Engine, *, since: datetime | None = None,
                        limit: int = 500) -> list[dict]:
    """``[{"query", "count", "last"}]``: searches that found nothing, most frequent first."""
    s = search_log.c
    q = (select(s.query, func.count().label("count"), func.max(s.created_at).label("last"))
         .where(s.results == 0).group_by(s.query)
         .order_by(func.count().desc(), s.query).limit(limit))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(_since(q, since)).mappings()]


def top_queries(engine: Engine, *, since: datetime | None = None, limit: int = 50) -> list[dict]:
    """``[{"query", "count", "zero", "clicks"}]``: the most frequent searches, with how many
    found nothing and how many ended on an opened result."""
    s = search_log.c
    q = (select(s.query, func.count().label("count"),
                func.sum(case((s.results == 0, 1), else_=0)).label("zero"),
                func.count(s.clicked_id).label("clicks"))
         .group_by(s.query).order_by(func.count().desc(), s.query).limit(limit))
    with engine.connect() as conn:
        return [{**dict(r), "zero": int(r["zero"] or 0)}
                for r in conn.execute(_since(q, since)).mappings()]


def searches_before_bad_votes(engine: Engine, *, since: datetime | None = None,
                              within: timedelta = timedelta(hours=1), max_csat: int = 2,
                              limit: int = 100) -> list[dict]:
    """``[{"query", "article_id", "count"}]``: searches whose opened result then got a bad
    vote (CSAT at most ``max_csat``) within ``within`` of the click: the article did not
    answer what the reader was looking for."""
    from feedback_api.models import feedback

    s, f = search_log.c, feedback.c
    rows = (select(s.query, s.clicked_id, s.clicked_at, f.created_at.label("voted_at"))
            .join(feedback, and_(f.article_id == s.clicked_id, f.csat <= max_csat,
                                 f.created_at >= s.clicked_at))
            .where(s.clicked_id.is_not(None)))
    counts: dict[tuple[str, str], int] = {}
    with engine.connect() as conn:
        for r in conn.execute(_since(rows, since)).mappings():
            if r["voted_at"] - r["clicked_at"] <= within:
                key = (r["query"], r["clicked_id"])
                counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"query": q, "article_id": a, "count": n} for (q, a), n in ranked]


def click_through(engine: Engine, *, since: datetime | None = None) -> dict:
    """``{"searches", "with_results", "clicked"}``: totals for a headline figure."""
    s = search_log.c
    q = select(func.count().label("searches"),
               func.sum(case((s.results > 0, 1), else_=0)).label("with_results"),
               func.count(s.clicked_id).label("clicked"))
    with engine.connect() as conn:
        r = conn.execute(_since(q, since)).mappings().one()
    return {k: int(r[k] or 0) for k in ("searches", "with_results", "clicked")}
