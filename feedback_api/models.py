"""The database schema, in SQLAlchemy Core. Changes go through Alembic migrations too.

Other parts of kb (search analytics, the review dashboard) define their tables on the same
``metadata`` in their own modules and add their own migration after ``0001_feedback``.
"""

from __future__ import annotations

import importlib
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

# Stable constraint names, so migrations can refer to them on every database.
metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})



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


SUBMISSION_MAX = 36
COMMENT_MAX = 2000

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
    Column("reason", String(40), nullable=True),  # one reason code (see feedback.REASONS)
    Column("lang", String(8), nullable=True),
    Column("visitor", String(64), nullable=True),  # HMAC(daily salt, address + user agent)
    Column("source", String(16), nullable=False, server_default="widget"),  # widget | form | import
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

# Modules of other parts of kb that define tables on ``metadata`` (when they are installed).
TABLE_MODULES = ("search.store", "feedback_api.review_models")


def load_table_modules() -> MetaData:
    """Import every module that adds tables to ``metadata``; returns the complete metadata
    (for Alembic's autogenerate and the schema tests)."""
    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and name.startswith(exc.name)):
                raise
    return metadata
