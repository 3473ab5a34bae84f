"""Reading and writing votes with SQLAlchemy Core; the same code on SQLite and PostgreSQL.

A vote is written with ``INSERT .. ON CONFLICT (submission) DO UPDATE``: one statement, so two
requests carrying the same submission (a retry racing the original, two gunicorn workers,
two API instances on one PostgreSQL) can never make two rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from kb.core.votes import Vote
from kb.store.tables import feedback

# Optional fields a follow-up step may change; csat is always sent and always updated.
UPDATABLE = ("revision", "ces", "comment", "reason", "lang")
EXPORT_COLUMNS = (
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
    "source",
    "created_at",
    "updated_at",
    "version",
)


class SubmissionConflict(Exception):
    """The submission already belongs to a vote on another article."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _dialect(conn: Connection) -> str:
    name = conn.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise RuntimeError(f"unsupported database {name!r}: use SQLite or PostgreSQL")
    return name


def _insert(dialect: str, table: Table):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_for(conn: Connection, table: Table = feedback):
    """The dialect's INSERT, which has ``on_conflict_do_update``/``_do_nothing``."""
    return _insert(_dialect(conn), table)


def _row(vote: Vote, now: datetime) -> dict[str, Any]:
    return {
        "submission": vote.submission,
        "article_id": vote.article,
        "revision": vote.revision,
        "csat": vote.csat,
        "ces": vote.ces,
        "comment": vote.comment,
        "reason": vote.reason,
        "lang": vote.lang,
        "visitor": vote.visitor,
        "source": vote.source,
        "created_at": vote.created_at or now,
        "updated_at": vote.updated_at or now,
        "version": vote.version,
    }


@lru_cache(maxsize=128)
def _upsert_statement(dialect: str, changed: frozenset[str]):
    """The upsert for one dialect and one set of follow-up fields, built once: the values
    are bound at execution, so SQLAlchemy compiles it once too."""
    stmt = _insert(dialect, feedback)
    excluded = stmt.excluded
    changes: dict[str, Any] = {
        "csat": excluded.csat,
        "updated_at": excluded.updated_at,
        "version": feedback.c.version + 1,
    }
    for name in UPDATABLE:
        if name in changed:
            changes[name] = excluded[name]
    return stmt.on_conflict_do_update(
        index_elements=[feedback.c.submission],
        set_=changes,
        # A submission belongs to one article: never let it move a vote elsewhere.
        where=feedback.c.article_id == excluded.article_id,
    ).returning(feedback.c.id, feedback.c.version)


@lru_cache(maxsize=128)
def _compiled_upsert(dialect: Dialect, changed: frozenset[str]):
    """The upsert compiled once for ``dialect``: (SQL text, one (name, bind processor) per
    placeholder in order, constant parameters such as ``version + 1``)."""
    row_keys = list(_row(Vote(article="", csat=1), utcnow()))
    compiled = _upsert_statement(dialect.name, changed).compile(
        dialect=dialect, column_keys=row_keys
    )
    names = tuple(compiled.positiontup or ())
    constants = {
        name: value
        for name, value in compiled.construct_params(dict.fromkeys(row_keys)).items()
        if name not in row_keys
    }
    binds = tuple((name, compiled.binds[name].type.bind_processor(dialect)) for name in names)
    return compiled.string, binds, constants


def upsert_vote(conn: Connection, vote: Vote, now: datetime | None = None) -> tuple[int, bool]:
    """Store ``vote``; returns (id, created). The same submission updates its own row:
    csat always, the optional fields only when the client sent them."""
    dialect = _dialect(conn)
    changed = frozenset(vote.provided) & set(UPDATABLE)
    if dialect == "sqlite":
        row = _sqlite_upsert(conn, changed, _row(vote, now or utcnow()))
    else:
        row = conn.execute(_upsert_statement(dialect, changed), _row(vote, now or utcnow())).first()
    if row is None:
        raise SubmissionConflict(vote.submission)
    return row[0], row[1] == 1


def _sqlite_upsert(conn: Connection, changed: frozenset[str], values: dict[str, Any]):
    """The hot path of every vote on SQLite: the same statement, compiled once, run on the
    connection's own DB-API cursor inside ``conn``'s transaction (it commits or rolls back
    with it). SQLAlchemy's per-execution bookkeeping cost as much as the write itself."""
    sql, binds, constants = _compiled_upsert(conn.dialect, changed)
    values.update(constants)
    params = tuple(
        values[name] if process is None else process(values[name]) for name, process in binds
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()
    except conn.dialect.loaded_dbapi.Error as exc:
        # The one error family callers handle (a locked database answers 503).
        raise DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()


def insert_new(conn: Connection, votes: list[Vote], now: datetime | None = None) -> int:
    """Insert votes whose submission is not stored yet (imports); returns how many were new."""
    if not votes:
        return 0
    now = now or utcnow()
    stmt = insert_for(conn).on_conflict_do_nothing(index_elements=[feedback.c.submission])
    result = conn.execute(stmt.returning(feedback.c.id), [_row(v, now) for v in votes])
    return len(result.all())


def iter_votes(engine: Engine, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every stored vote, oldest first, as plain dicts with ISO-8601 UTC timestamps."""
    columns = [feedback.c[name] for name in EXPORT_COLUMNS]
    last = 0
    while True:
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    select(*columns)
                    .where(feedback.c.id > last)
                    .order_by(feedback.c.id)
                    .limit(batch)
                )
                .mappings()
                .all()
            )
        if not rows:
            return
        for row in rows:
            yield {name: _plain(row[name]) for name in EXPORT_COLUMNS}
        last = rows[-1]["id"]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return value
