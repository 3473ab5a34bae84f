"""Retention: delete what readers wrote once it is older than the help center keeps it.

``kb feedback purge --older-than DAYS`` calls :func:`purge`. It deletes votes (with their
comments and visitor hashes) created before the cut-off, the review marks of those votes,
webhook events queued before the cut-off (their payloads quote comments), search queries
logged before the cut-off, and every visitor salt but today's. Per-day vote counts of the
review cache hold no comment and no visitor, so they stay and old scores remain readable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, delete, func, inspect, select

from .models import feedback, visitor_salts
from .storage import utcnow


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
    installation and this database have them."""
    names = set(inspect(engine).get_table_names())
    found: list[Table | None] = []
    for module, table in (("feedback_api.review_models", "review_comments"),
                          ("feedback_api.review_models", "webhook_outbox"),
                          ("search.store", "search_log")):
        try:
            obj = getattr(importlib.import_module(module), table)
        except (ImportError, AttributeError):  # pragma: no cover - that part is not installed
            obj = None
        found.append(obj if obj is not None and obj.name in names else None)
    return found[0], found[1], found[2]


def purge(engine: Engine, older_than_days: int, now: datetime | None = None,
          dry_run: bool = False) -> PurgeResult:
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
