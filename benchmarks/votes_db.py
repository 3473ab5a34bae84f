"""A feedback database with many simulated votes, written fast (for benchmarks and demos)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import sqlite3
import uuid
from pathlib import Path

from kb.dev.simulate import make_articles
from kb.store.engine import make_engine, upgrade


def fill_sqlite(
    path: Path, n_votes: int, *, n_articles: int = 2000, seed: int = 1, days: int = 180
) -> list:
    """Create ``path`` with the feedback schema and ``n_votes`` votes; returns the articles."""
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)  # the migrations, as 'kb db upgrade' makes it (kb report reads only those)
    engine.dispose()
    arts = make_articles(n_articles, seed=seed)
    weights = [max(a.traffic, 1) for a in arts]
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    sql = (
        "INSERT INTO feedback (submission, article_id, revision, csat, ces, comment, reason,"
        " lang, visitor, source, created_at, updated_at, version)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)"
    )
    batch = []
    chosen = rng.choices(arts, weights=weights, k=n_votes)
    for i, a in enumerate(chosen):
        at = start + dt.timedelta(seconds=rng.randrange(days * 86400))
        ts = at.strftime("%Y-%m-%d %H:%M:%S.000000")
        ok = rng.random() < a.true_csat
        csat = rng.choice((4, 5)) if ok else rng.choice((1, 2, 3))
        ces = None
        if rng.random() < 0.6:
            ces = rng.randint(1, 3) if rng.random() < a.true_hard else rng.randint(4, 7)
        reason = "outdated" if csat <= 2 and rng.random() < 0.2 else None
        comment = "Missing the last step." if csat <= 2 and rng.random() < 0.1 else None
        visitor = hashlib.blake2b(str(int(math.sqrt(i * 7919))).encode(), digest_size=8).hexdigest()
        batch.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128))),
                a.id,
                "r1",
                csat,
                ces,
                comment,
                reason,
                "en",
                visitor,
                "import",
                ts,
                ts,
            )
        )
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    con.close()
    return arts
