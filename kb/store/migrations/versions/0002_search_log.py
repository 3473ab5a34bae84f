"""The search log (one row per API search, and the result opened).

Revision ID: 0002_search_log
Revises: 0001_feedback
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_search_log"
down_revision = "0001_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("query", sa.String(200), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("results", sa.Integer, nullable=False),
        sa.Column("suggestion", sa.String(200), nullable=True),
        sa.Column("clicked_id", sa.String(200), nullable=True),
        sa.Column("clicked_rank", sa.SmallInteger, nullable=True),
        sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_search_log"),
        sa.UniqueConstraint("token", name="uq_search_log_token"),
    )
    op.create_index("ix_search_log_created_at", "search_log", ["created_at"])
    op.create_index("ix_search_log_clicked_id", "search_log", ["clicked_id"])


def downgrade() -> None:
    op.drop_index("ix_search_log_clicked_id", table_name="search_log")
    op.drop_index("ix_search_log_created_at", table_name="search_log")
    op.drop_table("search_log")
