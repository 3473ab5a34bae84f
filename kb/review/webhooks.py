"""Webhooks: tell another system about a low vote with a comment, a newly flagged article, or
a reader who followed "contact support" (with what they tried, for the ticket).

Events go through an **outbox** table (``webhook_outbox``) so none is lost when the
receiver is down: :func:`collect` finds new events and stores them (each cause once, by a
unique ``dedup_key``), :func:`deliver` POSTs the pending ones and, on failure, tries again
later with exponential backoff (30 s, 1 min, 2 min, … capped at 6 h, with jitter) until
``max_attempts``; then the event is kept as ``failed`` for a person to look at.

Two deliverers may run at once (an overlapping cron job, a second machine): each one claims
an event before sending it, by moving its ``next_attempt_at`` a lease into the future in a
conditional UPDATE that only one of them can win. A deliverer that dies while sending leaves
the event to be sent again once the lease is over.

Each POST carries a JSON body and the headers ``X-Kb-Event``, ``X-Kb-Delivery`` (the
outbox id: receivers drop repeats), ``X-Kb-Timestamp`` and ``X-Kb-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` with ``KB_WEBHOOK_SECRET``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kb.core.project import WEBHOOK_DEFAULTS, WEBHOOK_EVENTS
from kb.store.tables import contacts, feedback, webhook_outbox

EVENTS = WEBHOOK_EVENTS
BASE_DELAY = 30.0
MAX_DELAY = 6 * 3600.0
MAX_ATTEMPTS = 12
TIMEOUT = 10.0
LOOKBACK = dt.timedelta(days=7)  # low votes older than this are not announced any more
# How long a claimed event is its deliverer's: far longer than one POST may take (TIMEOUT).
LEASE = dt.timedelta(minutes=10)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling, capped, ±20 % jitter."""
    delay = min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    return delay * (0.8 + 0.4 * (rng or random).random())


def enqueue(
    engine: Engine,
    url: str,
    event: str,
    dedup_key: str,
    payload: dict[str, Any],
    at: dt.datetime | None = None,
) -> bool:
    """Store one event; False when that cause was already queued (nothing is sent twice)."""
    box = webhook_outbox
    at = at or now()
    body = json.dumps(
        {"event": event, "sent_by": "kb", "created_at": at.isoformat(), **payload},
        ensure_ascii=False,
        sort_keys=True,
    )
    # Readers' comments may hold HTML: escaped as JSON \u escapes (the same data once parsed),
    # a receiver that pastes the raw body into a page or a chat message runs nothing.
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    try:
        with engine.begin() as conn:
            conn.execute(
                box.insert().values(
                    event=event,
                    dedup_key=dedup_key[:200],
                    url=url,
                    payload=body,
                    status="pending",
                    attempts=0,
                    next_attempt_at=at,
                    created_at=at,
                )
            )
        return True
    except sa.exc.IntegrityError:
        return False


def collect(
    engine: Engine,
    review,
    url: str,
    *,
    events=EVENTS,
    low_csat: int = WEBHOOK_DEFAULTS.low_csat,
    site_url: str | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Queue the events that ``review`` (a :class:`kb.flags.Review`) and recent votes call
    for; returns how many new ones were queued."""
    at = at or now()
    titles = {a.id: a.article for a in review.articles}
    added = 0
    if "vote.low" in events:
        f = feedback.c
        q = (
            sa.select(
                f.id,
                f.article_id,
                f.revision,
                f.csat,
                f.ces,
                f.comment,
                f.reason,
                f.lang,
                f.created_at,
            )
            .where(
                f.csat <= low_csat,
                f.comment.is_not(None),
                sa.func.length(sa.func.trim(f.comment)) > 0,
                f.created_at >= at - LOOKBACK,
            )
            .order_by(f.id)
        )
        for r in _unannounced(engine, "vote.low", q, at):
            art = titles.get(r["article_id"], {})
            payload = {
                "vote": {k: _plain(v) for k, v in r.items()},
                "article": _article(art, site_url) if art else {"id": r["article_id"]},
            }
            added += enqueue(engine, url, "vote.low", f"vote.low:{r['id']}", payload, at)
    if "article.flagged" in events:
        for a in review.flagged:
            codes = ",".join(sorted(r.code for r in a.reasons))
            key = f"article.flagged:{a.id}:{a.article.get('revision')}:{codes}"
            payload = {
                "article": _article(a.article, site_url),
                "reasons": [r.text for r in a.reasons],
                "reason_codes": [r.code for r in a.reasons],
                "scores": a.current.to_dict(),
            }
            added += enqueue(engine, url, "article.flagged", key, payload, at)
    if "support.contact" in events:
        c = contacts.c
        cols = (c.id, c.article_id, c.revision, c.lang, c.query, c.csat, c.ces, c.reason)
        q = sa.select(*cols, c.created_at).where(c.created_at >= at - LOOKBACK).order_by(c.id)
        for r in _unannounced(engine, "support.contact", q, at):
            art = titles.get(r["article_id"], {})
            payload = {
                "contact": {k: _plain(v) for k, v in r.items()},
                "article": _article(art, site_url) if art else {"id": r["article_id"]},
                "context": support_context(r, art),
            }
            key = f"support.contact:{r['id']}"
            added += enqueue(engine, url, "support.contact", key, payload, at)
    return added


def support_context(contact: dict, article: dict) -> dict:
    """What the article's "contact support" link carried (theme/assets/kb/feedback.js), for a
    ticket tool to attach: ``article``, ``title``, ``q`` (the search that led there) and the
    reader's ``csat``/``ces`` when they voted."""
    ctx = {
        "article": contact["article_id"],
        "title": article.get("title"),
        "q": contact.get("query"),
        "csat": contact.get("csat"),
        "ces": contact.get("ces"),
    }
    return {k: v for k, v in ctx.items() if v is not None}


def _plain(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _unannounced(engine: Engine, event: str, q, at: dt.datetime) -> list[dict]:
    """The rows of ``q`` (with an ``id``) whose ``event`` is not in the outbox yet."""
    box = webhook_outbox
    known_q = sa.select(box.c.dedup_key).where(
        box.c.event == event, box.c.created_at >= at - 2 * LOOKBACK
    )
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(q).mappings()]
        known = set(conn.execute(known_q).scalars())
    return [r for r in rows if f"{event}:{r['id']}" not in known]


def _article(a: dict, site_url: str | None) -> dict:
    out = {k: a.get(k) for k in ("id", "path", "title", "revision", "owner", "category")}
    if site_url and a.get("url") is not None:
        out["url"] = site_url.rstrip("/") + "/" + str(a["url"]).lstrip("/")
    return out


Poster = Callable[[str, bytes, dict[str, str]], int]


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST with the standard library; returns the status (raises on network errors)."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"webhook URL {url!r} is not http(s)")  # never file: or ftp:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (configured URL)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class DeliveryResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver(
    engine: Engine,
    secret: str | None,
    *,
    post: Poster = http_post,
    at: dt.datetime | None = None,
    limit: int = 100,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliveryResult:
    """Send the events that are due; failures are rescheduled with backoff.

    Each event is claimed first (:func:`claim`): one that another deliverer is sending is
    skipped, so two runs at once send every event once."""
    box = webhook_outbox
    at = at or now()
    result = DeliveryResult()
    q = (
        sa.select(box)
        .where(box.c.status == "pending", box.c.next_attempt_at <= at)
        .order_by(box.c.next_attempt_at, box.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        due = [dict(r) for r in conn.execute(q).mappings()]
    for row in due:
        if not claim(engine, row["id"], at):
            continue  # another deliverer has it
        body = row["payload"].encode()
        stamp = str(int(at.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "kb-webhooks/1",
            "X-Kb-Event": row["event"],
            "X-Kb-Delivery": str(row["id"]),
            "X-Kb-Timestamp": stamp,
        }
        if secret:
            headers["X-Kb-Signature"] = sign(secret, stamp, body)
        error = None
        try:
            status = post(row["url"], body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001 - any network failure means "try later"
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempts = row["attempts"] + 1
        if error is None:
            values = {
                "status": "sent",
                "attempts": attempts,
                "delivered_at": at,
                "last_error": None,
            }
            result.sent += 1
        elif attempts >= max_attempts:
            values = {"status": "failed", "attempts": attempts, "last_error": error}
            result.failed += 1
        else:
            values = {
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": at + dt.timedelta(seconds=backoff(attempts)),
            }
            result.retrying += 1
        with engine.begin() as conn:
            conn.execute(box.update().where(box.c.id == row["id"]).values(**values))
    return result


def claim(engine: Engine, event_id: int, at: dt.datetime) -> bool:
    """Take a due event for ``LEASE``; True when this caller won it (and must send it)."""
    box = webhook_outbox
    with engine.begin() as conn:
        won = conn.execute(
            box.update()
            .where(box.c.id == event_id, box.c.status == "pending", box.c.next_attempt_at <= at)
            .values(next_attempt_at=at + LEASE)
        )
    return won.rowcount == 1


def retarget(engine: Engine, url: str, at: dt.datetime | None = None) -> int:
    """Point every pending event at ``url`` (the receiver configured now); returns how many
    changed. An event belongs to its cause, not to the address it was queued with: a
    corrected ``--url`` or ``KB_WEBHOOK_URL`` must reach the events still waiting, and at
    once (their backoff was the old address's). Sent and failed events keep the address
    they were tried at."""
    box = webhook_outbox
    with engine.begin() as conn:
        moved = conn.execute(
            box.update()
            .where(box.c.status == "pending", box.c.url != url)
            .values(url=url, next_attempt_at=at or now())
        )
    return moved.rowcount


@dataclass
class LastError:
    event_id: int
    event: str
    host: str
    attempts: int
    status: str
    error: str


def last_error(engine: Engine) -> LastError | None:
    """The newest event whose last attempt failed (pending a retry, or given up on)."""
    box = webhook_outbox
    q = (
        sa.select(box.c.id, box.c.event, box.c.url, box.c.attempts, box.c.status, box.c.last_error)
        .where(box.c.last_error.is_not(None), box.c.status != "sent")
        .order_by(box.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    # Only the host: a receiver's path often carries its secret (chat webhooks do).
    host = urllib.parse.urlsplit(row.url).netloc.rpartition("@")[2]
    return LastError(row.id, row.event, host, row.attempts, row.status, row.last_error)


def pending(engine: Engine) -> dict[str, int]:
    box = webhook_outbox
    q = sa.select(box.c.status, sa.func.count()).group_by(box.c.status)
    with engine.connect() as conn:
        return {s: int(n) for s, n in conn.execute(q)}
