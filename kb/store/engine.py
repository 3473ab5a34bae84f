"""The database: one engine per application, chosen only by a URL; schema by Alembic.

SQLite (the default) runs in WAL mode with a busy timeout, so readers never wait for the
writer and two gunicorn workers queue for the write lock instead of failing. PostgreSQL is
used when ``KB_DATABASE_URL`` (or ``--db``) says so.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError

from kb.core.errors import ConfigError, KbError

SQLITE_BUSY_TIMEOUT_MS = 10_000  # command-line tools: wait long rather than fail
# The API answers within a bounded time instead of hanging on a locked, slow or absent
# database: it waits at most this long for a lock (SQLite busy timeout, the writer queue,
# PostgreSQL lock_timeout and connect_timeout; statements get twice as long), then says 503.
# Settable per app as DB_TIMEOUT (seconds; KB_DB_TIMEOUT in the environment).
API_DB_TIMEOUT_S = 5.0
_writer_locks: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, *, timeout: float | None = None) -> Engine:
    """An engine for ``url``; SQLite's folder is created and WAL mode switched on.

    ``timeout`` (seconds) bounds every wait for a lock or a connection, for servers that must
    answer rather than hang; without it, SQLite waits SQLITE_BUSY_TIMEOUT_MS and PostgreSQL
    statements are not limited (migrations on a large table may take long)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        busy_ms = int(timeout * 1000) if timeout is not None else SQLITE_BUSY_TIMEOUT_MS
        engine = create_engine(parsed, connect_args={"timeout": busy_ms / 1000})
        event.listen(engine, "connect", lambda conn, record: _sqlite_pragmas(conn, record, busy_ms))
        if fcntl is not None and parsed.database and parsed.database != ":memory:":
            _writer_locks[engine] = WriterLock(
                Path(f"{parsed.database}.lock"), timeout=busy_ms / 1000
            )
        return engine
    if parsed.get_backend_name() != "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    connect_s = max(1, round(timeout)) if timeout is not None else 5
    engine = create_engine(
        parsed,
        pool_pre_ping=True,
        pool_timeout=timeout or 30,
        connect_args={"connect_timeout": connect_s},
    )
    if timeout is not None:
        event.listen(
            engine, "connect", lambda conn, record: _pg_timeouts(conn, int(timeout * 1000))
        )
    return engine


def _pg_timeouts(dbapi_connection, lock_ms: int) -> None:
    """A locked table or a stuck query fails after a bounded wait instead of hanging."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(lock_ms)}")
        cursor.execute(f"SET statement_timeout = {int(lock_ms) * 2}")
    dbapi_connection.commit()


class DatabaseError(KbError):
    """The database refused or failed a command's work (its driver's first line of message)."""


@contextmanager
def database_errors() -> Iterator[None]:
    """Turn the database's own errors into :class:`DatabaseError` (``Error: database error:
    ...`` on the command line, never a traceback)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise DatabaseError(f"database error: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    text_ = str(exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__


def open_engine(url: str) -> Engine:
    """:func:`make_engine` for a command: a URL that names no usable database (or a driver
    that is not installed) is a :class:`~kb.core.errors.ConfigError`."""
    try:
        return make_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"cannot use database URL: {exc}") from None


class DatabaseBusy(OperationalError):
    """The writer queue did not free up within the timeout (answered as 503)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, None, Exception(message))


class WriterLock:
    """One SQLite writer at a time across threads and processes (gunicorn workers).

    SQLite's own busy handler polls with growing sleeps (1, 2, 5 ... 100 ms), so two workers
    contending for the write lock make p99 latency explode. Queuing on an OS file lock
    instead wakes the next writer the moment the previous one commits. The kernel releases
    the lock when a process dies, even by SIGKILL.

    WAL checkpoints (which fsync) are run by :func:`write_transaction` every
    ``CHECKPOINT_EVERY`` writes, after the lock is released, so no writer waits on a disk flush
    that another writer started; SQLite's automatic checkpoint stays on as a safety net.
    """

    CHECKPOINT_EVERY = 256

    def __init__(self, path: Path, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = timeout  # None: wait as long as it takes
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0  # a forked child must open its own file: flock is per open file
        self.writes = 0

    def __enter__(self) -> None:
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=-1 if self.timeout is None else self.timeout):
            raise DatabaseBusy(f"{self.path}: another writer held the lock too long")
        try:
            if self._fd is None or self._pid != os.getpid():
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            if deadline is None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                return
            # Bounded: a writer stuck in another process must not hang every request. A write
            # holds the lock for well under a millisecond, so poll at that scale: sleeping
            # longer than a write takes leaves the lock idle and halves the throughput.
            pause = 0.0001
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise DatabaseBusy(
                            f"{self.path}: another writer held the lock too long"
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *exc) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction for writing; on SQLite, writers queue on :class:`WriterLock` first."""
    lock = _writer_locks.get(engine)
    if lock is None:
        with engine.begin() as conn:
            yield conn
        return
    with lock:
        with engine.begin() as conn:
            yield conn
        lock.writes += 1
        checkpoint = lock.writes % lock.CHECKPOINT_EVERY == 0
    if checkpoint:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a commit survives a killed process (not a power cut), and writes
    # need no fsync each, which keeps POST as fast as reads.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    # Checkpoints come from write_transaction; this one only bounds the WAL (40 MB).
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def database_url(project_dir: str | Path | None = None, override: str | None = None) -> str:
    """The URL every DB-touching part uses: ``override`` (``--db``), then KB_DATABASE_URL,
    then SQLite in the project's ``.kb/`` (project: ``project_dir``, KB_PROJECT_DIR or cwd)."""
    return (
        override
        or os.environ.get("KB_DATABASE_URL")
        or default_database_url(project_dir or os.environ.get("KB_PROJECT_DIR") or ".")
    )


def url_source(override: str | None = None) -> str:
    """Where :func:`database_url` took the URL from, in words for a message."""
    if override:
        return "--db"
    if os.environ.get("KB_DATABASE_URL"):
        return "KB_DATABASE_URL"
    return "the default: no --db and no KB_DATABASE_URL"


class NoDatabase(KbError):
    """A command that only reads found no feedback database where it looked."""


def open_existing(url: str, source: str) -> Engine:
    """:func:`open_engine` for a command that only reads: a database that does not exist, or
    has no kb schema, is :class:`NoDatabase` naming where it looked, and nothing is created
    (no SQLite file, no folder)."""
    parsed = _parsed(url)
    where = parsed.render_as_string(hide_password=True)
    hint = (
        "Point kb at the real one with --db URL or KB_DATABASE_URL "
        "(e.g. KB_DATABASE_URL=postgresql+psycopg://kb@localhost/kb), "
        "or create this one with 'kb db upgrade'."
    )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).is_file():
            raise NoDatabase(f"no feedback database at {parsed.database} ({source}). {hint}")
    engine = open_engine(url)
    try:
        with database_errors():
            revisions = schema_revisions(engine)
    except BaseException:
        engine.dispose()
        raise
    if not revisions:
        engine.dispose()
        raise NoDatabase(f"{where} ({source}) has no kb tables yet. {hint}")
    return engine


def _parsed(url: str):
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"cannot use database URL: {exc}") from None


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration, made in code: no alembic.ini to find on disk."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, target: str = "heads") -> tuple[str, ...]:
    """Bring the schema to the newest revision (every head, when parts add their own).

    Under :func:`migration_lock`, so any number of instances may upgrade at once (a systemd
    unit runs ``kb db upgrade`` before every instance): one migrates, the others wait for it
    and then find the schema current. Returns the revisions found under the lock, before
    upgrading."""
    with migration_lock(engine):
        before = current_revisions(engine)
        command.upgrade(alembic_config(engine), target)
    return before


# PostgreSQL advisory lock key of schema upgrades ("kbdb"): one per database, any schema.
MIGRATION_LOCK_KEY = 0x6B626462


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """One schema upgrade at a time across processes and hosts: a session-level advisory
    lock on PostgreSQL (released by the server if the process dies), the database's lock
    file (see :class:`WriterLock`) on SQLite, which writers queue on too. Waits as long as
    the other upgrade takes."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
        return
    writer = _writer_locks.get(engine)
    if writer is None:  # in memory, or no fcntl: SQLite's busy timeout alone
        yield
        return
    with WriterLock(writer.path, timeout=None):
        yield


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database is at (empty before the first upgrade)."""
    with engine.connect() as conn:
        return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def schema_revisions(engine: Engine) -> tuple[str, ...]:
    """Like :func:`current_revisions`, in one plain query: cheap enough for every health
    check. Raises SQLAlchemyError when the database does not answer."""
    with engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return tuple(sorted(rows))
        except (OperationalError, ProgrammingError) as exc:
            if "alembic_version" in str(exc.orig):  # no such table: never upgraded
                return ()
            raise


def head_revisions() -> tuple[str, ...]:
    """The newest revisions the code knows."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def default_database_url(project_dir: str | Path) -> str:
    """SQLite under the project's ``.kb/`` folder (created on first use)."""
    return f"sqlite:///{Path(project_dir).resolve() / '.kb' / 'feedback.db'}"
