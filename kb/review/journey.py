"""The reader's journey out of the database: views, readers, votes, contacts, the funnel.

Every function takes an engine and returns :class:`~kb.review.deflection.Journey` or
:class:`~kb.review.deflection.Funnel` figures, summed by the database (SQLAlchemy Core, the
same on SQLite and PostgreSQL). ``since`` and ``until`` (timezone-aware UTC, ``until``
excluded) count whole UTC days for views and readers, which are stored per day, and for
votes once the per-day vote cache is installed (as the report's votes); contacts and
searches are cut at the moment itself. ``article_ids`` limits the figures to
those articles (a category's, for example).

A database older than the journey's tables (migration ``0004_journey``) gives empty
figures, never an error.

The functions the report and the dashboard use:

- :func:`journeys` — one :class:`Journey` per article, or per (article, revision) or
  (article, language), or any grouping of ``article_id``, ``revision``, ``lang``;
- :func:`site_journey` — the whole site (or a set of articles) as one :class:`Journey`,
  a reader of several articles on one day counted once;
- :func:`category_journeys` — the same per category of the manifest;
- :func:`journey_series` — the site's (or a set of articles') figures per day or week, for
  charts of views, readers, contacts and the self-service score over time;
- :func:`funnel` — searched, opened a result, read, voted, contacted: site-wide or for one
  article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.review import cache
from kb.review.dedup import latest_votes, utc_day_expr
from kb.review.deflection import Funnel, Journey
from kb.review.scoring import SATISFIED_MIN
from kb.store.tables import contacts, review_days, search_log, view_counts, view_readers

KEYS: tuple[str, ...] = ("article_id", "revision", "lang")
PERIODS: tuple[str, ...] = ("day", "week")
Key = tuple[str, ...]
_EMPTY = sa.literal_column("''")  # not a bound value: the same SQL in SELECT and GROUP BY


def has_journey_tables(engine: Engine) -> bool:
    """True when the journey's tables exist (migration ``0004_journey`` applied)."""
    return sa.inspect(engine).has_table("view_counts")


def _day(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.timezone.utc).date().isoformat() if moment else None


def _until_day(moment: dt.datetime | None) -> str | None:
    """The first whole UTC day not counted: the day of ``until``, or the next one when
    ``until`` is not midnight."""
    if moment is None:
        return None
    at = moment.astimezone(dt.timezone.utc)
    day = at.date()
    if at.time() != dt.time(0):
        day += dt.timedelta(days=1)
    return day.isoformat()


def _where_days(q, table, since, until, article_ids):
    """Filters on a per-day table (``view_counts``, ``view_readers``, ``review_days``)."""
    if since is not None:
        q = q.where(table.c.day >= _day(since))
    if until is not None:
        q = q.where(table.c.day < _until_day(until))
    if article_ids is not None:
        q = q.where(table.c.article_id.in_(list(article_ids)))
    return q


def _where_moments(q, column, article_column, since, until, article_ids):
    if since is not None:
        q = q.where(column >= since)
    if until is not None:
        q = q.where(column < until)
    if article_ids is not None:
        q = q.where(article_column.in_(list(article_ids)))
    return q


def _cols(table, keys: Sequence[str]) -> list:
    """The grouping columns, an unknown revision or language read as ``""``."""
    return [
        (table.c[k] if k == "article_id" else sa.func.coalesce(table.c[k], _EMPTY)).label(k)
        for k in keys
    ]


def _views(*group):
    """Views and views from kb's search, summed over ``view_counts`` by ``group``."""
    vc = view_counts.c
    from_search = sa.func.sum(sa.case((vc.arrival == "search", vc.views), else_=0))
    return sa.select(*group, sa.func.sum(vc.views).label("views"), from_search.label("search"))


def _read_into(conn, get: Callable[[Any], Journey], views_q, readers_q, contacts_q) -> None:
    """Run the three queries, adding each row's figures to the Journey ``get(row)`` gives."""
    for row in conn.execute(views_q).mappings():
        j = get(row)
        j.views, j.from_search = int(row["views"] or 0), int(row["search"] or 0)
    for row in conn.execute(readers_q).mappings():
        get(row).readers = int(row["readers"])
    for row in conn.execute(contacts_q).mappings():
        get(row).contacts = int(row["contacts"])


def journeys(
    engine: Engine,
    *,
    by: Sequence[str] = ("article_id",),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_ids: Iterable[str] | None = None,
    votes: bool = True,
) -> dict[Key, Journey]:
    """``{key: Journey}`` grouped by ``by`` (a subset of :data:`KEYS`, in that order of
    the key tuple as given): ``by=("article_id",)`` gives ``{(id,): Journey}``,
    ``by=("article_id", "revision")`` one per revision of each article.

    Readers are distinct daily visitor hashes within each group. ``votes=False`` leaves
    votes out (the report already has them from the vote tallies).
    """
    by = tuple(by)
    if not by or any(k not in KEYS for k in by):
        raise ValueError(f"by must name some of {', '.join(KEYS)}")
    if not has_journey_tables(engine):
        return {}
    ids = None if article_ids is None else list(article_ids)
    out: dict[Key, Journey] = {}

    def get(row) -> Journey:
        key = tuple(str(row[k]) for k in by)
        return out.setdefault(key, Journey())

    vc = view_counts
    views_q = _where_days(_views(*_cols(vc, by)), vc, since, until, ids).group_by(*_cols(vc, by))
    vr = view_readers
    distinct = _where_days(sa.select(*_cols(vr, by), vr.c.day, vr.c.visitor), vr, since, until, ids)
    distinct = distinct.distinct().subquery("readers")
    readers_q = sa.select(*[distinct.c[k] for k in by], sa.func.count().label("readers"))
    readers_q = readers_q.group_by(*[distinct.c[k] for k in by])
    ct = contacts
    contacts_q = sa.select(*_cols(ct, by), sa.func.count().label("contacts"))
    contacts_q = _where_moments(contacts_q, ct.c.created_at, ct.c.article_id, since, until, ids)
    contacts_q = contacts_q.group_by(*_cols(ct, by))
    with engine.connect() as conn:
        _read_into(conn, get, views_q, readers_q, contacts_q)
    if votes:
        for key, (n, k) in _vote_counts(engine, by, since, until, ids).items():
            j = out.setdefault(key, Journey())
            j.votes, j.satisfied = n, k
    return out


def _vote_counts(
    engine: Engine,
    by: Sequence[str],
    since: dt.datetime | None,
    until: dt.datetime | None,
    ids: list[str] | None,
) -> dict[Key, tuple[int, int]]:
    """``{key: (votes, satisfied)}`` of deduplicated votes: from the per-day cache when no
    language is asked for (the cache has none), else from the votes themselves."""
    if "lang" not in by and cache.ready(engine):
        d = review_days
        q = sa.select(
            *_cols(d, by),
            sa.func.sum(d.c.votes).label("votes"),
            sa.func.sum(d.c.satisfied).label("satisfied"),
        )
        q = _where_days(q, d, since, until, ids).group_by(*_cols(d, by))
    else:
        v = latest_votes(engine, since=since, until=until)
        satisfied = sa.func.sum(sa.case((v.c.csat >= SATISFIED_MIN, 1), else_=0))
        q = sa.select(
            *_cols(v, by), sa.func.count().label("votes"), satisfied.label("satisfied")
        ).group_by(*_cols(v, by))
        if ids is not None:
            q = q.where(v.c.article_id.in_(ids))
    with engine.connect() as conn:
        return {
            tuple(str(r[k]) for k in by): (int(r["votes"] or 0), int(r["satisfied"] or 0))
            for r in conn.execute(q).mappings()
        }


def by_article(
    engine: Engine, *, since: dt.datetime | None = None, votes: bool = True
) -> dict[str, Journey]:
    """``{article_id: Journey}`` of every article with a view, a vote or a contact."""
    return {k[0]: j for k, j in journeys(engine, since=since, votes=votes).items()}


def by_revision(
    engine: Engine,
    *,
    since: dt.datetime | None = None,
    article_id: str | None = None,
    votes: bool = True,
) -> dict[str, dict[str, Journey]]:
    """``{article_id: {revision: Journey}}`` (``""``: views and contacts whose revision the
    page did not say)."""
    ids = None if article_id is None else [article_id]
    rows = journeys(engine, by=KEYS[:2], since=since, article_ids=ids, votes=votes)
    out: dict[str, dict[str, Journey]] = {}
    for (aid, rev), j in rows.items():
        out.setdefault(aid, {})[rev] = j
    return out


def by_language(
    engine: Engine, *, since: dt.datetime | None = None, article_id: str | None = None
) -> dict[str, dict[str, Journey]]:
    """``{article_id: {lang: Journey}}`` (``""``: the language was not said)."""
    ids = None if article_id is None else [article_id]
    out: dict[str, dict[str, Journey]] = {}
    for (aid, lang), j in journeys(
        engine, by=("article_id", "lang"), since=since, article_ids=ids
    ).items():
        out.setdefault(aid, {})[lang] = j
    return out


def site_journey(
    engine: Engine,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_ids: Iterable[str] | None = None,
    votes: bool = True,
) -> Journey:
    """The site's (or these articles') figures as one :class:`Journey`: a reader who read
    several articles on one day is one reader, so the self-service score is the site's
    readers per contact, as Zendesk reports it. ``votes=False`` leaves votes out (the
    report has them already; summing them per day costs about as much as the report)."""
    series = journey_series(engine, since=since, until=until, article_ids=article_ids, votes=votes)
    out = Journey()
    for _, j in series:
        out = out + j  # daily readers add up: the visitor hash changes every day
    return out


def category_journeys(
    engine: Engine,
    articles: Iterable[Mapping[str, Any]],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    votes: bool = True,
) -> dict[str, Journey]:
    """``{category: Journey}`` over the manifest's ``articles`` (``""``: no category)."""
    members: dict[str, list[str]] = {}
    for a in articles:
        members.setdefault(str(a.get("category") or ""), []).append(str(a["id"]))
    return {
        cat: site_journey(engine, since=since, until=until, article_ids=ids, votes=votes)
        for cat, ids in sorted(members.items())
    }


def journey_series(
    engine: Engine,
    *,
    period: str = "day",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_ids: Iterable[str] | None = None,
    votes: bool = True,
) -> list[tuple[str, Journey]]:
    """``[(YYYY-MM-DD, Journey)]`` per UTC day, or per ISO week (``period="week"``, dated
    by its Monday), oldest first; only days with a view, vote or contact appear.

    Readers are distinct within each day; a week's readers are the sum of its days'."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if not has_journey_tables(engine):
        return []
    ids = None if article_ids is None else list(article_ids)
    days: dict[str, Journey] = {}
    vc, vr, ct = view_counts, view_readers, contacts
    views_q = _where_days(_views(vc.c.day), vc, since, until, ids).group_by(vc.c.day)
    distinct = _where_days(sa.select(vr.c.day, vr.c.visitor), vr, since, until, ids)
    distinct = distinct.distinct().subquery("readers")
    readers_q = sa.select(distinct.c.day, sa.func.count().label("readers")).group_by(distinct.c.day)
    cday = utc_day_expr(engine, ct.c.created_at).label("day")
    contacts_q = sa.select(cday, sa.func.count().label("contacts"))
    contacts_q = _where_moments(contacts_q, ct.c.created_at, ct.c.article_id, since, until, ids)
    contacts_q = contacts_q.group_by(cday)
    votes_q = _daily_votes(engine, since, until, ids) if votes else None

    def get(row) -> Journey:
        return days.setdefault(str(row["day"])[:10], Journey())

    with engine.connect() as conn:
        _read_into(conn, get, views_q, readers_q, contacts_q)
        for row in conn.execute(votes_q).mappings() if votes_q is not None else ():
            j = get(row)
            j.votes, j.satisfied = int(row["votes"]), int(row["satisfied"] or 0)
    if period == "week":
        weeks: dict[str, Journey] = {}
        for day, j in days.items():
            d = dt.date.fromisoformat(day)
            monday = (d - dt.timedelta(days=d.weekday())).isoformat()
            weeks[monday] = weeks.get(monday, Journey()) + j
        days = weeks
    return sorted(days.items())


def _daily_votes(engine: Engine, since, until, ids: list[str] | None):
    """Votes and satisfied votes per UTC day: from the per-day cache when it is installed
    (a million votes are not deduplicated again), else from the votes themselves."""
    if cache.ready(engine):
        d = review_days
        q = sa.select(
            d.c.day,
            sa.func.sum(d.c.votes).label("votes"),
            sa.func.sum(d.c.satisfied).label("satisfied"),
        )
        return _where_days(q, d, since, until, ids).group_by(d.c.day)
    v = latest_votes(engine, since=since, until=until)
    vday = utc_day_expr(engine, v.c.created_at).label("day")
    q = sa.select(
        vday,
        sa.func.count().label("votes"),
        sa.func.sum(sa.case((v.c.csat >= SATISFIED_MIN, 1), else_=0)).label("satisfied"),
    ).group_by(vday)
    return q if ids is None else q.where(v.c.article_id.in_(ids))


def funnel(
    engine: Engine,
    *,
    article_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Funnel:
    """The funnel site-wide, or of one article (see :class:`~kb.review.deflection.Funnel`
    for what each stage counts)."""
    if not has_journey_tables(engine):
        return Funnel()
    ids = None if article_id is None else [article_id]
    s = search_log.c
    searches = sa.select(
        sa.func.count().label("searched"), sa.func.count(s.clicked_id).label("opened")
    )
    outcomes = sa.select(s.outcome, sa.func.count().label("n")).where(s.outcome.is_not(None))
    if article_id is not None:
        searches = searches.where(s.clicked_id == article_id)
        outcomes = outcomes.where(s.clicked_id == article_id)
    searches = _where_moments(searches, s.created_at, s.clicked_id, since, until, None)
    outcomes = _where_moments(outcomes, s.created_at, s.clicked_id, since, until, None)
    with engine.connect() as conn:
        searched, opened = conn.execute(searches).one()
        ended = {str(o): int(n) for o, n in conn.execute(outcomes.group_by(s.outcome))}
    site = site_journey(engine, since=since, until=until, article_ids=ids)
    return Funnel(
        searched=None if article_id is not None else int(searched or 0),
        opened=int(opened or 0),
        read=site.from_search,
        search_outcomes=ended,
        views=site.views,
        votes=site.votes,
        satisfied=site.satisfied,
        contacts=site.contacts,
    )
