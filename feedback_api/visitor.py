"""The visitor hash: spot repeated voters without storing who they are.

``HMAC-SHA256(salt of the day, client address + user agent)``, as Plausible does. The salt is
random, kept in the ``visitor_salts`` table (so every worker and instance agrees on it) and
replaced each UTC day; older salts are deleted, after which nobody, not even the operator, can
tell whether yesterday's hash belonged to a given address. The raw address is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import date

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import SQLAlchemyError

from kb.store.engine import write_transaction
from kb.store.tables import visitor_salts
from kb.store.votes import insert_for, utcnow

HASH_CHARS = 32  # 128 bits: collisions are negligible, and it fits the column with room


def daily_salt(engine: Engine, day: date) -> bytes:
    """Today's salt, made on first use; salts of earlier days are deleted."""
    key = day.isoformat()
    with write_transaction(engine) as conn:
        conn.execute(
            insert_for(conn, visitor_salts)
            .values(day=key, salt=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=[visitor_salts.c.day])
        )
        conn.execute(delete(visitor_salts).where(visitor_salts.c.day < key))
        salt = conn.execute(
            select(visitor_salts.c.salt).where(visitor_salts.c.day == key)
        ).scalar_one()
    return bytes.fromhex(salt)


class VisitorHasher:
    """Hashes (address, user agent) with the day's salt, cached per process for the day."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: date | None = None
        self._salt = b""

    def __call__(
        self, engine: Engine, address: str, user_agent: str, today: date | None = None
    ) -> str:
        message = f"{address}\n{user_agent}".encode("utf-8", "replace")
        return hmac.new(self.salt(engine, today), message, hashlib.sha256).hexdigest()[:HASH_CHARS]

    def salt(self, engine: Engine, today: date | None = None) -> bytes:
        """The day's salt (read from the database once a day per process)."""
        today = today or utcnow().date()
        with self._lock:
            if today != self._day:
                self._salt, self._day = daily_salt(engine, today), today
            return self._salt

    def client_key(self, engine: Engine, address: str, fallback: bytes) -> str:
        """The rate limits' name for a client address: an HMAC with the day's salt, so the
        counters (in Redis, say) never hold the address and every instance names a client
        alike. Without the database, an HMAC with ``fallback`` (the app's secret key)."""
        try:
            key = b"rate-limit\n" + self.salt(engine)
        except SQLAlchemyError:
            key = b"rate-limit-fallback\n" + fallback
        return hmac.new(key, address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[
            :HASH_CHARS
        ]
