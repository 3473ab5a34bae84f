"""Every table of the feedback store, in SQLAlchemy Core, on one ``metadata``.

A change of a table here is also a new migration in ``kb/store/migrations/versions/``
(``CONTRIBUTING.md``, "Add a migration"). The tables, by the migration that made them:

- ``0001_feedback``: ``feedback`` (one row per vote) and ``visitor_salts``.
- ``0002_search_log``: ``search_log``, what readers searched for and what they opened.
- ``0003_review``: ``review_comments`` (handled comments), ``review_acks`` (acknowledged
  flags), ``webhook_outbox`` (events to POST, with retries), ``review_days`` and
  ``review_state`` (per-day vote sums, a cache that makes the report fast: deduplication is
  per UTC day, so a past day's sums change only when a vote of that day is added or updated;
  ``review_state`` remembers how far the cache has seen; its row ``dashboard_sessions`` is
  the dashboard's session generation, :mod:`kb.store.sessions`).
- ``0004_journey``: ``view_counts`` (views per article, revision, language, day and arrival),
  ``view_readers`` (the daily visitor hashes that unique readers need), ``view_ids`` (the
  client-made ids of recent views, so a retry counts once), ``contacts`` (each "contact
  support" followed) and ``search_log.outcome`` (what a search ended in).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)

from kb.core.vocabulary import REASONS, SUBMISSION_MAX

# Stable constraint names, so migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite stores no zone: it is UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - raw SQLite text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


feedback = Table(
    "feedback",
    metadata,
    # One row per vote. Rows are raw events: ingestion never deletes them; the same
    # ``submission`` (made by the client) updates its own row.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission", String(SUBMISSION_MAX), nullable=False, unique=True),
    Column("article_id", String(200), nullable=False),  # the article id from the manifest
    Column("revision", String(40), nullable=True),  # the article revision the reader saw
    Column("csat", SmallInteger, nullable=False),  # 1..5
    Column("ces", SmallInteger, nullable=True),  # 1..7
    Column("comment", Text, nullable=True),
    Column("reason", String(40), nullable=True),  # one reason code (kb.core.vocabulary.REASONS)
    Column("lang", String(8), nullable=True),
    Column("visitor", String(64), nullable=True),  # HMAC(daily salt, address + user agent)
    Column("source", String(16), nullable=False, server_default="widget"),  # vocabulary.SOURCES
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),  # 1 + number of updates
    CheckConstraint("csat BETWEEN 1 AND 5", name="csat_range"),
    CheckConstraint("ces IS NULL OR ces BETWEEN 1 AND 7", name="ces_range"),
    Index("ix_feedback_article_id_created_at", "article_id", "created_at"),
    Index("ix_feedback_created_at", "created_at"),
)

visitor_salts = Table(
    "visitor_salts",
    metadata,
    # One random salt per UTC day; older ones are deleted, so yesterday's hashes can no
    # longer be recomputed from an address (as Plausible does).
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD (UTC)
    Column("salt", String(64), nullable=False),
)


# 0002_search_log
QUERY_MAX = 200

search_log = Table(
    "search_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Handed to the browser (X-KB-Search-Id) so it can report the click; random, not the id.
    Column("token", String(32), nullable=False, unique=True),
    Column("query", String(QUERY_MAX), nullable=False),  # normalised and masked
    Column("lang", String(8), nullable=True),
    Column("results", Integer, nullable=False),  # total matches
    Column("suggestion", String(QUERY_MAX), nullable=True),  # "did you mean", when offered
    Column("clicked_id", String(200), nullable=True),  # article opened from the results
    Column("clicked_rank", SmallInteger, nullable=True),  # 1-based position of that result
    Column("clicked_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # 0004_journey: what the search ended in (kb.core.vocabulary.SEARCH_OUTCOMES), if known.
    Column("outcome", String(16), nullable=True),
    Index("ix_search_log_created_at", "created_at"),
    Index("ix_search_log_clicked_id", "clicked_id"),
)


# 0003_review
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
    Column("event", String(40), nullable=False),  # vote.low | article.flagged | support.contact
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
    *(Column(f"r_{reason}", Integer, nullable=False) for reason in REASONS),
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


# 0004_journey

view_counts = Table(
    "view_counts",
    metadata,
    # Counters, not one row per page view: one row per article, revision, language, UTC day
    # and arrival, incremented by each view.
    Column("article_id", String(200), primary_key=True),
    Column("revision", String(40), primary_key=True),  # "" when unknown
    Column("lang", String(8), primary_key=True),  # "" when unknown
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD, UTC
    Column("arrival", String(8), primary_key=True),  # one of ARRIVALS (kb.core.vocabulary)
    Column("views", Integer, nullable=False),
    Index("ix_view_counts_day", "day"),
)

view_readers = Table(
    "view_readers",
    metadata,
    # What unique readers need: one row per reader (the daily visitor hash) and article day.
    Column("article_id", String(200), primary_key=True),
    Column("revision", String(40), primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("visitor", String(64), primary_key=True),
    Index("ix_view_readers_day", "day"),
)

view_ids = Table(
    "view_ids",
    metadata,
    # The client-made id of each view of the last two days, so a retried beacon counts once.
    Column("view", String(SUBMISSION_MAX), primary_key=True),
    Column("day", String(10), nullable=False),
    Index("ix_view_ids_day", "day"),
)

contacts = Table(
    "contacts",
    metadata,
    # One row per "contact support" followed from an article.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact", String(SUBMISSION_MAX), nullable=False, unique=True),  # made by the client
    Column("article_id", String(200), nullable=False),
    Column("revision", String(40), nullable=True),
    Column("lang", String(8), nullable=True),
    Column("search", String(32), nullable=True),  # the search_log token that led there
    Column("query", String(QUERY_MAX), nullable=True),  # that search's query (normalised)
    Column("csat", SmallInteger, nullable=True),  # the reader's answers, when they voted
    Column("ces", SmallInteger, nullable=True),
    Column("reason", String(40), nullable=True),
    Column("visitor", String(64), nullable=True),  # HMAC(daily salt, address + user agent)
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_contacts_created_at", "created_at"),
    Index("ix_contacts_article_id", "article_id"),
)
