"""Helpers for the review tests: a database with votes, inserted directly or imported."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa

UTC = dt.timezone.utc


def db_url(project: Path) -> str:
    return f"sqlite:///{project / '.kb' / 'feedback.db'}"


def engine_for(project: Path):
    from kb.store.engine import make_engine, upgrade

    engine = make_engine(db_url(project))
    upgrade(engine)
    return engine


def add_votes(
    engine,
    article_id: str,
    revision: str,
    csats,
    *,
    ces=None,
    comment=None,
    reason=None,
    when: dt.datetime | None = None,
    visitor_prefix: str = "v",
) -> None:
    """One row per CSAT in ``csats`` (each from its own visitor), an hour apart."""
    from kb.store.tables import feedback

    when = when or dt.datetime.now(UTC) - dt.timedelta(days=1)
    rows = []
    for i, csat in enumerate(csats):
        at = when - dt.timedelta(minutes=i)
        rows.append(
            {
                "submission": str(uuid.uuid4()),
                "article_id": article_id,
                "revision": revision,
                "csat": csat,
                "ces": ces[i] if isinstance(ces, list) else ces,
                "comment": comment,
                "reason": reason,
                "lang": "en",
                "visitor": f"{visitor_prefix}{uuid.uuid4().hex[:12]}",
                "source": "import",
                "created_at": at,
                "updated_at": at,
            }
        )
    with engine.begin() as conn:
        conn.execute(sa.insert(feedback), rows)


def manifest_articles(project: Path) -> dict[str, dict]:
    from kb.core.manifest import read_manifest

    return {a["id"]: a for a in read_manifest(project / "site")["articles"]}


def baseline_votes(
    engine, articles: dict[str, dict], per_article: int = 24, skip: tuple[str, ...] = ()
) -> None:
    """Ordinary votes for every article: three in four satisfied, CES mostly easy."""
    pattern = [5, 4, 5, 2]
    ces = [6, 5, 7, 3]
    for aid, a in articles.items():
        if aid in skip:
            continue
        add_votes(
            engine,
            aid,
            a["revision"],
            [pattern[i % 4] for i in range(per_article)],
            ces=[ces[i % 4] for i in range(per_article)],
        )


def seed_weak_article(project: Path, monkeypatch, weak: str, comment: str) -> None:
    """Build the sample help center and give every article ordinary votes, except ``weak``,
    which gets clearly bad ones and one low vote carrying ``comment``."""
    from kb.plugin.builder import build_site

    for var in ("KB_DATABASE_URL", "KB_SITE_DIR", "KB_ADMIN_PASSWORD", "KB_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    build_site(project / "mkdocs.yml")
    arts = manifest_articles(project)
    engine = engine_for(project)
    baseline_votes(engine, arts, skip=(weak,))
    add_votes(engine, weak, arts[weak]["revision"], [1, 2, 2, 5, 1] * 8, ces=2)
    add_votes(engine, weak, arts[weak]["revision"], [1], comment=comment, visitor_prefix="h")
    engine.dispose()


def add_journey(
    engine,
    article_id: str,
    revision: str,
    readers: int,
    contacts: int,
    *,
    when: dt.datetime | None = None,
    lang: str = "en",
) -> None:
    """``readers`` readers of the article on one day (one view each, through the store's
    own write path), the first ``contacts`` of them following "contact support"."""
    from kb.core.journey import Contact, View
    from kb.store.engine import write_transaction
    from kb.store.journey import record_contact, record_view

    when = when or dt.datetime.now(UTC) - dt.timedelta(days=1)
    with write_transaction(engine) as conn:
        for i in range(readers):
            visitor = f"r{uuid.uuid4().hex[:16]}"
            view = View(str(uuid.uuid4()), article_id, revision, lang, "external", None, visitor)
            record_view(conn, view, now=when)
            if i < contacts:
                contact = Contact(str(uuid.uuid4()), article_id, revision, lang, visitor=visitor)
                record_contact(conn, contact, now=when)
