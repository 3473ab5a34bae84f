"""The weekly webhook digest of what customers could not find (``searches.not_found``).

Each week, the first ``kb webhooks deliver`` run queues one event for the week before
(Monday to Sunday, UTC): the costliest topics of :mod:`kb.review.notfound` with their
searches, languages, queries, keywords and articles. Its cause is the week
(``searches.not_found:2026-W49``), so a digest is queued once however often deliver runs,
on however many machines, and goes through the outbox's retries like every event.
A week in which every search helped sends nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.review.notfound import load_not_found
from kb.review.webhooks import enqueue, now
from kb.store.tables import webhook_outbox

EVENT = "searches.not_found"
TOPICS = 10  # topics in one digest


def last_week(at: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """(Monday 00:00 UTC of the week before ``at``, Monday of ``at``'s week, its ISO name)."""
    day = at.astimezone(dt.timezone.utc).date()
    monday = day - dt.timedelta(days=day.weekday())
    start = monday - dt.timedelta(days=7)
    year, week, _ = start.isocalendar()

    def midnight(d: dt.date) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)

    return midnight(start), midnight(monday), f"{year}-W{week:02d}"


def _queued(engine: Engine, key: str) -> bool:
    box = webhook_outbox.c
    q = sa.select(box.id).where(box.event == EVENT, box.dedup_key == key).limit(1)
    with engine.connect() as conn:
        return conn.execute(q).first() is not None


def _with_urls(topic: dict[str, Any], urls: Mapping[str, str]) -> dict[str, Any]:
    for name in ("ended_on", "about"):
        for a in topic[name]:
            if a["id"] in urls:
                a["url"] = urls[a["id"]]
    return topic


def collect_digest(
    engine: Engine,
    site_dir: str | Path,
    articles: Iterable[Mapping[str, Any]],
    url: str,
    *,
    lang: str = "en",
    site_url: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Queue last week's digest unless it is queued already; 1 when queued now, else 0."""
    at = at or now()
    since, until, week = last_week(at)
    key = f"{EVENT}:{week}"
    if _queued(engine, key):
        return 0
    articles = list(articles)
    found = load_not_found(
        engine, site_dir, articles, lang=lang, since=since, until=until, shown=TOPICS
    )
    if not found.topics:
        return 0
    urls = {}
    if site_url:
        base = site_url.rstrip("/") + "/"
        urls = {str(a["id"]): base + str(a["url"]).lstrip("/") for a in articles if "url" in a}
    doc = found.to_dict(TOPICS)
    payload = {
        "week": week,
        "from": since.date().isoformat(),
        "to": (until - dt.timedelta(days=1)).date().isoformat(),
        "searches": doc["searches"],
        "topics_total": doc["topics_total"],
        "grouped_by": doc["grouped_by"],
        "topics": [_with_urls(t, urls) for t in doc["topics"]],
    }
    return int(enqueue(engine, url, EVENT, key, payload, at))
