"""Votes out of the database for the review, summed in SQL (SQLAlchemy Core).

The deduplication rule of :mod:`kb.scoring` (one vote per visitor per article per UTC day,
the latest answer winning) runs in the database as a window function, and the sums a
:class:`~kb.scoring.Tally` needs are computed there too: Python receives one row per
(article, revision), so a million votes are a single pass of the database's sort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .scoring import HARD_MAX, REASONS, SATISFIED_MIN, Tally


def _feedback_table() -> sa.Table:
    from feedback_api.models import feedback

    return feedback


def utc_day_expr(engine: Engine, column):
    """The UTC calendar day of a timestamp column, as the database computes it."""
    if engine.dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone("UTC", column))
    return sa.func.substr(column, 1, 10)  # SQLite stores naive UTC 'YYYY-MM-DD HH:MM:SS'


def latest_votes(engine: Engine, *, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, article_id: str | None = None,
                 day_ranges: list[tuple[dt.datetime, dt.datetime]] | None = None):
    """A subquery of deduplicated votes (one per visitor, article and UTC day)."""
    f = _feedback_table()
    visitor_key = sa.func.coalesce(f.c.visitor, sa.cast(f.c.id, sa.String))
    rank = sa.func.row_number().over(
        partition_by=(f.c.article_id, visitor_key, utc_day_expr(engine, f.c.created_at)),
        order_by=(f.c.created_at.desc(), f.c.id.desc()),
    ).label("rank")
    q = sa.select(f.c.id, f.c.article_id, f.c.revision, f.c.csat, f.c.ces, f.c.comment,
                  f.c.reason, f.c.created_at, rank)
    if since is not None:
        q = q.where(f.c.created_at >= since)
    if until is not None:
        q = q.where(f.c.created_at < until)
    if article_id is not None:
        q = q.where(f.c.article_id == article_id)
    if day_ranges is not None:
        q = q.where(sa.or_(*[sa.and_(f.c.created_at >= a, f.c.created_at < b)
                             for a, b in day_ranges]))
    ranked = q.subquery("ranked")
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("votes")


def sums_columns(v) -> list:
    """The sums a Tally is made of, over a (sub)query of votes."""
    one = sa.literal(1)
    has_comment = sa.and_(v.c.comment.is_not(None), sa.func.length(sa.func.trim(v.c.comment)) > 0)
    cols = [
        sa.func.count().label("votes"),
        sa.func.coalesce(sa.func.sum(sa.case((v.c.csat >= SATISFIED_MIN, one), else_=0)), 0)
        .label("satisfied"),
        sa.func.coalesce(sa.func.sum(v.c.csat), 0).label("csat_sum"),
        sa.func.count(v.c.ces).label("ces_votes"),
        sa.func.coalesce(sa.func.sum(v.c.ces), 0).label("ces_sum"),
        sa.func.coalesce(sa.func.sum(v.c.ces * v.c.ces), 0).label("ces_sq"),
        sa.func.coalesce(sa.func.sum(sa.case((v.c.ces <= HARD_MAX, one), else_=0)), 0)
        .label("hard"),
        sa.func.coalesce(sa.func.sum(sa.case((has_comment, one), else_=0)), 0).label("comments"),
        sa.func.min(v.c.created_at).label("first"),
        sa.func.max(v.c.created_at).label("last"),
    ]
    for reason in REASONS:
        cols.append(sa.func.coalesce(sa.func.sum(sa.case((v.c.reason == reason, one), else_=0)),
                                     0).label(f"r_{reason}"))
    return cols


def _tally(row: Mapping[str, Any]) -> Tally:
    return Tally(
        votes=int(row["votes"]), satisfied=int(row["satisfied"]), csat_sum=int(row["csat_sum"]),
        ces_votes=int(row["ces_votes"]), ces_sum=int(row["ces_sum"]), ces_sq=int(row["ces_sq"]),
        hard=int(row["hard"]), comments=int(row["comments"]),
        reasons={r: int(row[f"r_{r}"]) for r in REASONS if row[f"r_{r}"]},
        first=_aware(row["first"]), last=_aware(row["last"]),
    )


def _aware(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def load_tallies(engine: Engine, *, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, article_id: str | None = None,
                 use_cache: bool = True) -> dict[str, dict[str, Tally]]:
    """``{article_id: {revision: Tally}}`` of deduplicated votes, summed by the database.

    With the review tables installed the per-day cache is refreshed and summed (``since``
    and ``until`` then count whole UTC days); otherwise every vote is deduplicated now.
    """
    out: dict[str, dict[str, Tally]] = {}
    if use_cache and _cache_ready(engine):
        from feedback_api.review_models import review_days as d

        q = sa.select(d.c.article_id, d.c.revision, *_cached_sums(d)).group_by(
            d.c.article_id, d.c.revision)
        q = _day_filters(q, d, since, until, article_id)
    else:
        v = latest_votes(engine, since=since, until=until, article_id=article_id)
        rev = sa.func.coalesce(v.c.revision, "").label("revision")
        q = sa.select(v.c.article_id, rev, *sums_columns(v)).group_by(v.c.article_id, rev)
    with engine.connect() as conn:
        for row in conn.execute(q).mappings():
            out.setdefault(row["article_id"], {})[row["revision"]] = _tally(row)
    return out


def daily_tallies(engine: Engine, *, since: dt.datetime | None = None,
                  article_id: str | None = None,
                  use_cache: bool = True) -> list[tuple[str, Tally]]:
    """``[(YYYY-MM-DD, Tally)]`` per UTC day, for trend charts."""
    if use_cache and _cache_ready(engine):
        from feedback_api.review_models import review_days as d

        q = sa.select(d.c.day, *_cached_sums(d)).group_by(d.c.day).order_by(d.c.day)
        q = _day_filters(q, d, since, None, article_id)
    else:
        v = latest_votes(engine, since=since, article_id=article_id)
        day = utc_day_expr(engine, v.c.created_at).label("day")
        q = sa.select(day, *sums_columns(v)).group_by(day).order_by(day)
    with engine.connect() as conn:
        return [(str(row["day"]), _tally(row)) for row in conn.execute(q).mappings()]


def _cache_ready(engine: Engine) -> bool:
    from . import review_cache

    try:
        if not review_cache.available(engine):
            return False
        review_cache.refresh(engine)
        return True
    except sa.exc.SQLAlchemyError:  # e.g. a read-only database user: sum the votes directly
        return False


def _cached_sums(d) -> list:
    names = ["votes", "satisfied", "csat_sum", "ces_votes", "ces_sum", "ces_sq", "hard",
             "comments"] + [f"r_{r}" for r in REASONS]
    return ([sa.func.sum(d.c[n]).label(n) for n in names]
            + [sa.func.min(d.c.first).label("first"), sa.func.max(d.c.last).label("last")])


def _day_filters(q, d, since, until, article_id):
    if since is not None:
        q = q.where(d.c.day >= since.astimezone(dt.timezone.utc).date().isoformat())
    if until is not None:
        q = q.where(d.c.day < until.astimezone(dt.timezone.utc).date().isoformat())
    if article_id is not None:
        q = q.where(d.c.article_id == article_id)
    return q


def recent_comments(engine: Engine, article_id: str | None = None, *, limit: int = 100,
                    since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The newest non-empty comments (raw rows: every comment a reader wrote)."""
    f = _feedback_table()
    q = (sa.select(f.c.id, f.c.article_id, f.c.revision, f.c.csat, f.c.ces, f.c.comment,
                   f.c.reason, f.c.lang, f.c.created_at)
         .where(f.c.comment.is_not(None), sa.func.length(sa.func.trim(f.c.comment)) > 0)
         .order_by(f.c.created_at.desc(), f.c.id.desc()).limit(limit))
    if article_id is not None:
        q = q.where(f.c.article_id == article_id)
    if since is not None:
        q = q.where(f.c.created_at >= since)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


# -- searches (issue 4's log), when that part is installed ----------------------------------

def _search_analytics(name: str, engine: Engine, **kwargs) -> list[tuple[str, int]]:
    """``[(query, count)]`` from ``search.analytics.<name>``; empty without a search log."""
    try:
        from search import analytics
    except ImportError:
        return []
    try:
        rows = getattr(analytics, name)(engine, **kwargs)
    except (AttributeError, TypeError, sa.exc.SQLAlchemyError):
        return []
    return [_query_count(r) for r in rows]


def zero_result_queries(engine: Engine, *, since: dt.datetime | None = None,
                        limit: int = 500) -> list[tuple[str, int]]:
    """``[(query, count)]`` of searches that found nothing; empty without a search log."""
    return _search_analytics("zero_result_queries", engine, since=since, limit=limit)


def zero_result_queries_by_day(engine: Engine, *, since: dt.datetime | None = None,
                               limit: int = 20000) -> list[tuple[str, int, str]]:
    """``[(query, count, YYYY-MM-DD)]`` of searches that found nothing, per UTC day, so a
    rewritten article is judged only on the searches made since; empty without a log."""
    try:
        from search.store import search_log
    except ImportError:
        return []
    s = search_log.c
    day = utc_day_expr(engine, s.created_at).label("day")
    q = (sa.select(s.query, sa.func.count().label("count"), day).where(s.results == 0)
         .group_by(s.query, day).order_by(sa.func.count().desc()).limit(limit))
    if since is not None:
        q = q.where(s.created_at >= since)
    try:
        with engine.connect() as conn:
            return [(str(r[0]), int(r[1]), str(r[2])) for r in conn.execute(q)]
    except sa.exc.SQLAlchemyError:
        return []


def top_queries(engine: Engine, *, since: dt.datetime | None = None,
                limit: int = 50) -> list[tuple[str, int]]:
    """``[(query, count)]`` of the most frequent searches; empty without a search log."""
    return _search_analytics("top_queries", engine, since=since, limit=limit)


def searches_for_article(engine: Engine, article_id: str, *, since: dt.datetime | None = None,
                         limit: int = 20) -> list[tuple[str, int]]:
    """``[(query, count)]`` of searches whose reader opened this article."""
    try:
        from search.store import search_log
    except ImportError:
        return []
    s = search_log.c
    q = (sa.select(s.query, sa.func.count().label("count")).where(s.clicked_id == article_id)
         .group_by(s.query).order_by(sa.func.count().desc(), s.query).limit(limit))
    if since is not None:
        q = q.where(s.created_at >= since)
    try:
        with engine.connect() as conn:
            return [(str(r[0]), int(r[1])) for r in conn.execute(q)]
    except sa.exc.SQLAlchemyError:
        return []


def _query_count(row) -> tuple[str, int]:
    if isinstance(row, Mapping):
        return str(row.get("query") or row.get("q") or ""), int(row.get("count") or 0)
    return str(row[0]), int(row[1])


# -- everything the report needs ---------------------------------------------------------------

@dataclass
class ReviewInputs:
    manifest: dict[str, Any]
    history: dict[str, Any]
    tallies: dict[str, dict[str, Tally]]
    zero_results: list[tuple]


def load_inputs(engine: Engine, site_dir: str | Path, project_dir: str | Path | None, *,
                since: dt.datetime | None = None) -> ReviewInputs:
    """Manifest, revision history, vote tallies and zero-result searches, in one call."""
    from .manifest import read_manifest
    from .revisions import load_for_report

    manifest = read_manifest(site_dir)
    return ReviewInputs(manifest, load_for_report(project_dir, site_dir),
                        load_tallies(engine, since=since),
                        zero_result_queries_by_day(engine, since=since))




def site_nps(engine: Engine, *, since: dt.datetime | None = None):
    """The site's NPS (:class:`kb.scoring.Nps`) from an ``nps`` 0-10 column of the votes,
    or None when the votes carry no such answer (the widget asks no NPS question)."""
    from .scoring import Nps

    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("feedback")}
    except sa.exc.SQLAlchemyError:
        return None
    if "nps" not in columns:
        return None
    f = sa.table("feedback", sa.column("nps"), sa.column("created_at"))
    one = sa.literal(1)
    q = sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((f.c.nps >= 9, one), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(f.c.nps >= 7, f.c.nps <= 8), one),
                                             else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((f.c.nps <= 6, one), else_=0)), 0),
    ).where(f.c.nps.is_not(None))
    if since is not None:
        q = q.where(f.c.created_at >= since)
    with engine.connect() as conn:
        pro, pas, det = (int(x) for x in conn.execute(q).one())
    return Nps(pro + pas + det, pro, pas, det)


def review_settings(config_file: str | Path | None):
    """The ``review`` settings of the kb plugin in ``mkdocs.yml`` (defaults without one)."""
    from .flags import ReviewSettings

    if config_file is None or not Path(config_file).exists():
        return ReviewSettings()
    from .builder import load_project_config

    config = load_project_config(config_file)
    plugin = config.plugins.get("kb")
    review = getattr(getattr(plugin, "config", None), "review", None)
    return ReviewSettings.from_mapping(dict(review) if review is not None else None)


def has_votes_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("feedback")


def load_review(engine: Engine, site_dir: str | Path, project_dir: str | Path | None,
                settings=None, *, since: dt.datetime | None = None,
                today: dt.date | None = None, docs_dir: str | Path | None = None):
    """Read everything and judge every article: a :class:`kb.flags.Review`.

    With ``docs_dir`` (the articles folder, in a git checkout) the history of articles
    whose votes name revisions the local history does not know is recovered from git.
    """
    from .flags import review

    if has_votes_table(engine):
        inputs = load_inputs(engine, site_dir, project_dir, since=since)
        if docs_dir is not None:
            _recover_history(inputs, Path(docs_dir), project_dir, settings)
    else:  # a database nobody has voted into yet: every article without votes
        from .manifest import read_manifest
        from .revisions import load_for_report

        inputs = ReviewInputs(read_manifest(site_dir), load_for_report(project_dir, site_dir),
                              {}, [])
    return review(inputs.manifest.get("articles", []), inputs.tallies, inputs.history, settings,
                  today=today, zero_results=inputs.zero_results)


def _recover_history(inputs: ReviewInputs, docs_dir: Path, project_dir, settings) -> None:
    from .revision_git import recover
    from .revisions import (
        DEFAULT_REWRITE_SIMILARITY,
        project_history_path,
        read_history,
        write_history,
    )

    known = {aid: {r["revision"] for r in e.get("revisions", [])}
             for aid, e in inputs.history.get("articles", {}).items()}
    current = {str(a["id"]): a.get("revision") for a in inputs.manifest.get("articles", [])}
    unknown = {}
    for aid, revs in inputs.tallies.items():
        if aid not in current:
            continue
        missing = {r for r in revs if r and r != current[aid] and r not in known.get(aid, set())}
        if missing:
            unknown[aid] = missing
    if not unknown:
        return
    threshold = getattr(settings, "rewrite_similarity", None) or DEFAULT_REWRITE_SIMILARITY
    recovered: dict = {"articles": {}}
    if not recover(recovered, docs_dir, inputs.manifest.get("articles", []), unknown,
                   rewrite_similarity=threshold):
        return
    inputs.history.setdefault("articles", {}).update(recovered["articles"])
    if project_dir is not None:  # keep it, with its fingerprints, for the next builds
        path = project_history_path(project_dir)
        own = read_history(path)
        own["articles"].update(recovered["articles"])
        try:
            write_history(path, own)
        except OSError:
            pass  # a read-only checkout: recovered again next time


def project_docs_dir(config_file: str | Path | None) -> Path | None:
    """The articles folder named by ``mkdocs.yml`` (None without a readable one)."""
    if config_file is None or not Path(config_file).exists():
        return None
    from .builder import load_project_config
    from .errors import KbError

    try:
        return Path(load_project_config(config_file).docs_dir)
    except KbError:
        return None
