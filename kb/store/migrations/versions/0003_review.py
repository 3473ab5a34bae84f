"""Review tables: handled comments, flag acknowledgements, webhook outbox, per-day vote sums.

Revision ID: 0003_review
Revises: 0002_search_log
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_review"
down_revision = "0002_search_log"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_comments",
        sa.Column("feedback_id", sa.Integer, nullable=False),
        sa.Column("handled_at", TS, nullable=False),
        sa.Column("handled_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("feedback_id", name="pk_review_comments"),
    )
    op.create_table(
        "review_acks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(40), nullable=True),
        sa.Column("reasons", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_acks"),
    )
    op.create_index("ix_review_acks_article_id", "review_acks", ["article_id"])
    op.create_table(
        "webhook_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(200), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_outbox"),
        sa.UniqueConstraint("dedup_key", name="uq_webhook_outbox_dedup_key"),
    )
    op.create_index(
        "ix_webhook_outbox_status_next_attempt_at", "webhook_outbox", ["status", "next_attempt_at"]
    )
    counts = [
        sa.Column(name, sa.Integer, nullable=False)
        for name in (
            "votes",
            "satisfied",
            "csat_sum",
            "ces_votes",
            "ces_sum",
            "ces_sq",
            "hard",
            "comments",
            "r_outdated",
            "r_missing_steps",
            "r_not_answered",
            "r_hard_to_follow",
        )
    ]
    op.create_table(
        "review_days",
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(40), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        *counts,
        sa.Column("first", TS, nullable=True),
        sa.Column("last", TS, nullable=True),
        sa.PrimaryKeyConstraint("article_id", "revision", "day", name="pk_review_days"),
    )
    op.create_index("ix_review_days_day", "review_days", ["day"])
    op.create_table(
        "review_state",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("max_id", sa.Integer, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("max_updated", TS, nullable=True),
        sa.Column("computed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_review_state"),
    )
    op.create_index("ix_feedback_updated_at", "feedback", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_feedback_updated_at", table_name="feedback")
    op.drop_table("review_state")
    op.drop_index("ix_review_days_day", table_name="review_days")
    op.drop_table("review_days")
    op.drop_index("ix_webhook_outbox_status_next_attempt_at", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_index("ix_review_acks_article_id", table_name="review_acks")
    op.drop_table("review_acks")
    op.drop_table("review_comments")
