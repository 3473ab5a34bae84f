"""The search log: one row per API search, and which result the reader then opened.

No personal data: no address, no user agent, no cookie. Queries are kept (they are what
maintainers need to read), with e-mail addresses and long numbers masked, since readers
sometimes paste an order number or their address into a search box.
"""

from __future__ import annotations

import logging
import queue
import re
import secrets
import threading
import time
from datetime import datetime, timezone

from sqlalchemy import Engine, insert, update

from kb.store.tables import QUERY_MAX, search_log

TOKEN_BYTES = 12

_EMAIL = re.compile(r"\S+@\S+")
_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")


def normalise(query: str) -> str:
    """Lower case, single spaces, e-mail addresses and long numbers masked, 200 chars."""
    text = _EMAIL.sub("[email]", query or "")
    text = _NUMBER.sub("[number]", text)
    return re.sub(r"\s+", " ", text).strip().lower()[:QUERY_MAX]


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def log_search(
    engine: Engine,
    token: str,
    query: str,
    lang: str | None,
    results: int,
    suggestion: str | None = None,
    *,
    now: datetime | None = None,
) -> None:
    row = {
        "token": token,
        "query": normalise(query),
        "lang": lang,
        "results": int(results),
        "suggestion": normalise(suggestion) if suggestion else None,
        "created_at": now or datetime.now(timezone.utc),
    }
    with engine.begin() as conn:
        conn.execute(insert(search_log).values(**row))


def log_click(
    engine: Engine, token: str, article_id: str, rank: int | None, *, now: datetime | None = None
) -> bool:
    """Record the result opened after a search; False when the search is unknown.
    The first click counts: a reader coming back to the results does not overwrite it."""
    stmt = (
        update(search_log)
        .where(search_log.c.token == token, search_log.c.clicked_id.is_(None))
        .values(
            clicked_id=article_id[:200],
            clicked_rank=rank,
            clicked_at=now or datetime.now(timezone.utc),
        )
    )
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount > 0


class LogWriter:
    """Writes search-log rows on a background thread, so a search never waits for the
    database. Rows queue in memory (bounded: when the database is slower than the readers,
    the newest rows are dropped and counted, never the search); ``flush()`` waits for them."""

    def __init__(self, engine_factory, maxsize: int = 10_000) -> None:
        self._engine_factory = engine_factory
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, daemon=True, name="kb-search-log")
        self._thread.start()

    def submit(self, **row) -> None:
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.01)

    def _run(self) -> None:
        log = logging.getLogger("search")
        while True:
            row = self._queue.get()
            try:
                log_search(self._engine_factory(), **row)
            except Exception as exc:  # noqa: BLE001 - a lost log row must not kill the writer
                log.warning("search log not written: %s", exc.__class__.__name__)
            finally:
                self._queue.task_done()
