"""SQLite runs the vote upsert on the DB-API cursor (compiled once): it must store what the
SQLAlchemy statement stores, inside the caller's transaction, and fail as SQLAlchemy does."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from kb.core.votes import Vote
from kb.store import engine as kbdb
from kb.store.tables import feedback
from kb.store.votes import upsert_vote

MOMENT = datetime(2026, 3, 1, 12, 30, 15, 250_000, tzinfo=timezone.utc)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = kbdb.make_engine(f"sqlite:///{tmp_path / 'fb.db'}", timeout=0.2)
    kbdb.upgrade(engine)
    yield engine
    engine.dispose()


def vote(**kw) -> Vote:
    return Vote(
        **{
            "article": "a-1",
            "csat": 4,
            "submission": "sub-00000001",
            "lang": "en",
            "visitor": "v",
            **kw,
        }
    )


def test_a_vote_reads_back_with_its_aware_utc_times(sqlite_engine):
    with kbdb.write_transaction(sqlite_engine) as conn:
        assert upsert_vote(conn, vote(), now=MOMENT) == (1, True)
        assert upsert_vote(conn, vote(csat=2, ces=6, provided={"ces"}), now=MOMENT) == (1, False)
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(feedback)).mappings().one()
    assert (row["csat"], row["ces"], row["version"]) == (2, 6, 2)
    assert row["created_at"] == MOMENT and row["updated_at"] == MOMENT


def test_the_upsert_rolls_back_with_its_transaction(sqlite_engine):
    with pytest.raises(RuntimeError), kbdb.write_transaction(sqlite_engine) as conn:
        upsert_vote(conn, vote())
        raise RuntimeError("the request failed after the write")
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(feedback.c.id)).all() == []


def test_a_locked_database_is_a_sqlalchemy_error(sqlite_engine, tmp_path):
    holder = sqlite3.connect(tmp_path / "fb.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer that skipped the writer queue
    try:
        with (
            pytest.raises(OperationalError, match="locked"),
            kbdb.write_transaction(sqlite_engine) as conn,
        ):
            upsert_vote(conn, vote())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
