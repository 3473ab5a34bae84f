"""Per-day vote sums kept in the database, so a report over a million votes is quick.

Deduplication works within a UTC day (one vote per visitor per article per day), so the
sums of each (article, revision, day) are final once computed — until a vote of that day
is added or changed. :func:`refresh` finds those days (votes with a higher id than the
cache has seen, or an ``updated_at`` after its last look), sums only them again, and
rebuilds everything if votes disappeared. The report then adds up a few thousand rows
instead of deduplicating every vote. :func:`ready` is the trigger the queries call first;
:func:`cached_sums` and :func:`day_filters` read the cache back.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kb.review.dedup import SUM_NAMES, latest_votes, sums_columns, utc_day_expr
from kb.store.tables import feedback, review_days, review_state

STATE = "days"
COMMIT_MARGIN = dt.timedelta(minutes=5)
_REBUILD_ABOVE_DAYS = 120  # more stale days than this: one pass over everything is cheaper


def available(engine: Engine) -> bool:
    """True when the cache tables exist (migration 0003_review applied)."""
    return sa.inspect(engine).has_table("review_state")


def ready(engine: Engine) -> bool:
    """Bring the cache up to date when it is installed; False means "sum the votes directly"
    (no cache tables yet, or a database user that may only read)."""
    try:
        if not available(engine):
            return False
        refresh(engine)
        return True
    except sa.exc.SQLAlchemyError:
        return False


def cached_sums() -> list:
    """The sums of a Tally over rows of the cache (to group as the caller likes)."""
    d = review_days.c
    return [sa.func.sum(d[n]).label(n) for n in SUM_NAMES] + [
        sa.func.min(d.first).label("first"),
        sa.func.max(d.last).label("last"),
    ]


def day_filters(
    q,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    article_id: str | None = None,
):
    """``q`` over the cache limited to whole UTC days from ``since`` to before ``until``."""
    d = review_days.c
    if since is not None:
        q = q.where(d.day >= since.astimezone(dt.timezone.utc).date().isoformat())
    if until is not None:
        q = q.where(d.day < until.astimezone(dt.timezone.utc).date().isoformat())
    if article_id is not None:
        q = q.where(d.article_id == article_id)
    return q


def refresh(engine: Engine) -> int:
    """Bring the cache up to date; returns how many days were summed again."""
    days, state = review_days, review_state
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        top = conn.execute(
            sa.select(sa.func.max(feedback.c.id), sa.func.max(feedback.c.updated_at))
        ).one()
        max_id, max_updated = top[0] or 0, top[1]
        held = conn.execute(sa.select(state).where(state.c.name == STATE)).mappings().first()
        rebuild = held is None
        stale: set[str] = set()
        if held is not None:
            rows_then = conn.execute(
                sa.select(sa.func.count())
                .select_from(feedback)
                .where(feedback.c.id <= held["max_id"])
            ).scalar_one()
            if rows_then < held["rows"]:
                rebuild = True  # votes were deleted: start again
            # (More rows than then are votes committed after a higher id was seen; their
            # updated_at is recent, so the margin below finds their days.)
            else:
                changed = sa.or_(
                    feedback.c.id > held["max_id"],
                    feedback.c.updated_at > held["max_updated"]
                    if held["max_updated"] is not None
                    else sa.true(),
                )
                stale = {
                    _day(ts)
                    for ts in conn.execute(
                        sa.select(feedback.c.created_at).where(changed)
                    ).scalars()
                }
                rebuild = len(stale) > _REBUILD_ABOVE_DAYS
        if rebuild:
            conn.execute(days.delete())
            _insert_sums(conn, None)
            n = -1
        else:
            for day in sorted(stale):
                conn.execute(days.delete().where(days.c.day == day))
            if stale:
                _insert_sums(conn, sorted(stale))
            n = len(stale)
        if held is not None and not rebuild and not stale and held["max_id"] == max_id:
            return 0  # nothing changed since the last look
        rows_now = conn.execute(
            sa.select(sa.func.count()).select_from(feedback).where(feedback.c.id <= max_id)
        ).scalar_one()
        # Look again at the last few minutes next time: a write that was slow to commit
        # carries an updated_at older than the newest one seen now.
        seen = max_updated - COMMIT_MARGIN if max_updated is not None else None
        values = {"max_id": max_id, "rows": rows_now, "max_updated": seen, "computed_at": now}
        if held is None:
            conn.execute(state.insert().values(name=STATE, **values))
        else:
            conn.execute(state.update().where(state.c.name == STATE).values(**values))
    return n


def _day(ts: dt.datetime) -> str:
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.timezone.utc)
    return ts.date().isoformat()


def _insert_sums(conn: Connection, day_list: list[str] | None) -> None:
    days = review_days
    ranges = None
    if day_list is not None:
        ranges = []
        for d in day_list:
            start = dt.datetime.fromisoformat(d).replace(tzinfo=dt.timezone.utc)
            ranges.append((start, start + dt.timedelta(days=1)))
    v = latest_votes(conn.engine, day_ranges=ranges)
    day = utc_day_expr(conn.engine, v.c.created_at).label("day")
    rev = sa.func.coalesce(v.c.revision, "").label("revision")
    sums = sums_columns(v)
    q = sa.select(v.c.article_id, rev, day, *sums).group_by(v.c.article_id, rev, day)
    cols = ["article_id", "revision", "day"] + [c.name for c in sums]
    conn.execute(days.insert().from_select(cols, q))
