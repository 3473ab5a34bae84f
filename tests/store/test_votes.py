"""The storage layer on SQLite and PostgreSQL: upserts, salts, migrations, concurrency."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from kb.feedback_api.visitor import VisitorHasher, daily_salt
from sqlalchemy import func, inspect, select

from kb.core.votes import Vote
from kb.store import engine as kbdb
from kb.store.tables import feedback, visitor_salts
from kb.store.votes import SubmissionConflict, insert_new, iter_votes, upsert_vote


def a_vote(submission="sub-00000001", article="a-1", csat=4, **kw) -> Vote:
    return Vote(article=article, csat=csat, submission=submission, **kw)


def rows(engine):
    with engine.connect() as conn:
        return conn.execute(select(feedback).order_by(feedback.c.id)).mappings().all()


def test_migration_creates_the_contract_tables(engine):
    insp = inspect(engine)
    columns = {c["name"] for c in insp.get_columns("feedback")}
    assert {
        "id",
        "submission",
        "article_id",
        "revision",
        "csat",
        "ces",
        "comment",
        "reason",
        "lang",
        "visitor",
        "created_at",
        "updated_at",
        "source",
    } <= columns
    assert kbdb.current_revisions(engine) == kbdb.head_revisions()


def test_upgrade_twice_is_a_no_op(engine):
    before = kbdb.current_revisions(engine)
    kbdb.upgrade(engine)
    assert kbdb.current_revisions(engine) == before


def test_new_submission_inserts_and_same_submission_updates(engine):
    with engine.begin() as conn:
        first_id, created = upsert_vote(conn, a_vote(csat=2))
    assert created
    follow_up = a_vote(csat=2, ces=6, provided={"ces"})
    with engine.begin() as conn:
        second_id, created_again = upsert_vote(conn, follow_up)
    assert (second_id, created_again) == (first_id, False)
    [row] = rows(engine)
    assert (row["csat"], row["ces"], row["version"]) == (2, 6, 2)


def test_an_update_changes_only_the_fields_sent(engine):
    with engine.begin() as conn:
        upsert_vote(conn, a_vote(ces=5, comment="first", provided={"ces", "comment"}))
        upsert_vote(conn, a_vote(csat=1, reason="outdated", provided={"reason"}))
    [row] = rows(engine)
    assert (row["csat"], row["ces"], row["comment"], row["reason"]) == (1, 5, "first", "outdated")


def test_a_submission_cannot_move_to_another_article(engine):
    with engine.begin() as conn:
        upsert_vote(conn, a_vote(article="a-1"))
    with pytest.raises(SubmissionConflict), engine.begin() as conn:
        upsert_vote(conn, a_vote(article="a-2"))
    assert [r["article_id"] for r in rows(engine)] == ["a-1"]


def test_times_are_timezone_aware_utc(engine):
    moment = datetime(2025, 3, 1, 13, 30, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        upsert_vote(conn, a_vote(created_at=moment), now=moment)
    [row] = rows(engine)
    assert row["created_at"] == moment
    assert row["created_at"].utcoffset() == timedelta(0)
    assert next(iter_votes(engine))["created_at"] == "2025-03-01T11:30:00Z"


def test_concurrent_posts_of_one_submission_make_one_row(engine):
    """Eight threads race the same submission (a retry racing the original)."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def post(i: int) -> None:
        try:
            start.wait()
            for _ in range(5):
                with engine.begin() as conn:
                    upsert_vote(conn, a_vote(submission="race-0001", csat=1 + i % 5))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    [row] = rows(engine)
    assert row["version"] == 40


def test_insert_new_skips_known_submissions(engine):
    votes = [a_vote(submission=f"imp-{i:08d}") for i in range(3)]
    with engine.begin() as conn:
        assert insert_new(conn, votes) == 3
    with engine.begin() as conn:
        assert insert_new(conn, votes + [a_vote(submission="imp-99999999")]) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feedback)).scalar_one() == 4


def test_the_daily_salt_is_shared_and_old_salts_are_deleted(engine):
    day = date(2026, 1, 10)
    salt = daily_salt(engine, day)
    assert daily_salt(engine, day) == salt  # every worker gets the same one
    assert len(salt) == 32
    next_salt = daily_salt(engine, day + timedelta(days=1))
    assert next_salt != salt
    with engine.connect() as conn:
        days = conn.execute(select(visitor_salts.c.day)).scalars().all()
    assert days == ["2026-01-11"]


def test_the_visitor_hash_is_stable_for_a_day_and_reveals_no_address(engine):
    hasher = VisitorHasher()
    day = date(2026, 1, 10)
    h1 = hasher(engine, "203.0.113.9", "Firefox", today=day)
    assert h1 == hasher(engine, "203.0.113.9", "Firefox", today=day)
    assert h1 != hasher(engine, "203.0.113.10", "Firefox", today=day)
    assert h1 != hasher(engine, "203.0.113.9", "Firefox", today=day + timedelta(days=1))
    assert "203.0.113.9" not in h1 and len(h1) == 32


def test_the_migration_matches_the_models(engine):
    """Alembic's autogenerate finds nothing to change: the migrations make what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kb.store.tables import metadata

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def _write_many(url: str, n: int, tag: str) -> None:
    from kb.store.engine import make_engine, write_transaction

    eng = make_engine(url)
    for i in range(n):
        with write_transaction(eng) as conn:
            upsert_vote(conn, a_vote(submission=f"{tag}-{i:08d}"))
    eng.dispose()


def test_writers_in_several_processes_lose_nothing(tmp_path):
    """Three processes write at once through the SQLite writer lock: every row arrives."""
    import multiprocessing

    url = f"sqlite:///{tmp_path / 'multi.db'}"
    eng = kbdb.make_engine(url)
    kbdb.upgrade(eng)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(url, 150, f"p{k}")) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert len(rows(eng)) == 450
    eng.dispose()
