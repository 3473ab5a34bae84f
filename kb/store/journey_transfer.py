"""The reader's journey in ``kb feedback export`` and ``kb feedback import``.

Beside votes, a JSONL file may carry rows with a ``kind``:

- ``views``: one counter, ``article_id`` (or ``article``, an id or path), ``revision``,
  ``lang``, ``day`` (YYYY-MM-DD), ``arrival`` (one of ``ARRIVALS``) and ``views``;
- ``reader``: one unique reader of an article's day: the same keys and ``visitor``;
- ``contact``: one "contact support" followed, as the ``contacts`` table holds it;
- ``search``: one search of the search log, with the result opened and its outcome.

An export writes every counter, reader, contact and search; importing it into an empty
database (SQLite or PostgreSQL) gives the same figures. Importing a file twice changes
nothing: a counter takes the larger of the stored and the imported count (never their sum,
so nothing is counted twice), readers, contacts and searches are stored once by their keys
(the reader's hash, the contact's id, the search's token). Visitor hashes of kb's own pass
through; any other visitor id is hashed, never stored raw. The client-made view ids are not
exported: they only matter for seconds, while a browser may retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine, select

from kb.core.journey import TOKEN_RE
from kb.core.vocabulary import ARRIVALS, REASONS, SEARCH_OUTCOMES
from kb.core.votes import FieldError
from kb.store.searchlog import normalise
from kb.store.tables import QUERY_MAX, contacts, search_log, view_counts, view_readers
from kb.store.votes import insert_for

KINDS: tuple[str, ...] = ("views", "reader", "contact", "search")
Find = Callable[[str], "dict[str, Any] | None"]


def _text(row: dict[str, Any], name: str, max_len: int, *, required: bool = False) -> str:
    value = row.get(name)
    if value in (None, ""):
        if required:
            raise FieldError(name, f"{name} is required")
        return ""
    text = str(value).strip()
    if len(text) > max_len:
        raise FieldError(name, f"{name} is longer than {max_len} characters")
    return text


def _int(row: dict[str, Any], name: str, lo: int, hi: int | None = None) -> int | None:
    value = row.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi and value > hi):
        span = f"from {lo} to {hi}" if hi else f"of at least {lo}"
        raise FieldError(name, f"{name} must be a whole number {span}")
    return value


def _day(row: dict[str, Any]) -> str:
    text = _text(row, "day", 10, required=True)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise FieldError("day", f"day {text!r} is not a date (YYYY-MM-DD)") from None


def _article(row: dict[str, Any], find: Find) -> tuple[str, dict[str, Any] | None]:
    """The article's id: kept as exported (``article_id``), or looked up (``article``)."""
    if row.get("article_id") not in (None, "") and row.get("article") in (None, ""):
        return _text(row, "article_id", 200), None
    key = _text(row, "article", 200, required=True)
    entry = find(key)
    if entry is None:
        raise FieldError("article", f"no article {key!r} (by id or path) in the site")
    return str(entry["id"]), entry


def _day_keys(row: dict[str, Any], entry: dict[str, Any] | None, aid: str) -> dict[str, Any]:
    return {
        "article_id": aid,
        "revision": _text(row, "revision", 40) or str((entry or {}).get("revision") or ""),
        "lang": _text(row, "lang", 8) or str((entry or {}).get("lang") or ""),
        "day": _day(row),
    }


def _derived(prefix: str, row: dict[str, Any], size: int) -> str:
    """An id made from the row's content: the same row always gets the same one."""
    key = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return prefix + hashlib.sha256(key.encode()).hexdigest()[: size - len(prefix)]


def check_journey_row(
    row: dict[str, Any],
    find: Find,
    now: dt.datetime,
    parse_time: Callable[[Any, dt.datetime, str], dt.datetime],
    visitor_of: Callable[[Any], str | None],
) -> tuple[str, dict[str, Any]]:
    """(kind, the table's row) of one journey row, or FieldError naming what is wrong."""
    kind = str(row.get("kind"))
    if kind not in KINDS:
        raise FieldError("kind", f"kind must be one of vote, {', '.join(KINDS)}")
    if kind == "search":
        return kind, _search_row(row, now, parse_time)
    aid, entry = _article(row, find)
    if kind == "views":
        arrival = _text(row, "arrival", 8) or "external"
        if arrival not in ARRIVALS:
            raise FieldError("arrival", f"arrival must be one of {', '.join(ARRIVALS)}")
        views = _int(row, "views", 1) or 1
        return kind, {**_day_keys(row, entry, aid), "arrival": arrival, "views": views}
    if kind == "reader":
        visitor = visitor_of(row.get("visitor"))
        if visitor is None:
            raise FieldError("visitor", "visitor is required")
        return kind, {**_day_keys(row, entry, aid), "visitor": visitor}
    reason = _text(row, "reason", 40) or None
    if reason is not None and reason not in REASONS:
        raise FieldError("reason", f"reason must be one of {', '.join(REASONS)}")
    search = _text(row, "search", 32) or None
    if search is not None and not TOKEN_RE.match(search):
        raise FieldError("search", "search must be a search-log token")
    out = {
        "article_id": aid,
        "revision": _text(row, "revision", 40) or (entry or {}).get("revision") or None,
        "lang": _text(row, "lang", 8) or (entry or {}).get("lang") or None,
        "search": search,
        "query": normalise(_text(row, "query", 1000)) or None,
        "csat": _int(row, "csat", 1, 5),
        "ces": _int(row, "ces", 1, 7),
        "reason": reason,
        "visitor": visitor_of(row.get("visitor")),
        "created_at": parse_time(row.get("created_at"), now, "created_at"),
    }
    out["contact"] = _text(row, "contact", 36) or _derived("imp-", out, 36)
    return kind, out


def _search_row(
    row: dict[str, Any], now: dt.datetime, parse_time: Callable[[Any, dt.datetime, str], Any]
) -> dict[str, Any]:
    outcome = _text(row, "outcome", 16) or None
    if outcome is not None and outcome not in SEARCH_OUTCOMES:
        raise FieldError("outcome", f"outcome must be one of {', '.join(SEARCH_OUTCOMES)}")
    clicked_at = row.get("clicked_at")
    out = {
        "query": normalise(_text(row, "query", QUERY_MAX * 5, required=True)),
        "lang": _text(row, "lang", 8) or None,
        "results": _int(row, "results", 0) or 0,
        "suggestion": normalise(_text(row, "suggestion", QUERY_MAX * 5)) or None,
        "clicked_id": _text(row, "clicked_id", 200) or None,
        "clicked_rank": _int(row, "clicked_rank", 1, 1000),
        "clicked_at": parse_time(clicked_at, now, "clicked_at") if clicked_at else None,
        "created_at": parse_time(row.get("created_at"), now, "created_at"),
        "outcome": outcome,
    }
    token = _text(row, "token", 32) or _derived("", out, 32)
    if not TOKEN_RE.match(token):
        raise FieldError("token", "token must be 8 to 32 hexadecimal digits")
    return {**out, "token": token}


def store_journey(conn: Connection, kind: str, rows: list[dict[str, Any]]) -> int:
    """Store checked rows of one kind; returns how many were new (or, for counters, raised)."""
    if not rows:
        return 0
    if kind == "views":
        stmt = insert_for(conn, view_counts)
        keys = ["article_id", "revision", "lang", "day", "arrival"]
        stmt = stmt.on_conflict_do_update(
            index_elements=keys,
            set_={"views": stmt.excluded.views},
            where=stmt.excluded.views > view_counts.c.views,  # the larger count, never a sum
        )
        return len(conn.execute(stmt.returning(view_counts.c.views), rows).all())
    table, key = {
        "reader": (view_readers, ["article_id", "revision", "lang", "day", "visitor"]),
        "contact": (contacts, ["contact"]),
        "search": (search_log, ["token"]),
    }[kind]
    stmt = insert_for(conn, table).on_conflict_do_nothing(index_elements=key)
    return len(conn.execute(stmt.returning(table.c[key[0]]), rows).all())


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def iter_journey(engine: Engine, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every counter, reader, contact and search, as rows :func:`check_journey_row` reads."""
    plans = (
        ("views", view_counts, [view_counts.c[k] for k in view_counts.c.keys()]),
        ("reader", view_readers, [view_readers.c[k] for k in view_readers.c.keys()]),
        ("contact", contacts, [c for c in contacts.c if c.name != "id"]),
        ("search", search_log, [c for c in search_log.c if c.name != "id"]),
    )
    for kind, table, columns in plans:
        order = list(table.primary_key.columns)
        offset = 0
        while True:
            q = select(*columns).order_by(*order).limit(batch).offset(offset)
            with engine.connect() as conn:
                rows = conn.execute(q).mappings().all()
            for r in rows:
                yield {"kind": kind, **{k: _plain(v) for k, v in r.items()}}
            if len(rows) < batch:
                break
            offset += batch
