"""Retention: delete what readers wrote once it is older than the help center keeps it.

``kb feedback purge --older-than DAYS`` calls :func:`purge`. It deletes votes (with their
comments and visitor hashes) created before the cut-off, the review marks of those votes,
webhook events queued before the cut-off (their payloads quote comments), search queries
logged before the cut-off, contacts made before the cut-off (with their queries, answers and
visitor hashes), the unique-reader hashes of days before the cut-off, the ids of views before
the cut-off, and every visitor salt but today's. Per-day vote counts of the review cache and
per-day view counts hold no comment and no visitor, so they stay and old scores remain
readable (the unique readers of purged days do not: they were the hashes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, delete, func, inspect, select

from kb.store.tables import (
    contacts,
    feedback,
    review_comments,
    search_log,
    view_ids,
    view_readers,
    visitor_salts,
    webhook_outbox,
)
from kb.store.votes import utcnow


@dataclass
class PurgeResult:
    cutoff: datetime
    votes: int = 0
    review_marks: int = 0
    webhook_events: int = 0
    search_queries: int = 0
    contacts: int = 0
    readers: int = 0
    view_ids: int = 0
    salts: int = 0


OPTIONAL = (review_comments, webhook_outbox, search_log, contacts, view_readers, view_ids)


def _other_tables(engine: Engine) -> dict[str, Table]:
    """The tables of later migrations that this database has (it may be at an older one)."""
    names = set(inspect(engine).get_table_names())
    return {t.name: t for t in OPTIONAL if t.name in names}


def purge(
    engine: Engine, older_than_days: int, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete votes created more than ``older_than_days`` days ago (and what quotes them).
    With ``dry_run`` nothing is deleted and the counts say what would be."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    now = now or utcnow()
    result = PurgeResult(cutoff=now - timedelta(days=older_than_days))
    tables = _other_tables(engine)
    comments, outbox = tables.get("review_comments"), tables.get("webhook_outbox")
    searches = tables.get("search_log")
    day = result.cutoff.date().isoformat()
    with engine.begin() as conn:

        def run(table: Table, where) -> int:
            if dry_run:
                count = select(func.count()).select_from(table).where(where)
                return conn.execute(count).scalar_one()
            return conn.execute(delete(table).where(where)).rowcount or 0

        old_ids = select(feedback.c.id).where(feedback.c.created_at < result.cutoff)
        if comments is not None:
            result.review_marks = run(comments, comments.c.feedback_id.in_(old_ids))
        if outbox is not None:
            result.webhook_events = run(outbox, outbox.c.created_at < result.cutoff)
        if searches is not None:
            result.search_queries = run(searches, searches.c.created_at < result.cutoff)
        if "contacts" in tables:
            result.contacts = run(contacts, contacts.c.created_at < result.cutoff)
        if "view_readers" in tables:
            result.readers = run(view_readers, view_readers.c.day < day)
        if "view_ids" in tables:
            result.view_ids = run(view_ids, view_ids.c.day < day)
        result.votes = run(feedback, feedback.c.created_at < result.cutoff)
        result.salts = run(visitor_salts, visitor_salts.c.day < now.date().isoformat())
    return result
