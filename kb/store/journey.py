"""Writing the reader's journey: views as counters, unique readers, contacts, search outcomes.

A view is one transaction of at most four short statements: remember the client-made view id
(``INSERT .. ON CONFLICT DO NOTHING``; a retry stops here, so it is counted once), add one to
the day's counter of its article, revision, language and arrival (an upsert, so two workers
or two instances never lose an increment), remember the reader's daily visitor hash for the
unique count, and, for a view opened from kb's search, mark that search's result as opened.
The caller commits before it answers, so an acknowledged view survives a crash.

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
from kb.store.tables import contacts, search_log, view_counts, view_ids, view_readers
from kb.store.votes import insert_for, utcnow

VIEW_IDS_DAYS = 2
PRUNE_EVERY = 1000  # views between two prunes of old view ids, per process
_writes = count(1)


def record_view(conn: Connection, v: View, now: datetime | None = None) -> bool:
    """Count ``v`` once; False when its id was already counted (a retry)."""
    if v.arrival not in ARRIVALS:
        raise ValueError(f"arrival must be one of {', '.join(ARRIVALS)}")
    now = now or utcnow()
    day = now.date().isoformat()
    seen = insert_for(conn, view_ids).values(view=v.view, day=day)
    seen = seen.on_conflict_do_nothing(index_elements=["view"]).returning(view_ids.c.view)
    if conn.execute(seen).scalar_one_or_none() is None:
        return False
    key = {"article_id": v.article, "revision": v.revision or "", "lang": v.lang or "", "day": day}
    counter = insert_for(conn, view_counts).values(**key, arrival=v.arrival, views=1)
    conn.execute(
        counter.on_conflict_do_update(
            index_elements=[*key, "arrival"], set_={"views": view_counts.c.views + 1}
        )
    )
    if v.visitor:
        reader = insert_for(conn, view_readers).values(**key, visitor=v.visitor)
        conn.execute(reader.on_conflict_do_nothing(index_elements=[*key, "visitor"]))
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
