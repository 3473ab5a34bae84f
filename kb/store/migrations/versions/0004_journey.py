"""The reader's journey: view counters, unique readers, contacts, what a search ended in.

Revision ID: 0004_journey
Revises: 0003_review
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_journey"
down_revision = "0003_review"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
KEY = ("article_id", "revision", "lang", "day")


def _key_columns() -> list[sa.Column]:
    return [
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(40), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "view_counts",
        *_key_columns(),
        sa.Column("arrival", sa.String(8), nullable=False),
        sa.Column("views", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "arrival", name="pk_view_counts"),
    )
    op.create_index("ix_view_counts_day", "view_counts", ["day"])
    op.create_table(
        "view_readers",
        *_key_columns(),
        sa.Column("visitor", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "visitor", name="pk_view_readers"),
    )
    op.create_index("ix_view_readers_day", "view_readers", ["day"])
    op.create_table(
        "view_ids",
        sa.Column("view", sa.String(36), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("view", name="pk_view_ids"),
    )
    op.create_index("ix_view_ids_day", "view_ids", ["day"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("contact", sa.String(36), nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(40), nullable=True),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("search", sa.String(32), nullable=True),
        sa.Column("query", sa.String(200), nullable=True),
        sa.Column("csat", sa.SmallInteger, nullable=True),
        sa.Column("ces", sa.SmallInteger, nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("visitor", sa.String(64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
        sa.UniqueConstraint("contact", name="uq_contacts_contact"),
    )
    op.create_index("ix_contacts_created_at", "contacts", ["created_at"])
    op.create_index("ix_contacts_article_id", "contacts", ["article_id"])
    with op.batch_alter_table("search_log") as batch:
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_log") as batch:
        batch.drop_column("outcome")
    op.drop_index("ix_contacts_article_id", table_name="contacts")
    op.drop_index("ix_contacts_created_at", table_name="contacts")
    op.drop_table("contacts")
    op.drop_index("ix_view_ids_day", table_name="view_ids")
    op.drop_table("view_ids")
    op.drop_index("ix_view_readers_day", table_name="view_readers")
    op.drop_table("view_readers")
    op.drop_index("ix_view_counts_day", table_name="view_counts")
    op.drop_table("view_counts")
