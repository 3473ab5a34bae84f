"""Writing the reader's journey: views as counters, unique readers, contacts, search outcomes.

A view is one transaction of at most four short statements: remember the client-made view id
(``INSERT .. ON CONFLICT DO NOTHING``; a retry stops here, so it is counted once), add one to
the day's counter of its article, revision, language and arrival (an upsert, so two workers
or two instances never lose an increment), remember the reader's daily visitor hash for the
unique count, and, for a view opened from kb's search, mark that search's result as opened.
The caller commits before it answers, so an acknowledged view survives a crash.

Views are the API's most frequent write, so their three statements are SQL written once
(``ON CONFLICT`` and ``RETURNING``), sent to the driver with only their values
(:data:`VIEW_SQL`): building, keying and compiling SQLAlchemy statements took longer than
running them (1.3 ms a view against 0.75 ms, measured on SQLite). On PostgreSQL they are one
statement (:data:`VIEW_PG`), one round trip to the server.

View ids are only needed while a browser may retry (seconds; at most the next page view):
they are kept for :data:`VIEW_IDS_DAYS` days and pruned by the writes themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import Connection, delete, select, update

from kb.core.journey import Contact, View
from kb.core.vocabulary import ARRIVALS
from kb.store.searchlog import normalise
from kb.store.tables import contacts, search_log, view_ids
from kb.store.votes import insert_for, utcnow

VIEW_IDS_DAYS = 2
PRUNE_EVERY = 1000  # views between two prunes of old view ids, per process
_writes = count(1)


# A view's statements, in SQLite's placeholders (``?``; ``%s`` for PostgreSQL's driver).
# Their tables and columns are kb.store.tables' view_ids, view_counts and view_readers.
VIEW_SQL = {
    "seen": 'INSERT INTO view_ids ("view", day) VALUES (?, ?) '
    'ON CONFLICT ("view") DO NOTHING RETURNING "view"',
    "counter": "INSERT INTO view_counts (article_id, revision, lang, day, arrival, views) "
    "VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (article_id, revision, lang, day, arrival) "
    "DO UPDATE SET views = view_counts.views + 1",
    "reader": "INSERT INTO view_readers (article_id, revision, lang, day, visitor) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id, revision, lang, day, visitor) DO NOTHING",
}
# On PostgreSQL the three are one statement (data-modifying WITH): one round trip to the
# server instead of three. Its answer is 1 when the view was new, else 0. (With its reader;
# VIEW_PG_ALONE is the same without one.)
VIEW_PG = (
    'WITH seen AS (INSERT INTO view_ids ("view", day) VALUES (%s, %s) '
    'ON CONFLICT ("view") DO NOTHING RETURNING "view"), '
    "counted AS (INSERT INTO view_counts (article_id, revision, lang, day, arrival, views) "
    "SELECT %s, %s, %s, %s, %s, 1 FROM seen "
    "ON CONFLICT (article_id, revision, lang, day, arrival) "
    "DO UPDATE SET views = view_counts.views + 1), "
    "reader AS (INSERT INTO view_readers (article_id, revision, lang, day, visitor) "
    "SELECT %s, %s, %s, %s, %s FROM seen ON CONFLICT DO NOTHING) "
    "SELECT count(*) FROM seen"
)
VIEW_PG_ALONE = (
    'WITH seen AS (INSERT INTO view_ids ("view", day) VALUES (%s, %s) '
    'ON CONFLICT ("view") DO NOTHING RETURNING "view"), '
    "counted AS (INSERT INTO view_counts (article_id, revision, lang, day, arrival, views) "
    "SELECT %s, %s, %s, %s, %s, 1 FROM seen "
    "ON CONFLICT (article_id, revision, lang, day, arrival) "
    "DO UPDATE SET views = view_counts.views + 1) "
    "SELECT count(*) FROM seen"
)
_sql_for: dict[str, dict[str, str]] = {}


def _view_sql(conn: Connection) -> dict[str, str]:
    style = conn.dialect.paramstyle
    if style not in _sql_for:
        mark = "?" if style == "qmark" else "%s"
        _sql_for[style] = {k: sql.replace("?", mark) for k, sql in VIEW_SQL.items()}
    return _sql_for[style]


def record_view(conn: Connection, v: View, now: datetime | None = None) -> bool:
    """Count ``v`` once; False when its id was already counted (a retry)."""
    if v.arrival not in ARRIVALS:
        raise ValueError(f"arrival must be one of {', '.join(ARRIVALS)}")
    now = now or utcnow()
    day = now.date().isoformat()
    key = (v.article, v.revision or "", v.lang or "", day)
    if conn.dialect.name == "postgresql":
        params = (v.view, day, *key, v.arrival)
        if v.visitor:
            sql, params = VIEW_PG, (*params, *key, v.visitor)
        else:
            sql = VIEW_PG_ALONE
        if not conn.exec_driver_sql(sql, params).scalar():
            return False
    else:
        sql = _view_sql(conn)
        if conn.exec_driver_sql(sql["seen"], (v.view, day)).first() is None:
            return False
        conn.exec_driver_sql(sql["counter"], (*key, v.arrival))
        if v.visitor:
            conn.exec_driver_sql(sql["reader"], (*key, v.visitor))
    if v.search:
        # The result opened, when the click's own beacon was lost.
        conn.execute(
            update(search_log)
            .where(search_log.c.token == v.search, search_log.c.clicked_id.is_(None))
            .values(clicked_id=v.article, clicked_at=now)
        )
    if next(_writes) % PRUNE_EVERY == 0:
        prune_view_ids(conn, now)
    return True


def prune_view_ids(conn: Connection, now: datetime | None = None) -> int:
    """Forget view ids older than :data:`VIEW_IDS_DAYS` days (a retry comes long before)."""
    cut = ((now or utcnow()) - timedelta(days=VIEW_IDS_DAYS)).date().isoformat()
    return conn.execute(delete(view_ids).where(view_ids.c.day < cut)).rowcount or 0


def search_query(conn: Connection, token: str | None) -> str | None:
    """The logged (normalised, masked) query of the search ``token``, when it is known."""
    if not token:
        return None
    q = select(search_log.c.query).where(search_log.c.token == token)
    return conn.execute(q).scalar_one_or_none()


def record_contact(conn: Connection, c: Contact, now: datetime | None = None) -> int | None:
    """Store ``c``; its id, or None when this contact id was already stored (a retry).
    The search that led there, if any, ends in ``contact``."""
    now = now or utcnow()
    query = search_query(conn, c.search) or (normalise(c.query) if c.query else None) or None
    row = {
        "contact": c.contact,
        "article_id": c.article,
        "revision": c.revision,
        "lang": c.lang,
        "search": c.search,
        "query": query,
        "csat": c.csat,
        "ces": c.ces,
        "reason": c.reason,
        "visitor": c.visitor,
        "created_at": now,
    }
    stmt = (
        insert_for(conn, contacts).values(**row).on_conflict_do_nothing(index_elements=["contact"])
    )
    new_id = conn.execute(stmt.returning(contacts.c.id)).scalar_one_or_none()
    if new_id is not None and c.search:
        set_outcome(conn, c.search, "contact")
    return new_id


def set_outcome(conn: Connection, token: str, outcome: str) -> bool:
    """What the search ``token`` ended in: the reader's vote (``satisfied``/``unsatisfied``,
    the latest counts) or ``contact``, which no later vote overrides."""
    where = [search_log.c.token == token]
    if outcome != "contact":
        where.append(search_log.c.outcome.is_distinct_from("contact"))
    return bool(conn.execute(update(search_log).where(*where).values(outcome=outcome)).rowcount)
