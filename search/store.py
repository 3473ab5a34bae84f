"""The search log: one row per API search, and which result the reader then opened.

No personal data: no address, no user agent, no cookie. Queries are kept (they are what
maintainers need to read), with e-mail addresses and long numbers masked, since readers
sometimes paste an order number or their address into a search box.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone

from sqlalchemy import Column, Engine, Index, Integer, SmallInteger, String, Table, insert, update

from feedback_api.models import UtcDateTime, metadata

QUERY_MAX = 200
TOKEN_BYTES = 12

search_log = Table(
    "search_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Handed to the browser (X-KB-Search-Id) so it can report the click; random, not the id.
    Column("token", String(32), nullable=False, unique=True),
    Column("query", String(QUERY_MAX), nullable=False),  # normalised and masked
    Column("lang", String(8), nullable=True),
    Column("results", Integer, nullable=False),  # total matches
    Column("suggestion", String(QUERY_MAX), nullable=True),  # "did you mean", when offered
    Column("clicked_id", String(200), nullable=True),  # article opened from the results
    Column("clicked_rank", SmallInteger, nullable=True),  # 1-based position of that result
    Column("clicked_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_search_log_created_at", "created_at"),
    Index("ix_search_log_clicked_id", "clicked_id"),
)

_EMAIL = re.compile(r"\S+@\S+")
_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")


def normalise(query: str) -> str:
    """Lower case, single spaces, e-mail addresses and long numbers masked, 200 chars."""
    text = _EMAIL.sub("[email]", query or "")
    text = _NUMBER.sub("[number]", text)
    return re.sub(r"\s+", " ", text).strip().lower()[:QUERY_MAX]


def new_token() -> str:
    return secrets.token_hex(TOKEN_BYTES)


def log_search(engine: Engine, token: str, query: str, lang: str | None, results: int,
               suggestion: str | None = None, *, now: datetime | None = None) -> None:
    row = {"token": token, "query": normalise(query), "lang": lang, "results": int(results),
           "suggestion": normalise(suggestion) if suggestion else None,
           "created_at": now or datetime.now(timezone.utc)}
    with engine.begin() as conn:
        conn.execute(insert(search_log).values(**row))


def log_click(engine: Engine, token: str, article_id: str, rank: int | None,
              *, now: datetime | None = None) -> bool:
    """Record the result opened after a search; False when the search is unknown.
    The first click counts: a reader coming back to the results does not overwrite it."""
    stmt = (update(search_log)
            .where(search_log.c.token == token, search_log.c.clicked_id.is_(None))
            .values(clicked_id=article_id[:200], clicked_rank=rank,
                    clicked_at=now or datetime.now(timezone.utc)))
    with engine.begin() as conn:
        return conn.execute(stmt).rowcount > 0


class LogWriter:
    """Writes search-log rows on a background thread, so a search never waits for the
    database. Rows queue in memory (bounded: when the database is slower than the readers,
    the newest rows are dropped and counted, never the search); ``flush()`` waits for them."""

    def __init__(self, engine_factory, maxsize: int = 10_000) -> None:
        import queue
        import threading

        self._engine_factory = engine_factory
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, daemon=True, name="kb-search-log")
        self._thread.start()

    def submit(self, **row) -> None:
        import queue

        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 10.0) -> None:
        import time

        end = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.01)

    def _run(self) -> None:
        import logging

        log = logging.getLogger("search")
        while True:
            row = self._queue.get()
            try:
                log_search(self._engine_factory(), **row)
            except Exception as exc:  # noqa: BLE001 - a lost log row must not kill the writer
                log.warning("search log not written: %s", exc.__class__.__name__)
            finally:
                self._queue.task_done()
