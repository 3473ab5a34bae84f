"""The database: one engine per application, chosen only by a URL; schema by Alembic.

SQLite (the default) runs in WAL mode with a busy timeout, so readers never wait for the
writer and two gunicorn workers queue for the write lock instead of failing. PostgreSQL is
used when ``KB_DATABASE_URL`` (or ``--db``) says so.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from .config import default_database_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite's folder is created and WAL mode switched on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a commit survives a killed process (not a power cut), and writes
    # need no fsync each, which keeps POST as fast as reads.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def database_url(project_dir: str | Path | None = None, override: str | None = None) -> str:
    """The URL every DB-touching part uses: ``override`` (``--db``), then KB_DATABASE_URL,
    then SQLite in the project's ``.kb/`` (project: ``project_dir``, KB_PROJECT_DIR or cwd)."""
    return (override or os.environ.get("KB_DATABASE_URL")
            or default_database_url(project_dir or os.environ.get("KB_PROJECT_DIR") or "."))


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration, made in code: no alembic.ini to find on disk."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url",
                            engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Bring the schema to the newest revision (every head, when parts add their own)."""
    command.upgrade(alembic_config(engine), target)


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database is at (empty before the first upgrade)."""
    with engine.connect() as conn:
        return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def head_revisions() -> tuple[str, ...]:
    """The newest revisions the code knows."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def init_app(app: Flask) -> None:
    """Attach the engine (made lazily, so each gunicorn worker opens its own connections)."""
    state = {"url": app.config["DATABASE_URL"], "engine": None, "heads": ()}
    app.extensions["kb_db"] = state
    state["heads"] = head_revisions()
    if app.config.get("AUTO_UPGRADE"):
        upgrade(get_engine(app))
    get_engine(app).dispose()  # no pooled connection survives into a forked worker


def get_engine(app: Flask | None = None) -> Engine:
    """The application's engine, created on first use."""
    state = (app or current_app).extensions["kb_db"]
    if state["engine"] is None:
        state["engine"] = make_engine(state["url"])
    return state["engine"]


def ping(engine: Engine) -> None:
    """Raise when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
