"""Retention: delete what readers wrote once it is older than the help center keeps it.

``kb feedback purge --older-than DAYS`` calls :func:`purge`. It deletes votes (with their
comments and visitor hashes) created before the cut-off, the review marks of those votes,
webhook events queued before the cut-off (their payloads quote comments), search queries
logged before the cut-off, and every visitor salt but today's. Per-day vote counts of the
review cache hold no comment and no visitor, so they stay and old scores remain readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, delete, func, inspect, select

from kb.store.tables import feedback, review_comments, search_log, visitor_salts, webhook_outbox
from kb.store.votes import utcnow


@dataclass
class PurgeResult:
    cutoff: datetime
    votes: int = 0
    review_marks: int = 0
    webhook_events: int = 0
    search_queries: int = 0
    salts: int = 0


def _other_tables(engine: Engine) -> tuple[Table | None, Table | None, Table | None]:
    """The review's comment marks and webhook outbox and search's query log, when this
    database has them (it may be at an older migration)."""
    names = set(inspect(engine).get_table_names())
    found = [t if t.name in names else None for t in (review_comments, webhook_outbox, search_log)]
    return found[0], found[1], found[2]


def purge(
    engine: Engine, older_than_days: int, now: datetime | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete votes created more than ``older_than_days`` days ago (and what quotes them).
    With ``dry_run`` nothing is deleted and the counts say what would be."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    now = now or utcnow()
    result = PurgeResult(cutoff=now - timedelta(days=older_than_days))
    comments, outbox, searches = _other_tables(engine)
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
        result.votes = run(feedback, feedback.c.created_at < result.cutoff)
        result.salts = run(visitor_salts, visitor_salts.c.day < now.date().isoformat())
    return result
