"""The review's tables (migration ``0003_review``), on the shared ``metadata``.

- ``review_comments``: which comments a maintainer has handled.
- ``review_acks``: flags acknowledged with a note (per article and revision).
- ``webhook_outbox``: events waiting to be POSTed, with retries and backoff.
- ``review_days`` and ``review_state``: per-day vote sums, a cache that makes the report
  fast. Deduplication is per UTC day, so the sums of a past day never change unless a
  vote of that day is added or updated; ``review_state`` remembers how far the cache has
  seen (highest id, latest ``updated_at``) so only touched days are summed again.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from .models import UtcDateTime, feedback, metadata

review_comments = Table(
    "review_comments",
    metadata,
    Column("feedback_id", Integer, primary_key=True),  # feedback.id (no FK: votes stay raw)
    Column("handled_at", UtcDateTime, nullable=False),
    Column("handled_by", String(64), nullable=True),
)

review_acks = Table(
    "review_acks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(200), nullable=False),
    Column("revision", String(40), nullable=True),
    Column("reasons", Text, nullable=False, server_default=""),  # reason codes, comma-separated
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_review_acks_article_id", "article_id"),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event", String(40), nullable=False),  # vote.low | article.flagged
    Column("dedup_key", String(200), nullable=False, unique=True),  # one event per cause
    Column("url", Text, nullable=False),
    Column("payload", Text, nullable=False),  # the JSON body, exactly as signed
    Column("status", String(16), nullable=False, server_default="pending"),  # pending|sent|failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime, nullable=True),
    Index("ix_webhook_outbox_status_next_attempt_at", "status", "next_attempt_at"),
)

review_days = Table(
    "review_days",
    metadata,
    Column("article_id", String(200), primary_key=True),
    Column("revision", String(40), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, UTC
    Column("votes", Integer, nullable=False),
    Column("satisfied", Integer, nullable=False),
    Column("csat_sum", Integer, nullable=False),
    Column("ces_votes", Integer, nullable=False),
    Column("ces_sum", Integer, nullable=False),
    Column("ces_sq", Integer, nullable=False),
    Column("hard", Integer, nullable=False),
    Column("comments", Integer, nullable=False),
    Column("r_outdated", Integer, nullable=False),
    Column("r_missing_steps", Integer, nullable=False),
    Column("r_not_answered", Integer, nullable=False),
    Column("r_hard_to_follow", Integer, nullable=False),
    Column("first", UtcDateTime, nullable=True),
    Column("last", UtcDateTime, nullable=True),
    Index("ix_review_days_day", "day"),
)

review_state = Table(
    "review_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("max_id", Integer, nullable=False),
    Column("rows", Integer, nullable=False),  # votes with id <= max_id when summed
    Column("max_updated", UtcDateTime, nullable=True),
    Column("computed_at", UtcDateTime, nullable=False),
)

# Finding the votes changed since the cache was filled must not scan the whole table.
feedback_updated_at = Index("ix_feedback_updated_at", feedback.c.updated_at)
