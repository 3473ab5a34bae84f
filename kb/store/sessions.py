"""The dashboard's session generation: a counter every worker and instance reads from the
database, so that one logout ends every session everywhere.

It lives in ``review_state`` (a table of named counters) under its own name, which needs no
migration: ``max_id`` holds the generation, ``computed_at`` the time of the last logout. A
session cookie carries the generation it was made in; a logout adds one, and every cookie of an
older generation stops being valid, however long it still has to live.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import Engine

from kb.store.engine import write_transaction
from kb.store.tables import review_state
from kb.store.votes import insert_for

NAME = "dashboard_sessions"


def session_generation(engine: Engine) -> int:
    """The current generation (0 before the first logout)."""
    with engine.connect() as conn:
        value = conn.execute(
            sa.select(review_state.c.max_id).where(review_state.c.name == NAME)
        ).scalar()
    return int(value or 0)


def end_all_sessions(engine: Engine) -> int:
    """Start a new generation (every existing session ends); returns it."""
    now = datetime.now(timezone.utc)
    state = review_state
    with write_transaction(engine) as conn:
        stmt = insert_for(conn, state).values(name=NAME, max_id=1, rows=0, computed_at=now)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[state.c.name],
                set_={"max_id": state.c.max_id + 1, "computed_at": now},
            )
        )
        return int(conn.execute(sa.select(state.c.max_id).where(state.c.name == NAME)).scalar_one())
