"""What maintainers do in the dashboard, stored: handled comments and acknowledged flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.store.tables import review_acks, review_comments

NOTE_MAX = 2000


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def handled_ids(engine: Engine, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    q = sa.select(review_comments.c.feedback_id).where(review_comments.c.feedback_id.in_(ids))
    with engine.connect() as conn:
        return set(conn.execute(q).scalars())


def mark_handled(engine: Engine, feedback_id: int, handled: bool = True) -> None:
    """Mark a comment handled (or not any more); doing it twice changes nothing."""
    with engine.begin() as conn:
        conn.execute(review_comments.delete().where(review_comments.c.feedback_id == feedback_id))
        if handled:
            conn.execute(
                review_comments.insert().values(
                    feedback_id=feedback_id, handled_at=now(), handled_by="admin"
                )
            )


def acknowledge(
    engine: Engine, article_id: str, revision: str | None, reasons: list[str], note: str
) -> None:
    with engine.begin() as conn:
        conn.execute(
            review_acks.insert().values(
                article_id=article_id,
                revision=revision,
                reasons=",".join(sorted(reasons)),
                note=note.strip()[:NOTE_MAX],
                created_at=now(),
            )
        )


def latest_acks(
    engine: Engine, article_ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The newest acknowledgement of each article."""
    q = sa.select(review_acks).order_by(review_acks.c.created_at, review_acks.c.id)
    if article_ids is not None:
        q = q.where(review_acks.c.article_id.in_(list(article_ids)))
    with engine.connect() as conn:
        return {row["article_id"]: dict(row) for row in conn.execute(q).mappings()}


def acks_of(engine: Engine, article_id: str) -> list[dict[str, Any]]:
    q = (
        sa.select(review_acks)
        .where(review_acks.c.article_id == article_id)
        .order_by(review_acks.c.created_at.desc(), review_acks.c.id.desc())
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def covers(ack: dict[str, Any] | None, revision: str | None, codes: list[str]) -> bool:
    """An acknowledgement holds while the text and the reasons are the ones acknowledged."""
    if not ack or ack.get("revision") != revision:
        return False
    return set(filter(None, (ack.get("reasons") or "").split(","))) >= set(codes)
