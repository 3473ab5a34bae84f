"""The feedback table (one row per vote) and the daily visitor salts.

Revision ID: 0001_feedback
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_feedback"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission", sa.String(36), nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(40), nullable=True),
        sa.Column("csat", sa.SmallInteger, nullable=False),
        sa.Column("ces", sa.SmallInteger, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("visitor", sa.String(64), nullable=True),
        sa.Column("source", sa.String(16), nullable=False, server_default="widget"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
        sa.UniqueConstraint("submission", name="uq_feedback_submission"),
        sa.CheckConstraint("csat BETWEEN 1 AND 5", name="ck_feedback_csat_range"),
        sa.CheckConstraint("ces IS NULL OR ces BETWEEN 1 AND 7", name="ck_feedback_ces_range"),
    )
    op.create_index("ix_feedback_article_id_created_at", "feedback", ["article_id", "created_at"])
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_table(
        "visitor_salts",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_visitor_salts"),
    )


def downgrade() -> None:
    op.drop_table("visitor_salts")
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_index("ix_feedback_article_id_created_at", table_name="feedback")
    op.drop_table("feedback")
