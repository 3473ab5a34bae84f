"""Votes summed in the database (SQLite and PostgreSQL) agree with the pure scoring, and the
per-day cache stays right when votes are added, changed or deleted."""

import datetime as dt
import random
import uuid

import sqlalchemy as sa

from kb.core.votes import Vote
from kb.review.queries import daily_tallies, load_tallies
from kb.review.scoring import by_revision
from kb.store.tables import feedback

UTC = dt.timezone.utc


def random_votes(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    start = dt.datetime(2025, 3, 1, tzinfo=UTC)
    rows = []
    for _ in range(n):
        at = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 10))
        rows.append(
            {
                "submission": str(uuid.uuid4()),
                "article_id": rng.choice("abc"),
                "revision": rng.choice(["r1", "r1", "r2"]),
                "csat": rng.randint(1, 5),
                "ces": rng.choice([None, rng.randint(1, 7)]),
                "comment": rng.choice([None, None, "Needs a screenshot", "  "]),
                "reason": rng.choice([None, "outdated", "missing_steps"]),
                "lang": "en",
                # few visitors, so the same one often votes twice on a day
                "visitor": rng.choice([None, *[f"v{i}" for i in range(8)]]),
                "source": "import",
                "created_at": at,
                "updated_at": at,
            }
        )
    return rows


def as_votes(engine) -> list[Vote]:  # noqa: F811
    with engine.connect() as conn:
        return [
            Vote(
                article=r.article_id,
                revision=r.revision or "",
                csat=r.csat,
                ces=r.ces,
                comment=r.comment,
                reason=r.reason,
                visitor=r.visitor or "",
                created_at=r.created_at,
                id=r.id,
            )
            for r in conn.execute(sa.select(feedback))
        ]


def summary(tallies) -> dict:
    return {
        (a, r): (
            t.votes,
            t.satisfied,
            t.ces_votes,
            t.ces_sum,
            t.ces_sq,
            t.hard,
            t.comments,
            t.reasons,
            t.first,
            t.last,
        )
        for a, revs in tallies.items()
        for r, t in revs.items()
    }


def test_sql_dedup_matches_the_pure_definition(engine):  # noqa: F811
    with engine.begin() as conn:
        conn.execute(sa.insert(feedback), random_votes(600))
    expected = summary(by_revision(as_votes(engine)))
    assert summary(load_tallies(engine, use_cache=False)) == expected
    assert summary(load_tallies(engine)) == expected  # through the per-day cache


def test_cache_follows_new_changed_and_deleted_votes(engine):  # noqa: F811
    rows = random_votes(300, seed=5)
    with engine.begin() as conn:
        conn.execute(sa.insert(feedback), rows)
    load_tallies(engine)  # fills the cache

    def check():
        assert summary(load_tallies(engine)) == summary(load_tallies(engine, use_cache=False))

    late = dict(random_votes(1, seed=9)[0], submission=str(uuid.uuid4()))
    with engine.begin() as conn:  # a vote imported for a past day
        conn.execute(sa.insert(feedback), [late])
    check()
    now = dt.datetime.now(UTC)
    with engine.begin() as conn:  # a reader adds CES to their vote later
        conn.execute(feedback.update().where(feedback.c.id == 7).values(ces=1, updated_at=now))
    check()
    with engine.begin() as conn:  # retention deletes old votes
        conn.execute(feedback.delete().where(feedback.c.id <= 50))
    check()


def test_since_and_daily_trend(engine):  # noqa: F811
    with engine.begin() as conn:
        conn.execute(sa.insert(feedback), random_votes(200, seed=8))
    since = dt.datetime(2025, 3, 6, tzinfo=UTC)
    recent = [v for v in as_votes(engine) if v.created_at >= since]
    assert summary(load_tallies(engine, since=since)) == summary(by_revision(recent))
    days = daily_tallies(engine)
    assert [d for d, _ in days] == sorted(
        {v.created_at.date().isoformat() for v in as_votes(engine)}
    )
    assert sum(t.votes for _, t in days) == sum(
        t.votes for revs in load_tallies(engine).values() for t in revs.values()
    )
